import type { Order } from './order.js';

// Trailing stops (Binance's `trailingDelta`, in BIPS; see the venue's trailing-stop FAQ). A trailing
// order first waits for its stop price, if it has one, by the ordinary stop rule of its type and side;
// from then on (at once when it has none) it tracks the best price since — the highest for a sell,
// the lowest for a buy — and triggers when the price has moved `trailingDelta` BIPS back from it:
// a sell at price ≤ best × (1 − δ/10000), a buy at price ≥ best × (1 + δ/10000).

const BIPS = 10_000;

/** Whether the ordinary stop rule of the order's type and side fires at `ticks` (see StopBook.firesOnRise). */
function stopReached(order: Order, ticks: number): boolean {
  const stopLoss = order.type === 'STOP_LOSS' || order.type === 'STOP_LOSS_LIMIT';
  const rising = stopLoss === (order.side === 'BUY');
  return rising ? ticks >= order.stopTicks : ticks <= order.stopTicks;
}

/** Starts tracking at `ticks` (the price at placement, or the trade that reached the stop price). */
export function startTrailing(order: Order, ticks: number, now: number): void {
  order.trailBestTicks = ticks;
  order.trailingTime = now;
}

/**
 * Feeds one price (ticks) to a trailing order: activates it, moves its best price, or says it fires.
 * The price that activates or improves the best never fires it.
 */
export function trailFires(order: Order, ticks: number, now: number): boolean {
  if (ticks <= 0) return false;
  const best = order.trailBestTicks;
  if (best === 0) {
    if (order.stopTicks === 0 || stopReached(order, ticks)) startTrailing(order, ticks, now);
    return false;
  }
  const delta = order.trailingDelta;
  if (order.side === 'SELL') {
    if (ticks > best) {
      order.trailBestTicks = ticks;
      return false;
    }
    return ticks * BIPS <= best * (BIPS - delta);
  }
  if (ticks < best) {
    order.trailBestTicks = ticks;
    return false;
  }
  return ticks * BIPS >= best * (BIPS + delta);
}
