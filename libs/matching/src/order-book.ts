import type { Order } from './order.js';

/** All resting orders at one price, oldest first. */
export class PriceLevel {
  totalLots = 0;
  count = 0;
  head: Order | null = null;
  tail: Order | null = null;
  constructor(readonly priceTicks: number) {}
}

/**
 * One side of a book: levels in an array sorted so the best price is last (pop/push at the hot
 * end is cheap), plus a map for O(1) access by price. Bids ascend, asks descend.
 */
export class BookSide {
  readonly levels: PriceLevel[] = [];
  readonly byPrice = new Map<number, PriceLevel>();

  constructor(readonly isBid: boolean) {}

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** True when `a` is a better price than `b` on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Appends the order at the back of its price level's queue and returns the level. */
  add(order: Order): PriceLevel {
    const price = order.priceTicks;
    let level = this.byPrice.get(price);
    if (level === undefined) {
      level = new PriceLevel(price);
      this.byPrice.set(price, level);
      this.insertLevel(level);
    }
    order.level = level;
    order.prev = level.tail;
    order.next = null;
    if (level.tail !== null) level.tail.next = order;
    else level.head = order;
    level.tail = order;
    level.count++;
    level.totalLots += order.remainingLots;
    return level;
  }

  /** Unlinks the order; drops its level when empty. The level's totalLots must already exclude it. */
  unlink(order: Order): void {
    const level = order.level;
    if (level === null) return;
    if (order.prev !== null) order.prev.next = order.next;
    else level.head = order.next;
    if (order.next !== null) order.next.prev = order.prev;
    else level.tail = order.prev;
    order.prev = order.next = order.level = null;
    level.count--;
    if (level.count === 0) this.removeLevel(level);
  }

  private insertLevel(level: PriceLevel): void {
    const levels = this.levels;
    const p = level.priceTicks;
    const n = levels.length;
    // Most new levels are the new best; otherwise find the first level not worse than p.
    if (n === 0 || this.better(p, (levels[n - 1] as PriceLevel).priceTicks)) {
      levels.push(level);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(p, (levels[mid] as PriceLevel).priceTicks)) lo = mid + 1;
      else hi = mid;
    }
    levels.splice(lo, 0, level);
  }

  private removeLevel(level: PriceLevel): void {
    this.byPrice.delete(level.priceTicks);
    const levels = this.levels;
    const last = levels.length - 1;
    if (levels[last] === level) {
      levels.pop();
      return;
    }
    const i = this.indexOf(level.priceTicks);
    if (i >= 0) levels.splice(i, 1);
  }

  /** Binary search over the sorted levels. */
  private indexOf(price: number): number {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as PriceLevel).priceTicks;
      if (p === price) return mid;
      // Sorted worst → best: a "better" price sits to the right.
      if (this.better(price, p)) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
