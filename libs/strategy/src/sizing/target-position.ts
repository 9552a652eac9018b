import type { Side } from '@bourse/contracts';
import { Decimal, ZERO, tryDec } from '@bourse/domain';
import { InvalidSizingError } from '../sdk/errors.js';

/** `long-only`: never hold a short (a sell signal only closes a long). `long-short`: flip through flat. */
export type PositionMode = 'long-only' | 'long-short';

/**
 * A position to hold: a signed base qty (`"2"`, `"-2"`, `"0"` for flat), or a side with a quote
 * notional to commit when entering it (fraction-of-equity sizing, converted at the venue).
 */
export type TargetPosition = string | Decimal | { readonly direction: 'long' | 'short'; readonly quoteQty: string };

/** One order of the sequence that moves a position to its target. */
export interface OrderLeg {
  readonly side: Side;
  readonly qty?: string;
  readonly quoteQty?: string;
  /** True for legs that only shrink the position (close, reduce): they can never open or flip it. */
  readonly reduceOnly: boolean;
  /** close: to flat; reduce: toward flat; open: from flat; increase: away from flat on the same side. */
  readonly purpose: 'close' | 'reduce' | 'open' | 'increase';
}

function signed(field: string, value: string | Decimal): Decimal {
  const d = Decimal.isDecimal(value) ? value : tryDec(value);
  if (d === undefined) throw new InvalidSizingError(field, value, 'is not a decimal string');
  return d;
}

const sideToward = (sign: number): Side => (sign > 0 ? 'BUY' : 'SELL');
const sideAway = (sign: number): Side => (sign > 0 ? 'SELL' : 'BUY');

/**
 * The orders that take `current` (signed base qty) to `target`, in the order they must be sent. A flip
 * is two legs, close (reduce-only) then open, so the close can never overshoot into a new position and
 * the open is sized on its own. In `long-only` mode a short target means flat. A quote-notional target
 * on the side already held yields nothing: it sizes entries, it does not top positions up.
 */
export function targetPositionOrders(
  current: string | Decimal,
  target: TargetPosition,
  mode: PositionMode,
): OrderLeg[] {
  if (mode !== 'long-only' && mode !== 'long-short') {
    throw new InvalidSizingError('mode', mode, 'must be long-only or long-short');
  }
  const cur = signed('current', current);
  const legs: OrderLeg[] = [];
  const close = (): void => {
    legs.push({ side: sideAway(cur.sign()), qty: cur.abs().toString(), reduceOnly: true, purpose: 'close' });
  };

  if (typeof target === 'object' && !Decimal.isDecimal(target)) {
    const sign = target.direction === 'long' ? 1 : target.direction === 'short' ? -1 : 0;
    if (sign === 0) throw new InvalidSizingError('direction', target.direction, 'must be long or short');
    const quote = tryDec(target.quoteQty);
    if (quote === undefined || !quote.isPositive()) {
      throw new InvalidSizingError('quoteQty', target.quoteQty, 'must be a decimal string greater than zero');
    }
    if (sign < 0 && mode === 'long-only') return targetPositionOrders(cur, ZERO, mode);
    if (cur.sign() === sign) return legs;
    if (!cur.isZero()) close();
    legs.push({ side: sideToward(sign), quoteQty: quote.toString(), reduceOnly: false, purpose: 'open' });
    return legs;
  }

  let tgt = signed('target', target);
  if (mode === 'long-only' && tgt.isNegative()) tgt = ZERO;
  if (tgt.eq(cur)) return legs;
  if (cur.isZero()) {
    legs.push({ side: sideToward(tgt.sign()), qty: tgt.abs().toString(), reduceOnly: false, purpose: 'open' });
  } else if (tgt.isZero()) {
    close();
  } else if (tgt.sign() !== cur.sign()) {
    close();
    legs.push({ side: sideToward(tgt.sign()), qty: tgt.abs().toString(), reduceOnly: false, purpose: 'open' });
  } else if (tgt.abs().gt(cur.abs())) {
    legs.push({
      side: sideToward(cur.sign()),
      qty: tgt.minus(cur).abs().toString(),
      reduceOnly: false,
      purpose: 'increase',
    });
  } else {
    legs.push({
      side: sideAway(cur.sign()),
      qty: cur.minus(tgt).abs().toString(),
      reduceOnly: true,
      purpose: 'reduce',
    });
  }
  return legs;
}
