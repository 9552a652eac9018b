import { InvalidIndicatorInputError, requireFinite, requirePeriod } from './window.js';

/**
 * Average true range with Wilder's smoothing. The true range of a bar is the largest of high − low,
 * |high − previous close| and |low − previous close| (high − low for the first bar). The first ATR is
 * the simple average of the first `period` true ranges. O(1) per bar.
 */
export class Atr {
  private previousClose: number | undefined;
  private seen = 0;
  private seedSum = 0;
  private current: number | undefined;

  constructor(readonly period: number) {
    requirePeriod('period', period);
  }

  get isReady(): boolean {
    return this.current !== undefined;
  }

  get value(): number | undefined {
    return this.current;
  }

  /** Adds a closed bar; throws InvalidIndicatorInputError on a non-finite price or high < low. */
  update(high: number, low: number, close: number): number | undefined {
    requireFinite('ATR high', high);
    requireFinite('ATR low', low);
    requireFinite('ATR close', close);
    if (high < low) throw new InvalidIndicatorInputError('ATR (high below low)', high);
    const tr = trueRange(high, low, this.previousClose);
    this.previousClose = close;
    if (this.current === undefined) {
      this.seedSum += tr;
      if (++this.seen === this.period) this.current = this.seedSum / this.period;
    } else {
      this.current = (this.current * (this.period - 1) + tr) / this.period;
    }
    return this.current;
  }

  reset(): void {
    this.previousClose = undefined;
    this.seen = 0;
    this.seedSum = 0;
    this.current = undefined;
  }
}

export function trueRange(high: number, low: number, previousClose: number | undefined): number {
  if (previousClose === undefined) return high - low;
  return Math.max(high - low, Math.abs(high - previousClose), Math.abs(low - previousClose));
}
