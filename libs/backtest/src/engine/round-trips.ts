import type { Side } from '@bourse/contracts';
import { ZERO, type Decimal } from '@bourse/domain';
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

interface Lot {
  readonly side: Side;
  qty: Decimal;
  readonly price: Decimal;
  readonly time: number;
  /** Entry commission not yet assigned to a closed trade. */
  fee: Decimal;
}

/**
 * Turns fills into round trips the way backtesting.py counts trades: every fill that opens or adds
 * makes a lot; a fill against the position closes lots first in, first out (splitting the last one),
 * and each closed part is one trade whose fees are its share of the entry fee plus its share of the
 * exit fee. A fill larger than the position closes it and opens the rest on the other side.
 */
export class RoundTrips {
  private readonly lots: Lot[] = [];
  readonly trades: ClosedTrade[] = [];
  private position = ZERO;

  /** Signed position in base units (negative = short). */
  get qty(): Decimal {
    return this.position;
  }

  apply(fill: OwnFill): void {
    let remaining = fill.qty;
    let feeLeft = fill.fee;
    while (remaining.isPositive() && this.lots.length > 0 && this.lots[0]!.side !== fill.side) {
      const lot = this.lots[0]!;
      const take = lot.qty.lte(remaining) ? lot.qty : remaining;
      const entryFee = take.eq(lot.qty) ? lot.fee : lot.fee.times(take).div(lot.qty, 12, 'half-even');
      const exitFee = take.eq(remaining) ? feeLeft : fill.fee.times(take).div(fill.qty, 12, 'half-even');
      this.trades.push(
        closedTrade({
          side: lot.side,
          qty: take.toString(),
          entryTime: lot.time,
          entryPrice: lot.price.toString(),
          exitTime: fill.time,
          exitPrice: fill.price.toString(),
          fees: entryFee.plus(exitFee).toString(),
        }),
      );
      lot.qty = lot.qty.minus(take);
      lot.fee = lot.fee.minus(entryFee);
      if (lot.qty.isZero()) this.lots.shift();
      remaining = remaining.minus(take);
      feeLeft = feeLeft.minus(exitFee);
    }
    if (remaining.isPositive()) {
      this.lots.push({ side: fill.side, qty: remaining, price: fill.price, time: fill.time, fee: feeLeft });
    }
    this.position = fill.side === 'BUY' ? this.position.plus(fill.qty) : this.position.minus(fill.qty);
  }
}
