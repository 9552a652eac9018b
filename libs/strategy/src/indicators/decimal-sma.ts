import { type Decimal, ZERO, dec } from '@bourse/domain';
import { requirePeriod } from './window.js';

/**
 * Simple moving average kept in exact decimals, for signals that must not depend on float rounding
 * (a strict cross is decided by comparing two averages). O(1) per update, memory bounded by the period.
 * Compare two of them with `compareSma`, which never divides.
 */
export class DecimalSma {
  private readonly ring: Decimal[] = [];
  private next = 0;
  private total: Decimal = ZERO;

  constructor(readonly period: number) {
    requirePeriod('period', period);
  }

  get isReady(): boolean {
    return this.ring.length === this.period;
  }

  /** Sum of the values in the window. */
  get sum(): Decimal {
    return this.total;
  }

  /** The average rounded half-even to `places` (default 12) decimals; undefined until the window is full. */
  value(places = 12): Decimal | undefined {
    if (!this.isReady) return undefined;
    return this.total.div(dec(this.period), Math.max(places, this.total.scale), 'half-even');
  }

  update(x: Decimal): void {
    if (this.ring.length < this.period) {
      this.ring.push(x);
      this.total = this.total.plus(x);
      return;
    }
    const evicted = this.ring[this.next]!;
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.period;
    this.total = this.total.plus(x).minus(evicted);
  }

  reset(): void {
    this.ring.length = 0;
    this.next = 0;
    this.total = ZERO;
  }
}

/** Exact comparison of the averages of two windows (sumA/nA vs sumB/nB), by cross-multiplying. */
export function compareSma(aSum: Decimal, aPeriod: number, bSum: Decimal, bPeriod: number): -1 | 0 | 1 {
  return aSum.times(dec(bPeriod)).cmp(bSum.times(dec(aPeriod)));
}
