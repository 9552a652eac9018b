import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNIT, formatScaled, formatUnits, parseOnGrid, parseUnits, powerOfTenDecimals } from './decimal.js';

describe('decimal conversion', () => {
  it('parses plain decimals exactly and refuses anything else', () => {
    expect(parseUnits('30000.01')).toBe(30000n * UNIT + 10n ** 16n);
    expect(parseUnits('0.000000000000000001')).toBe(1n);
    expect(parseUnits('1.0000000000000000000')).toBe(UNIT);
    for (const bad of ['', '1e5', '-1', '1.', '.5', '0x10', '1.0000000000000000001', ' 1'])
      expect(parseUnits(bad)).toBeUndefined();
  });

  it('formats with at least 8 decimals, more only when needed', () => {
    expect(formatUnits(30000n * UNIT + 10n ** 16n)).toBe('30000.01000000');
    expect(formatUnits(1n)).toBe('0.000000000000000001');
    expect(formatUnits(-5n * UNIT)).toBe('-5.00000000');
  });

  it('puts values on a grid: steps, NaN off-grid, undefined when malformed', () => {
    expect(parseOnGrid('0.03', 10n ** 16n)).toBe(3);
    expect(parseOnGrid('0.031', 10n ** 16n)).toBeNaN();
    expect(parseOnGrid('abc', 10n ** 16n)).toBeUndefined();
  });

  it('the power-of-ten fast path agrees with the bigint path', () => {
    const text = fc
      .tuple(fc.nat({ max: 10_000_000 }), fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 20 }))
      .map(([i, f]) => (f === '' ? `${i}` : `${i}.${f}`));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 18 }), (t, decimals) => {
        const grid = 10n ** BigInt(18 - decimals);
        expect(parseOnGrid(t, grid, decimals)).toEqual(parseOnGrid(t, grid));
      }),
    );
  });

  it('fast power-of-ten formatting agrees with the bigint formatter', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 18 }), (steps, decimals) => {
        const grid = 10n ** BigInt(18 - decimals);
        expect(powerOfTenDecimals(grid)).toBe(decimals);
        expect(formatScaled(steps, decimals)).toBe(formatUnits(BigInt(steps) * grid));
      }),
    );
    expect(powerOfTenDecimals(5n * 10n ** 16n)).toBe(-1);
  });
});
