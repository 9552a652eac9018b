import { RollingWindow, requireFinite } from './window.js';

export interface BollingerValue {
  middle: number;
  upper: number;
  lower: number;
  /** Population standard deviation of the window (as TA-Lib computes it). */
  stdDev: number;
}

/**
 * Bollinger bands: the SMA of the last `period` values ± `k` population standard deviations.
 * O(1) per update with running sums, recomputed from the window once per `period` updates.
 */
export class BollingerBands {
  private readonly window: RollingWindow;
  private sum = 0;
  private sumSq = 0;
  private sinceResum = 0;

  constructor(
    readonly period: number,
    readonly k = 2,
  ) {
    this.window = new RollingWindow(period);
    requireFinite('Bollinger k', k);
  }

  get isReady(): boolean {
    return this.window.isFull;
  }

  get value(): BollingerValue | undefined {
    if (!this.window.isFull) return undefined;
    const mean = this.sum / this.period;
    // Guard the tiny negative variance that cancellation can leave on a flat series.
    const variance = Math.max(0, this.sumSq / this.period - mean * mean);
    const stdDev = Math.sqrt(variance);
    return { middle: mean, upper: mean + this.k * stdDev, lower: mean - this.k * stdDev, stdDev };
  }

  /** Adds a value; throws InvalidIndicatorInputError on NaN or an infinity. */
  update(x: number): BollingerValue | undefined {
    requireFinite('Bollinger', x);
    const evicted = this.window.push(x);
    if (evicted !== undefined) {
      this.sum -= evicted;
      this.sumSq -= evicted * evicted;
    }
    this.sum += x;
    this.sumSq += x * x;
    if (++this.sinceResum >= this.period) {
      this.sum = this.window.exactSum();
      this.sumSq = this.window.exactSumOfSquares();
      this.sinceResum = 0;
    }
    return this.value;
  }

  reset(): void {
    this.window.clear();
    this.sum = 0;
    this.sumSq = 0;
    this.sinceResum = 0;
  }
}
