import { quoteBarPrice, type Bar, type BarPrice } from './bar.js';
import { BarBuilder } from './bar-builder.js';

/**
 * Bars of several timeframes for one instrument, fed by the same trades — or, with a `price` of `mid`,
 * `bid` or `ask`, by the same quotes (the runner and the backtester both build their bars here, so a
 * quote-only feed gives a bar strategy bars in both). Windows are aligned to the epoch, so a 5m bar
 * closes together with the fifth 1m bar; closed bars come out shortest timeframe first, which lets a
 * strategy read its fast bar before the slow one that ends at the same time.
 */
export class MultiTimeframeBars {
  private readonly builders: BarBuilder[];

  constructor(
    symbol: string,
    timeframesMs: readonly number[],
    /** What the bars are built from: trades (`last`, the default) or one price of the quotes. */
    readonly price: BarPrice = 'last',
  ) {
    this.builders = [...new Set(timeframesMs)].sort((a, b) => a - b).map((tf) => new BarBuilder(symbol, tf));
  }

  /**
   * Applies a trade to every timeframe; returns the bars it closed. Throws as BarBuilder.onTrade does.
   * Bars built from quotes ignore trades.
   */
  onTrade(price: number, qty: number, timeMs: number): Bar[] {
    if (this.price !== 'last') return [];
    return this.apply(price, qty, timeMs);
  }

  /**
   * Applies a quote (bid and ask prices) when the bars are built from quotes, at its mid, bid or ask,
   * with no volume; returns the bars it closed. Bars built from trades ignore quotes, and so do bars of
   * a side the quote leaves empty (0 or not a number).
   */
  onQuote(bidPrice: number, askPrice: number, timeMs: number): Bar[] {
    if (this.price === 'last') return [];
    const price = quoteBarPrice(this.price, bidPrice, askPrice);
    if (price === undefined) return [];
    return this.apply(price, 0, timeMs);
  }

  private apply(price: number, qty: number, timeMs: number): Bar[] {
    const closed: Bar[] = [];
    for (const builder of this.builders) {
      const bar = builder.onTrade(price, qty, timeMs);
      if (bar) closed.push(bar);
    }
    return closed;
  }

  /** Closes every bar whose window has ended by `nowMs`. */
  onClock(nowMs: number): Bar[] {
    const closed: Bar[] = [];
    for (const builder of this.builders) {
      const bar = builder.onClock(nowMs);
      if (bar) closed.push(bar);
    }
    return closed;
  }

  forming(timeframeMs: number): Bar | undefined {
    return this.builders.find((b) => b.timeframeMs === timeframeMs)?.forming;
  }
}
