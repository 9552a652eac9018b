import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec } from '@bourse/domain';
import { DecimalSma, compareSma } from './decimal-sma.js';
import { decimalFromNumber, numberInput } from '../sdk/numbers.js';

describe('DecimalSma', () => {
  it('equals the exact mean of the last period values once full (random, against a full recompute)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: -100_000, max: 100_000 }), { maxLength: 60 }),
        (period, cents) => {
          const sma = new DecimalSma(period);
          cents.forEach((c, i) => {
            sma.update(dec(c).div(dec(100), 2));
            const window = cents.slice(Math.max(0, i + 1 - period), i + 1);
            expect(sma.isReady).toBe(i + 1 >= period);
            if (!sma.isReady) return;
            const exactSum = window.reduce((a, b) => a + b, 0);
            expect(sma.sum.eq(dec(exactSum).div(dec(100), 2))).toBe(true);
            expect(sma.value(12)!.eq(dec(exactSum).div(dec(100 * period), 12))).toBe(true);
          });
        },
      ),
    );
  });

  it('compares two averages exactly, where floats would not', () => {
    // (0.1 + 0.2) / 2 vs 0.15 / 1: equal in decimals; in floats 0.1 + 0.2 = 0.30000000000000004.
    const a = new DecimalSma(2);
    a.update(dec('0.1'));
    a.update(dec('0.2'));
    const b = new DecimalSma(1);
    b.update(dec('0.15'));
    expect(compareSma(a.sum, 2, b.sum, 1)).toBe(0);
    expect((0.1 + 0.2) / 2 === 0.15).toBe(false);
  });
});

describe('decimalFromNumber', () => {
  it('recovers the decimal a short number was parsed from, exponent expanded', () => {
    expect(decimalFromNumber(Number('30000.01')).toString()).toBe('30000.01');
    expect(decimalFromNumber(1e-7).toString()).toBe('0.0000001');
    expect(decimalFromNumber(1.5e-7).toString()).toBe('0.00000015');
    expect(decimalFromNumber(1.5e21).toString()).toBe('1500000000000000000000');
    expect(numberInput(-2.5)).toBe('-2.5');
    expect(() => decimalFromNumber(Number.NaN)).toThrow(/finite/);
  });
});
