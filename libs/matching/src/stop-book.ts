import type { Order } from './order.js';
import { trailFires } from './trailing.js';

/**
 * Untriggered stop orders of one symbol. Binance triggers on the last trade price:
 * STOP_LOSS(_LIMIT) BUY and TAKE_PROFIT(_LIMIT) SELL when last ≥ stop ("rising"),
 * STOP_LOSS(_LIMIT) SELL and TAKE_PROFIT(_LIMIT) BUY when last ≤ stop ("falling").
 * Each list is sorted so the next order to fire is at the end.
 */
export class StopBook {
  /** Fire when last ≥ stop; sorted by stop descending (lowest last). */
  readonly rising: Order[] = [];
  /** Fire when last ≤ stop; sorted by stop ascending (highest last). */
  readonly falling: Order[] = [];
  /** Trailing stops, in arrival order: their trigger moves with the market, so each sees every price. */
  readonly trailing: Order[] = [];

  get size(): number {
    return this.rising.length + this.falling.length + this.trailing.length;
  }

  static firesOnRise(order: Pick<Order, 'side' | 'type'>): boolean {
    const stopLoss = order.type === 'STOP_LOSS' || order.type === 'STOP_LOSS_LIMIT';
    return stopLoss === (order.side === 'BUY');
  }

  /**
   * Whether the market already reaches the order's trigger: a rising one at `riseTicks`, a falling one
   * at `fallTicks` (both the last trade price, or a quote's ask and bid: see `SymbolMarket.riseTicks`).
   */
  static reached(
    order: Pick<Order, 'side' | 'type' | 'stopTicks'>,
    riseTicks: number,
    fallTicks: number = riseTicks,
  ): boolean {
    if (StopBook.firesOnRise(order)) return riseTicks > 0 && riseTicks >= order.stopTicks;
    return fallTicks > 0 && fallTicks <= order.stopTicks;
  }

  add(order: Order): void {
    if (order.trailingDelta > 0) {
      this.trailing.push(order);
      return;
    }
    const rise = StopBook.firesOnRise(order);
    const list = rise ? this.rising : this.falling;
    const s = order.stopTicks;
    // Ties need no care: fired orders are sorted by order id before they run.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = (list[mid] as Order).stopTicks;
      const before = rise ? m >= s : m <= s;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, order);
  }

  remove(order: Order): boolean {
    const list = order.trailingDelta > 0 ? this.trailing : StopBook.firesOnRise(order) ? this.rising : this.falling;
    const i = list.indexOf(order);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /**
   * Removes and returns every order the market triggers, oldest order id first: rising ones at or
   * below `riseTicks`, falling ones at or above `fallTicks` (the last trade price for both, or a
   * quote's ask and bid). Trailing stops see the price they would trade at (a sell the falling
   * reference, a buy the rising one), which activates them, moves their best price or fires them.
   */
  takeTriggered(riseTicks: number, fallTicks: number = riseTicks, now = 0): Order[] | undefined {
    let fired: Order[] | undefined;
    const trailing = this.trailing;
    for (let i = 0; i < trailing.length;) {
      const o = trailing[i] as Order;
      if (trailFires(o, o.side === 'SELL' ? fallTicks : riseTicks, now)) {
        (fired ??= []).push(o);
        trailing.splice(i, 1);
      } else i++;
    }
    const rising = this.rising;
    if (riseTicks > 0) {
      while (rising.length > 0 && (rising[rising.length - 1] as Order).stopTicks <= riseTicks) {
        (fired ??= []).push(rising.pop() as Order);
      }
    }
    const falling = this.falling;
    if (fallTicks > 0) {
      while (falling.length > 0 && (falling[falling.length - 1] as Order).stopTicks >= fallTicks) {
        (fired ??= []).push(falling.pop() as Order);
      }
    }
    if (fired !== undefined && fired.length > 1) fired.sort((a, b) => a.orderId - b.orderId);
    return fired;
  }

  all(): Order[] {
    return [...this.rising, ...this.falling, ...this.trailing].sort((a, b) => a.orderId - b.orderId);
  }
}
