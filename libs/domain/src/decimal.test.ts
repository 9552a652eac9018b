import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Decimal, dec, tryDec, ZERO, type RoundingMode } from './decimal.js';
import { DivisionByZeroError, InvalidArgumentError, InvalidDecimalError } from './errors.js';

// Reference: a decimal string as an exact fraction units / 10^scale, compared by cross-multiplying.
const decimalText = fc
  .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
  .map(([units, scale]) => Decimal.fromUnits(units, scale).toString());

describe('Decimal parsing and printing', () => {
  it('round-trips plain decimal text to its canonical form', () => {
    expect(dec('0').toString()).toBe('0');
    expect(dec('-0.000').toString()).toBe('0');
    expect(dec('0.00100000').toString()).toBe('0.001');
    expect(dec('-12.340').toString()).toBe('-12.34');
    expect(dec('000123').toString()).toBe('123');
    expect(dec('98765432109876543210.123456789012345678').toString()).toBe('98765432109876543210.123456789012345678');
  });

  it('rejects exponents, blanks, floats and junk with InvalidDecimalError', () => {
    for (const bad of ['', ' 1', '1e5', '1.', '.5', '+1', '1,5', 'NaN', 'Infinity', '--1', '0x10', '1'.repeat(201)]) {
      expect(() => dec(bad), bad).toThrow(InvalidDecimalError);
    }
    expect(() => dec(0.1)).toThrow(InvalidDecimalError);
    expect(() => dec(Number.MAX_SAFE_INTEGER + 1)).toThrow(/safe integers/);
    expect(dec(42).toString()).toBe('42');
    expect(dec(-7n).toString()).toBe('-7');
    expect(tryDec('1.5')?.toString()).toBe('1.5');
    expect(tryDec('1e3')).toBeUndefined();
    expect(tryDec(3)).toBeUndefined();
  });

  it('serialises to JSON as a string and refuses implicit number conversion', () => {
    expect(JSON.stringify({ p: dec('1.50') })).toBe('{"p":"1.5"}');
    expect(() => +dec('1')).toThrow(TypeError);
    expect(`${dec('2.5')}`).toBe('2.5');
    expect(dec('0.1').toNumber()).toBe(0.1);
  });

  it('pads and rounds with toFixed', () => {
    expect(dec('1.5').toFixed(3)).toBe('1.500');
    expect(dec('2.345').toFixed(2)).toBe('2.34');
    expect(dec('2.355').toFixed(2)).toBe('2.36');
    expect(dec('2.345').toFixed(2, 'half-up')).toBe('2.35');
    expect(dec('-0.004').toFixed(2)).toBe('0.00');
    expect(dec('-1.2').toFixed(0, 'floor')).toBe('-2');
  });
});

describe('Decimal arithmetic', () => {
  it('adds, subtracts and multiplies exactly where floats do not', () => {
    expect(dec('0.1').plus(dec('0.2')).toString()).toBe('0.3');
    expect(dec('1.1').times(dec('1.1')).toString()).toBe('1.21');
    expect(dec('0.3').minus(dec('0.1')).eq(dec('0.2'))).toBe(true);
    expect(dec('123456789.12345678').times(dec('0.00000001')).toString()).toBe('1.2345678912345678');
  });

  it('compares by value regardless of scale', () => {
    expect(dec('1.50').eq(dec('1.5'))).toBe(true);
    expect(dec('-1').lt(dec('-0.5'))).toBe(true);
    expect(dec('2').gte(dec('2.000'))).toBe(true);
    expect(Decimal.max(dec('1'), dec('1.01')).toString()).toBe('1.01');
    expect(Decimal.min(dec('-3'), dec('1')).toString()).toBe('-3');
    expect(ZERO.sign()).toBe(0);
  });

  it('divides to the named places and mode, and refuses zero', () => {
    expect(dec('1').div(dec('3'), 5).toString()).toBe('0.33333');
    expect(dec('2').div(dec('3'), 5).toString()).toBe('0.66667');
    expect(dec('-2').div(dec('3'), 2, 'down').toString()).toBe('-0.66');
    expect(dec('1').div(dec('-8'), 2, 'half-even').toString()).toBe('-0.12');
    expect(dec('10').div(dec('0.25'), 0).toString()).toBe('40');
    expect(() => dec('1').div(ZERO, 2)).toThrow(DivisionByZeroError);
    expect(() => dec('1').div(dec('2'), -1)).toThrow(InvalidArgumentError);
  });

  it('rounds each mode as documented', () => {
    const cases: [string, RoundingMode, string][] = [
      ['2.5', 'down', '2'],
      ['2.5', 'up', '3'],
      ['-2.5', 'up', '-3'],
      ['-2.1', 'floor', '-3'],
      ['-2.9', 'ceil', '-2'],
      ['2.5', 'half-up', '3'],
      ['-2.5', 'half-up', '-3'],
      ['2.5', 'half-even', '2'],
      ['3.5', 'half-even', '4'],
      ['2.51', 'half-even', '3'],
    ];
    for (const [x, mode, want] of cases) expect(dec(x).roundTo(0, mode).toString(), `${x} ${mode}`).toBe(want);
    expect(() => dec('1').roundTo(0, 'nearest' as RoundingMode)).toThrow(InvalidArgumentError);
  });

  it('rounds to a step multiple and checks membership', () => {
    expect(dec('27123.47').roundToMultiple(dec('0.05'), 'floor').toString()).toBe('27123.45');
    expect(dec('27123.47').roundToMultiple(dec('0.05'), 'ceil').toString()).toBe('27123.5');
    expect(dec('0.00123').roundToMultiple(dec('0.001'), 'floor').toString()).toBe('0.001');
    expect(dec('12.5').isMultipleOf(dec('2.5'))).toBe(true);
    expect(dec('12.6').isMultipleOf(dec('2.5'))).toBe(false);
    expect(() => dec('1').roundToMultiple(ZERO, 'floor')).toThrow(InvalidArgumentError);
    expect(() => dec('1').isMultipleOf(dec('-1'))).toThrow(InvalidArgumentError);
  });
});

