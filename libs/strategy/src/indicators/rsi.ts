import { requireFinite, requirePeriod } from './window.js';

/**
 * Relative strength index with Wilder's smoothing: the first average gain and loss are simple
 * averages of the first `period` changes, later ones `avg = (avg * (period - 1) + x) / period`.
 * Needs period + 1 values. 100 when there were no losses, 50 when the price never moved.
 */
export class Rsi {
  private previous: number | undefined;
  private changes = 0;
  private avgGain = 0;
  private avgLoss = 0;
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

  /** Adds a closing price; throws InvalidIndicatorInputError on NaN or an infinity. */
  update(close: number): number | undefined {
    requireFinite('RSI', close);
    const previous = this.previous;
    this.previous = close;
    if (previous === undefined) return undefined;
    const change = close - previous;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    this.changes++;
    if (this.changes <= this.period) {
      this.avgGain += gain / this.period;
      this.avgLoss += loss / this.period;
      if (this.changes < this.period) return undefined;
    } else {
      this.avgGain = (this.avgGain * (this.period - 1) + gain) / this.period;
      this.avgLoss = (this.avgLoss * (this.period - 1) + loss) / this.period;
    }
    this.current = rsiFromAverages(this.avgGain, this.avgLoss);
    return this.current;
  }

  reset(): void {
    this.previous = undefined;
    this.changes = 0;
    this.avgGain = 0;
    this.avgLoss = 0;
    this.current = undefined;
  }
}

export function rsiFromAverages(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + avgGain / avgLoss);
}
