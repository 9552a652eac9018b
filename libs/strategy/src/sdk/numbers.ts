import { Decimal, InvalidDecimalError } from '@bourse/domain';

/**
 * The exact decimal a JS number prints as (its shortest round-trip text, exponent expanded). A price
 * parsed from a short decimal string (`Number('30000.01')`) comes back as exactly that decimal, which
 * lets a strategy compare bar closes exactly although bars carry numbers. Throws InvalidDecimalError on
 * NaN or an infinity.
 */
export function decimalFromNumber(x: number): Decimal {
  if (!Number.isFinite(x)) throw new InvalidDecimalError(x, 'must be a finite number');
  const text = String(x);
  const e = text.indexOf('e');
  if (e < 0) return Decimal.parse(text);
  const mantissa = Decimal.parse(text.slice(0, e));
  const exponent = Number(text.slice(e + 1));
  return exponent >= 0
    ? mantissa.times(Decimal.fromUnits(10n ** BigInt(exponent), 0))
    : mantissa.times(Decimal.fromUnits(1n, -exponent));
}

/** Plain decimal text of a number for an intent's recorded inputs (no exponent). */
export function numberInput(x: number): string {
  return decimalFromNumber(x).toString();
}
