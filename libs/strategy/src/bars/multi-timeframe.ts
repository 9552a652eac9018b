import type { Bar } from './bar.js';
import { BarBuilder } from './bar-builder.js';

/**
 * Bars of several timeframes for one instrument, fed by the same trades. Windows are aligned to the
 * epoch, so a 5m bar closes together with the fifth 1m bar; closed bars come out shortest timeframe
 * first, which lets a strategy read its fast bar before the slow one that ends at the same time.
 */
export class MultiTimeframeBars {
  private readonly builders: BarBuilder[];

  constructor(symbol: string, timeframesMs: readonly number[]) {
    this.builders = [...new Set(timeframesMs)].sort((a, b) => a - b).map((tf) => new BarBuilder(symbol, tf));
  }

  /** Applies a trade to every timeframe; returns the bars it closed. Throws as BarBuilder.onTrade does. */
  onTrade(price: number, qty: number, timeMs: number): Bar[] {
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
