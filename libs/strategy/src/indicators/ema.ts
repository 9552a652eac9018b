import { requireFinite, requirePeriod } from './window.js';

/**
 * Exponential moving average with alpha = 2 / (period + 1), seeded with the simple average of the
 * first `period` values (the convention of TA-Lib and most charting tools), so its first value
 * appears together with an SMA of the same period. O(1) per update, constant memory.
 */
export class Ema {
  private readonly alpha: number;
  private seen = 0;
  private seedSum = 0;
  private current: number | undefined;

  constructor(readonly period: number) {
    requirePeriod('period', period);
    this.alpha = 2 / (period + 1);
  }

  get isReady(): boolean {
    return this.current !== undefined;
  }

  get value(): number | undefined {
    return this.current;
  }

  /** Adds a value; throws InvalidIndicatorInputError on NaN or an infinity. */
  update(x: number): number | undefined {
    requireFinite('EMA', x);
    if (this.current === undefined) {
      this.seedSum += x;
      if (++this.seen === this.period) this.current = this.seedSum / this.period;
    } else {
      this.current += this.alpha * (x - this.current);
    }
    return this.current;
  }

  reset(): void {
    this.seen = 0;
    this.seedSum = 0;
    this.current = undefined;
  }
}
