import type { Decimal } from '@bourse/domain';
import type { EquityPoint } from '../types.js';

// The run's equity curve, as the statistics read it: a regular series, one point per period.

export class EquityCurve {
  private readonly list: EquityPoint[] = [];
  /** Ticks: when the curve takes its next point. */
  private nextSample = -Infinity;
  /**
   * Ticks: the latest tick's cash, position and mark, not yet turned into the last point's numbers.
   * Only the period's last tick counts, so the arithmetic and the two conversions to numbers are done
   * once a period (when the next one starts or the curve is read) rather than on every tick.
   */
  private pendingCash: Decimal | undefined;
  private pendingPosition: Decimal | undefined;
  private pendingMark: Decimal | undefined;

  constructor(private readonly periodMs: number) {}

  get points(): EquityPoint[] {
    this.settle();
    return this.list;
  }

  /** Bars: one point per bar, at the bar's own time, marked at its close. */
  addBar(time: number, equity: number, price: number): void {
    this.list.push({ time, equity, price });
  }

  /**
   * Ticks: a point per period (not per tick: statistics need a regular series), the period's latest
   * tick moving the point it took: its equity is cash + position × mark, its price the mark.
   */
  sampleTick(time: number, cash: Decimal, position: Decimal, mark: Decimal): void {
    if (time >= this.nextSample) {
      this.settle();
      this.list.push({ time, equity: NaN, price: NaN });
      this.nextSample = time - (time % this.periodMs) + this.periodMs;
    }
    this.pendingCash = cash;
    this.pendingPosition = position;
    this.pendingMark = mark;
  }

  /** The last point's equity again, after the end-of-data closeout. */
  remarkLast(equity: number): void {
    this.settle();
    const lastPoint = this.list[this.list.length - 1]!;
    this.list[this.list.length - 1] = { ...lastPoint, equity };
  }

  private settle(): void {
    const mark = this.pendingMark;
    if (mark === undefined) return;
    const lastPoint = this.list[this.list.length - 1]!;
    this.list[this.list.length - 1] = {
      ...lastPoint,
      equity: this.pendingCash!.plus(this.pendingPosition!.times(mark)).toNumber(),
      price: mark.toNumber(),
    };
    this.pendingMark = undefined;
    this.pendingCash = undefined;
    this.pendingPosition = undefined;
  }
}
