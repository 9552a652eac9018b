import { type Bar, InvalidTimeframeError, windowStart } from './bar.js';
import { InvalidIndicatorInputError } from '../indicators/window.js';

type MutableBar = { -readonly [K in keyof Bar]: Bar[K] };

/**
 * Builds bars of one timeframe from trades. A bar closes when a trade arrives in a later window or
 * when the clock (`onClock`) passes its close time, whichever comes first; windows without trades
 * produce no bar. Trades older than the forming bar's window are late: they are counted, not applied,
 * because a closed bar never changes.
 */
export class BarBuilder {
  private bar: MutableBar | undefined;
  private lateTrades = 0;

  constructor(
    readonly symbol: string,
    readonly timeframeMs: number,
  ) {
    if (!Number.isInteger(timeframeMs) || timeframeMs <= 0) throw new InvalidTimeframeError(timeframeMs);
  }

  /** The bar still forming, if any. */
  get forming(): Bar | undefined {
    return this.bar;
  }

  /** Trades that arrived after their bar had closed. */
  get lateTradeCount(): number {
    return this.lateTrades;
  }

  /** Applies a trade; returns the bar it closed, if it started a new window. Throws on a non-finite or negative input. */
  onTrade(price: number, qty: number, timeMs: number): Bar | undefined {
    if (!Number.isFinite(price) || price <= 0) throw new InvalidIndicatorInputError('bar trade price', price);
    if (!Number.isFinite(qty) || qty < 0) throw new InvalidIndicatorInputError('bar trade qty', qty);
    const start = windowStart(timeMs, this.timeframeMs);
    const current = this.bar;
    if (current !== undefined && start < current.openTime) {
      this.lateTrades++;
      return undefined;
    }
    if (current !== undefined && start === current.openTime) {
      if (price > current.high) current.high = price;
      if (price < current.low) current.low = price;
      current.close = price;
      current.volume += qty;
      current.tradeCount++;
      return undefined;
    }
    const closed = current === undefined ? undefined : close(current);
    this.bar = {
      symbol: this.symbol,
      timeframeMs: this.timeframeMs,
      openTime: start,
      closeTime: start + this.timeframeMs,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: qty,
      tradeCount: 1,
      state: 'forming',
    };
    return closed;
  }

  /** Closes the forming bar when `nowMs` has reached its close time; returns it, or undefined. */
  onClock(nowMs: number): Bar | undefined {
    const current = this.bar;
    if (current === undefined || nowMs < current.closeTime) return undefined;
    this.bar = undefined;
    return close(current);
  }
}

function close(bar: MutableBar): Bar {
  return { ...bar, state: 'closed' };
}
