import type { EquityPoint } from '../types.js';

// The run's equity curve, as the statistics read it: a regular series, one point per period.

export class EquityCurve {
  readonly points: EquityPoint[] = [];
  /** Ticks: when the curve takes its next point. */
  private nextSample = -Infinity;

  constructor(private readonly periodMs: number) {}

  /** Bars: one point per bar, at the bar's own time, marked at its close. */
  addBar(time: number, equity: number, price: number): void {
    this.points.push({ time, equity, price });
  }

  /**
   * Ticks: a point per period (not per tick: statistics need a regular series), the period's latest
   * tick moving the point it took.
   */
  sampleTick(time: number, equity: number, price: number): void {
    if (time >= this.nextSample) {
      this.points.push({ time, equity, price });
      this.nextSample = time - (time % this.periodMs) + this.periodMs;
    } else {
      const lastPoint = this.points[this.points.length - 1]!;
      this.points[this.points.length - 1] = { ...lastPoint, equity, price };
    }
  }

  /** The last point's equity again, after the end-of-data closeout. */
  remarkLast(equity: number): void {
    const lastPoint = this.points[this.points.length - 1]!;
    this.points[this.points.length - 1] = { ...lastPoint, equity };
  }
}
