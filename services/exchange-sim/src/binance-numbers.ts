// Binance's own number conventions at the protocol edge, over @bourse/domain's Decimal (the one
// decimal type): the loose syntax Binance accepts in request fields, its 8-decimal output, and
// its price/quantity grid rule. All arithmetic is Decimal's.

import { Decimal, InvalidDecimalError, dec } from '@bourse/domain';

/** Binance accepts "1.", ".5" and leading zeros in quantity and price fields; never a sign or exponent. */
const BINANCE_DECIMAL = /^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/;
/** Longer field values are refused before any parsing. */
const MAX_TEXT_LENGTH = 40;

/** Whether `s` is a decimal Binance would accept in a quantity or price field ("1", "0.1", "1.", ".5"). */
export function isDecimalText(s: string): boolean {
  return BINANCE_DECIMAL.test(s) && s.length <= MAX_TEXT_LENGTH;
}

/** Parses a request field in Binance's loose syntax; exact; throws InvalidDecimalError on anything else (a sign, an exponent). */
export function parseBinanceDecimal(s: string): Decimal {
  if (!isDecimalText(s)) {
    throw new InvalidDecimalError(s, 'not a non-negative decimal as Binance accepts it ("1", "0.1", "1.", ".5")');
  }
  const plain = s.startsWith('.') ? `0${s}` : s.endsWith('.') ? s.slice(0, -1) : s;
  return Decimal.parse(plain);
}

/** Any accepted request text in the canonical plain form the engine takes ("1." → "1", ".5" → "0.5", "001.20" → "1.2"). */
export function normalise(s: string): string {
  return parseBinanceDecimal(s).toString();
}

/** Binance prints prices and quantities with exactly 8 decimals ("0.10000000"), truncating extra digits toward zero. */
export function toFixed8(value: Decimal | string): string {
  return dec(value).toFixed(8, 'down');
}

/**
 * Binance's PRICE_FILTER / LOT_SIZE grid rule: `(value - min) % step == 0`; a step of zero disables
 * the rule, as it does on Binance.
 */
export function isOnGrid(value: Decimal, min: Decimal, step: Decimal): boolean {
  return step.isZero() || value.minus(min).isMultipleOf(step);
}
