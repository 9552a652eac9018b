import type { Order } from './order.js';

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

  get size(): number {
    return this.rising.length + this.falling.length;
  }

  static firesOnRise(order: Pick<Order, 'side' | 'type'>): boolean {
    const stopLoss = order.type === 'STOP_LOSS' || order.type === 'STOP_LOSS_LIMIT';
    return stopLoss === (order.side === 'BUY');
  }

  /** Whether `lastTicks` already reaches the order's trigger. */
  static reached(order: Pick<Order, 'side' | 'type' | 'stopTicks'>, lastTicks: number): boolean {
    if (lastTicks <= 0) return false;
    return StopBook.firesOnRise(order) ? lastTicks >= order.stopTicks : lastTicks <= order.stopTicks;
  }

  add(order: Order): void {
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
    const list = StopBook.firesOnRise(order) ? this.rising : this.falling;
    const i = list.indexOf(order);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** Removes and returns every order the last price triggers, oldest order id first. */
  takeTriggered(lastTicks: number): Order[] | undefined {
    if (lastTicks <= 0) return undefined;
    let fired: Order[] | undefined;
    const rising = this.rising;
    while (rising.length > 0 && (rising[rising.length - 1] as Order).stopTicks <= lastTicks) {
      (fired ??= []).push(rising.pop() as Order);
    }
    const falling = this.falling;
    while (falling.length > 0 && (falling[falling.length - 1] as Order).stopTicks >= lastTicks) {
      (fired ??= []).push(falling.pop() as Order);
    }
    if (fired !== undefined && fired.length > 1) fired.sort((a, b) => a.orderId - b.orderId);
    return fired;
  }

  all(): Order[] {
    return [...this.rising, ...this.falling].sort((a, b) => a.orderId - b.orderId);
  }
}
