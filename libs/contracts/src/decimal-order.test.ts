import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compareDecimalStrings, isZeroDecimal } from './decimal-order.js';

describe('compareDecimalStrings', () => {
  it.each([
    ['1', '2', -1],
    ['2', '1', 1],
    ['1.50', '1.5', 0],
    ['-0', '0', 0],
    ['-0.000', '0.0', 0],
    ['10', '9.999', 1],
    ['-10', '-9.999', -1],
    ['-1', '0.0001', -1],
    ['0.00000001', '0.00000002', -1],
    ['123456789012345678901234567890.1', '123456789012345678901234567890.01', 1],
  ] as const)('compares %s with %s as %d', (a, b, expected) => {
    expect(compareDecimalStrings(a, b)).toBe(expected);
  });

  it('agrees with integer comparison on scaled values', () => {
    // Scaling integers by 10^-scale keeps them exact as text, so BigInt gives the true answer.
    const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }));
    const toText = ([n, scale]: [bigint, number]) => {
      const negative = n < 0n;
      const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
      const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      return negative ? `-${text}` : text;
    };
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const scale = 8;
        const ai = a[0] * 10n ** BigInt(scale - a[1]);
        const bi = b[0] * 10n ** BigInt(scale - b[1]);
        const expected = ai < bi ? -1 : ai > bi ? 1 : 0;
        expect(compareDecimalStrings(toText(a), toText(b))).toBe(expected);
      }),
    );
  });

  it('knows zero in any spelling', () => {
    expect(isZeroDecimal('0')).toBe(true);
    expect(isZeroDecimal('0.000')).toBe(true);
    expect(isZeroDecimal('-0.0')).toBe(true);
    expect(isZeroDecimal('0.001')).toBe(false);
    expect(isZeroDecimal('10')).toBe(false);
  });
});
