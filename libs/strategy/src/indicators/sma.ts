import { RollingWindow, requireFinite } from './window.js';

/**
 * Simple moving average of the last `period` values. O(1) per update: a running sum, recomputed
 * from the window once per `period` updates so floating-point drift cannot build up.
 * `value` is undefined until the window is full.
 */
export class Sma {
  private readonly window: RollingWindow;
  private sum = 0;
  private sinceResum = 0;

  constructor(readonly period: number) {
    this.window = new RollingWindow(period);
  }

  get isReady(): boolean {
    return this.window.isFull;
  }

  get value(): number | undefined {
    return this.window.isFull ? this.sum / this.period : undefined;
  }

  /** Adds a value; throws InvalidIndicatorInputError on NaN or an infinity. */
  update(x: number): number | undefined {
    requireFinite('SMA', x);
    const evicted = this.window.push(x);
    this.sum += x - (evicted ?? 0);
    if (++this.sinceResum >= this.period) {
      this.sum = this.window.exactSum();
      this.sinceResum = 0;
    }
    return this.value;
  }

  reset(): void {
    this.window.clear();
    this.sum = 0;
    this.sinceResum = 0;
  }
}