describe('Decimal properties', () => {
  const ratio = (d: Decimal): [bigint, bigint] => [d.units, 10n ** BigInt(d.scale)];

  it('parse ∘ toString is the identity on values, and arithmetic matches exact fractions', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        const x = dec(a);
        const y = dec(b);
        expect(dec(x.toString()).eq(x)).toBe(true);
        const [xn, xd] = ratio(x);
        const [yn, yd] = ratio(y);
        const [sn, sd] = ratio(x.plus(y));
        expect(sn * xd * yd).toBe((xn * yd + yn * xd) * sd);
        const [pn, pd] = ratio(x.times(y));
        expect(pn * xd * yd).toBe(xn * yn * pd);
        expect(x.minus(y).plus(y).eq(x)).toBe(true);
        expect(x.cmp(y)).toBe(Math.sign(Number(xn * yd - yn * xd)));
      }),
    );
  });

  it('roundToMultiple lands on the grid, within one step, on the side the mode says', () => {
    const step = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.integer({ min: 0, max: 8 }))
      .map(([u, s]) => Decimal.fromUnits(u, s));
    fc.assert(
      fc.property(
        decimalText,
        step,
        fc.constantFrom<RoundingMode>('floor', 'ceil', 'down', 'up', 'half-even'),
        (t, s, mode) => {
          const x = dec(t);
          const r = x.roundToMultiple(s, mode);
          expect(r.isMultipleOf(s)).toBe(true);
          expect(r.minus(x).abs().lt(s)).toBe(true);
          if (mode === 'floor') expect(r.lte(x)).toBe(true);
          if (mode === 'ceil') expect(r.gte(x)).toBe(true);
          if (mode === 'down') expect(r.abs().lte(x.abs())).toBe(true);
          if (mode === 'up') expect(r.abs().gte(x.abs())).toBe(true);
          if (mode === 'half-even') expect(r.minus(x).abs().times(dec(2)).lte(s)).toBe(true);
        },
      ),
    );
  });

  it('div rounds to within one unit in the last place', () => {
    fc.assert(
      fc.property(decimalText, decimalText, fc.integer({ min: 0, max: 10 }), (a, b, places) => {
        const y = dec(b);
        fc.pre(!y.isZero());
        const q = dec(a).div(y, places, 'floor');
        const ulp = Decimal.fromUnits(1n, places);
        // floor: q*y <= a < (q+ulp)*y for y > 0; mirrored for y < 0.
        const lo = q.times(y);
        const hi = q.plus(ulp).times(y);
        if (y.isPositive()) expect(lo.lte(dec(a)) && dec(a).lt(hi)).toBe(true);
        else expect(hi.lt(dec(a)) && dec(a).lte(lo)).toBe(true);
      }),
    );
  });
});
