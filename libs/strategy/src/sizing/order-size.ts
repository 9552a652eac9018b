import { Decimal, ONE, tryDec } from '@bourse/domain';
import { InvalidSizingError } from '../sdk/errors.js';

/** How much one order trades: a base quantity, or a quote notional the venue turns into one. */
export type OrderSize = { readonly qty: string } | { readonly quoteQty: string };

type DecimalInput = string | Decimal;

function toDecimal(field: string, value: DecimalInput): Decimal {
  const d = Decimal.isDecimal(value) ? value : tryDec(value);
  if (d === undefined) throw new InvalidSizingError(field, value, 'is not a decimal string');
  return d;
}

function positive(field: string, value: DecimalInput): Decimal {
  const d = toDecimal(field, value);
  if (!d.isPositive()) throw new InvalidSizingError(field, d.toString(), 'must be greater than zero');
  return d;
}

/**
 * A fixed base quantity, rounded down to `lot` when one is given. Throws InvalidSizingError when the
 * quantity is not above zero or is smaller than one lot.
 */
export function fixedQty(qty: DecimalInput, lot?: DecimalInput): OrderSize {
  let q = positive('qty', qty);
  if (lot !== undefined) {
    q = q.roundToMultiple(positive('lot', lot), 'floor');
    if (q.isZero())
      throw new InvalidSizingError('qty', toDecimal('qty', qty).toString(), `is less than one lot (${lot.toString()})`);
  }
  return { qty: q.toString() };
}

export interface FractionOfEquity {
  /** Equity in the quote asset; undefined when the runner does not know it. */
  readonly equity: DecimalInput | undefined;
  /** Share of equity to commit, in (0, 1]; 1 = all of it. */
  readonly fraction: DecimalInput;
  /** Price to convert at. Without it the size is a quoteQty the venue converts at the fill price. */
  readonly price?: DecimalInput;
  /** Lot (step) the qty is rounded DOWN to; required with `price` ("1" for whole units). */
  readonly lot?: DecimalInput;
}

/**
 * `fraction` × `equity` as a quoteQty, or — given a price and a lot — as a qty rounded down to the lot,
 * so the order never spends more than the fraction. Undefined when equity is unknown, not positive, or
 * the result rounds to nothing. Throws InvalidSizingError on a fraction outside (0, 1] or a bad price/lot.
 */
export function fractionOfEquity(opts: FractionOfEquity): OrderSize | undefined {
  const fraction = positive('fraction', opts.fraction);
  if (fraction.gt(ONE))
    throw new InvalidSizingError('fraction', fraction.toString(), 'must be at most 1 (all of the equity)');
  if (opts.equity === undefined) return undefined;
  const equity = toDecimal('equity', opts.equity);
  if (!equity.isPositive()) return undefined;
  const notional = equity.times(fraction);
  if (opts.price === undefined) {
    if (opts.lot !== undefined)
      throw new InvalidSizingError('lot', opts.lot.toString(), 'needs a price to size in lots');
    return { quoteQty: notional.toString() };
  }
  if (opts.lot === undefined)
    throw new InvalidSizingError('lot', undefined, 'is required with a price ("1" for whole units)');
  const price = positive('price', opts.price);
  const lot = positive('lot', opts.lot);
  // Whole lots that the notional pays for at this price, counted exactly and rounded down.
  const lots = notional.div(price.times(lot), 0, 'floor');
  if (lots.isZero()) return undefined;
  return { qty: lots.times(lot).toString() };
}
