import type { Side } from '@bourse/contracts';
import { applyFill, emptyPosition, type Decimal, type Lot, type Position } from '@bourse/domain';
import { closedTrade } from '../stats/trade.js';
import type { ClosedTrade } from '../types.js';

/** One fill of our own, as the venue reported it. */
export interface OwnFill {
  readonly side: Side;
  readonly qty: Decimal;
  readonly price: Decimal;
  /** Commission in the quote asset. */
  readonly fee: Decimal;
  readonly time: number;
}

/** Units of the position one fill opened and still open: when, and the entry commission they carry. */
interface Opening {
  qty: Decimal;
  readonly time: number;
  fee: Decimal;
}

/** The position's key: one instrument, one strategy (a backtest trades one of each). */
const STRATEGY = 'backtest';
const INSTRUMENT = 'BASE/QUOTE';

/**
 * Turns fills into round trips the way backtesting.py counts trades. The position is
 * `@bourse/domain`'s (`applyFill`: FIFO lots, a fill against the position closing the oldest first, a
 * larger one flipping it through zero); the units a fill closes are the oldest of its lots, at their
 * prices. Beside it this class keeps only what a lot does not: when each opening fill's units were
 * opened and the entry commission they carry, so each closed part of an opening fill is one trade,
 * its fees its share of the entry fee plus its share of the exit fee.
 */
export class RoundTrips {
  private position: Position = emptyPosition(STRATEGY, INSTRUMENT);
  private readonly openings: Opening[] = [];
  private fills = 0;
  readonly trades: ClosedTrade[] = [];

  /** Fills applied so far. */
  get fillCount(): number {
    return this.fills;
  }

  /** Signed position in base units (negative = short). */
  get qty(): Decimal {
    return this.position.qty;
  }

  apply(fill: OwnFill): void {
    const before = this.position;
    this.position = applyFill(before, {
      fillId: String(++this.fills),
      strategyId: STRATEGY,
      instrument: INSTRUMENT,
      side: fill.side,
      qty: fill.qty,
      price: fill.price,
      atMs: fill.time,
    });
    const closing = !before.qty.isZero() && before.qty.isPositive() !== (fill.side === 'BUY');
    let remaining = fill.qty;
    let feeLeft = fill.fee;
    if (closing) {
      const entrySide: Side = before.qty.isPositive() ? 'BUY' : 'SELL';
      const closed = before.qty.abs().lt(fill.qty) ? before.qty.abs() : fill.qty;
      for (const lot of oldest(before.lots, closed)) {
        let left = lot.qty;
        while (left.isPositive()) {
          const opening = this.openings[0]!;
          const take = opening.qty.lte(left) ? opening.qty : left;
          const entryFee = take.eq(opening.qty)
            ? opening.fee
            : opening.fee.times(take).div(opening.qty, 12, 'half-even');
          const exitFee = take.eq(remaining) ? feeLeft : fill.fee.times(take).div(fill.qty, 12, 'half-even');
          this.trades.push(
            closedTrade({
              side: entrySide,
              qty: take.toString(),
              entryTime: opening.time,
              entryPrice: lot.price.toString(),
              exitTime: fill.time,
              exitPrice: fill.price.toString(),
              fees: entryFee.plus(exitFee).toString(),
            }),
          );
          opening.qty = opening.qty.minus(take);
          opening.fee = opening.fee.minus(entryFee);
          if (opening.qty.isZero()) this.openings.shift();
          left = left.minus(take);
          remaining = remaining.minus(take);
          feeLeft = feeLeft.minus(exitFee);
        }
      }
    }
    if (remaining.isPositive()) this.openings.push({ qty: remaining, time: fill.time, fee: feeLeft });
  }
}

/** The first `qty` units of the lots, oldest first, as lots of their own (the last one cut). */
function oldest(lots: readonly Lot[], qty: Decimal): Lot[] {
  const out: Lot[] = [];
  let left = qty;
  for (const lot of lots) {
    if (!left.isPositive()) break;
    const take = lot.qty.lte(left) ? lot.qty : left;
    out.push({ qty: take, price: lot.price });
    left = left.minus(take);
  }
  if (left.isPositive()) throw new Error(`round trips: ${left.toString()} closed beyond the position's lots`);
  return out;
}
