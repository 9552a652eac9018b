import { ZERO, applyFill, emptyPosition, type Decimal, type Fill, type Position } from '@bourse/domain';

// Realized P&L and quote-asset fees of one position, bucketed by the UTC day of each fill's venue
// time. Rebuilt from the position's fills (in venue order) whenever a late fill reorders them, so
// the buckets never depend on arrival order.

export const DAY_MS = 86_400_000;

/** The UTC day number (days since the epoch) of a time in ms. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export interface DayBuckets {
  /** Realized P&L per UTC day. */
  readonly realized: Map<number, Decimal>;
  /** Fees paid in the quote asset per UTC day (other fee assets are left out: no price to convert them). */
  readonly quoteFees: Map<number, Decimal>;
}

function add(map: Map<number, Decimal>, day: number, value: Decimal): void {
  if (value.isZero()) return;
  map.set(day, (map.get(day) ?? ZERO).plus(value));
}

/** Adds one fill's realized P&L (`after − before`) and quote fee to its day. */
export function bucketFill(buckets: DayBuckets, before: Position, after: Position, fill: Fill): void {
  const day = utcDay(fill.atMs);
  add(buckets.realized, day, after.realizedPnl.minus(before.realizedPnl));
  if (fill.fee && fill.fee.asset === after.quote) add(buckets.quoteFees, day, fill.fee.amount);
}

/** Buckets every fill of one position from scratch (fills in venue order). */
export function bucketsFromFills(
  strategyId: string,
  instrument: string,
  multiplier: Decimal,
  fills: readonly Fill[],
): DayBuckets {
  const buckets: DayBuckets = { realized: new Map(), quoteFees: new Map() };
  let position = emptyPosition(strategyId, instrument, multiplier);
  for (const fill of fills) {
    const next = applyFill(position, fill);
    bucketFill(buckets, position, next, fill);
    position = next;
  }
  return buckets;
}
