import { dec, type Decimal } from '@bourse/domain';
import type { BookLevel } from '@bourse/venues';

// A local order book kept by Binance's documented procedure for diff depth streams:
//   buffer diffs → fetch a snapshot → if snapshot.lastUpdateId < first buffered U, fetch again →
//   drop buffered diffs with u <= lastUpdateId → the first kept diff must straddle lastUpdateId+1 →
//   apply; afterwards every diff must start at (book id + 1) or the book is discarded and rebuilt.
// Pure: no I/O. The shell (ws/depth-books.ts) fetches snapshots when told to.

/** `[price, qty]` as Binance sends it (extra elements ignored). */
export type RawLevel = readonly [string, string, ...unknown[]];

export interface DepthDiff {
  /** First update id in the event. */
  U: number;
  /** Final update id in the event. */
  u: number;
  bids: readonly RawLevel[];
  asks: readonly RawLevel[];
}

export interface DepthSnapshotInput {
  lastUpdateId: number;
  bids: readonly RawLevel[];
  asks: readonly RawLevel[];
}

export type DiffResult =
  | { kind: 'buffered' }
  | { kind: 'applied'; updateId: number }
  /** Already contained in the book (duplicate or late event): ignored. */
  | { kind: 'stale' }
  /** Events were missed: the book was discarded and is buffering again; fetch a new snapshot. */
  | { kind: 'gap'; expectedU: number; gotU: number };

export type SnapshotResult =
  | { kind: 'synced'; updateId: number; appliedFromBuffer: number }
  /** Older than the first buffered event: fetch another snapshot. */
  | { kind: 'snapshot-too-old'; lastUpdateId: number; firstBufferedU: number }
  /** The buffered events do not continue from the snapshot: discarded, buffering again. */
  | { kind: 'gap'; expectedU: number; gotU: number }
  /** Nothing buffered yet: a snapshot is only usable against at least one buffered event. */
  | { kind: 'no-events' };

interface Level {
  /** The price's value, for ordering: "1.10" and "1.1" are one level. */
  value: Decimal;
  /** The price in canonical text, as the book reports it. */
  price: string;
  qty: string;
}

/** One side, best first. Binary search over exact decimal prices. */
class BookSide {
  readonly #levels: Level[] = [];
  constructor(private readonly descending: boolean) {}

  #cmp(a: Decimal, b: Decimal): number {
    return this.descending ? b.cmp(a) : a.cmp(b);
  }

  #find(price: Decimal): { index: number; found: boolean } {
    let lo = 0;
    let hi = this.#levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#cmp(this.#levels[mid]!.value, price);
      if (c === 0) return { index: mid, found: true };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { index: lo, found: false };
  }

  set(rawPrice: string, qty: string): void {
    const value = dec(rawPrice);
    const { index, found } = this.#find(value);
    if (dec(qty).isZero()) {
      // Removing a level we never had is normal (Binance documents it).
      if (found) this.#levels.splice(index, 1);
      return;
    }
    if (found) this.#levels[index]!.qty = qty;
    else this.#levels.splice(index, 0, { value, price: value.toString(), qty });
  }

  clear(): void {
    this.#levels.length = 0;
  }

  top(n: number): BookLevel[] {
    return this.#levels.slice(0, n).map((l) => [l.price, l.qty] as const);
  }

  get size(): number {
    return this.#levels.length;
  }
}

export class LocalOrderBook {
  readonly #bids = new BookSide(true);
  readonly #asks = new BookSide(false);
  #buffer: DepthDiff[] = [];
  #synced = false;
  #updateId = 0;

  constructor(
    readonly symbol: string,
    private readonly maxBuffer = 10_000,
  ) {}

  get synced(): boolean {
    return this.#synced;
  }

  /** The book's update id (Binance's lastUpdateId, then each applied event's u). */
  get updateId(): number {
    return this.#updateId;
  }

  get bufferedCount(): number {
    return this.#buffer.length;
  }

  /** U of the first buffered event, or undefined. */
  get firstBufferedU(): number | undefined {
    return this.#buffer[0]?.U;
  }

  onDiff(diff: DepthDiff): DiffResult {
    if (!this.#synced) {
      this.#buffer.push(diff);
      // Older events are useless once newer ones pile up: a snapshot must be newer than the first kept.
      if (this.#buffer.length > this.maxBuffer) this.#buffer.shift();
      return { kind: 'buffered' };
    }
    return this.#apply(diff);
  }

  onSnapshot(snapshot: DepthSnapshotInput): SnapshotResult {
    const first = this.#buffer[0];
    if (first === undefined) return { kind: 'no-events' };
    if (snapshot.lastUpdateId < first.U) {
      return { kind: 'snapshot-too-old', lastUpdateId: snapshot.lastUpdateId, firstBufferedU: first.U };
    }
    const pending = this.#buffer.filter((d) => d.u > snapshot.lastUpdateId);
    const head = pending[0];
    if (head !== undefined && head.U > snapshot.lastUpdateId + 1) {
      this.reset();
      return { kind: 'gap', expectedU: snapshot.lastUpdateId + 1, gotU: head.U };
    }
    this.#bids.clear();
    this.#asks.clear();
    for (const [p, q] of snapshot.bids) this.#bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.#asks.set(p, q);
    this.#updateId = snapshot.lastUpdateId;
    this.#synced = true;
    this.#buffer = [];
    let applied = 0;
    for (const diff of pending) {
      const result = this.#apply(diff);
      if (result.kind === 'gap') return { kind: 'gap', expectedU: result.expectedU, gotU: result.gotU };
      if (result.kind === 'applied') applied += 1;
    }
    return { kind: 'synced', updateId: this.#updateId, appliedFromBuffer: applied };
  }

  /** Discards the book and starts buffering again. */
  reset(): void {
    this.#synced = false;
    this.#buffer = [];
    this.#bids.clear();
    this.#asks.clear();
    this.#updateId = 0;
  }

  bids(levels: number): BookLevel[] {
    return this.#bids.top(levels);
  }

  asks(levels: number): BookLevel[] {
    return this.#asks.top(levels);
  }

  get depth(): { bids: number; asks: number } {
    return { bids: this.#bids.size, asks: this.#asks.size };
  }

  #apply(diff: DepthDiff): DiffResult {
    if (diff.u <= this.#updateId) return { kind: 'stale' };
    if (diff.U > this.#updateId + 1) {
      const expectedU = this.#updateId + 1;
      this.reset();
      // The event that revealed the gap is the first of the new buffer: it may straddle the next snapshot.
      this.#buffer.push(diff);
      return { kind: 'gap', expectedU, gotU: diff.U };
    }
    for (const [p, q] of diff.bids) this.#bids.set(p, q);
    for (const [p, q] of diff.asks) this.#asks.set(p, q);
    this.#updateId = diff.u;
    return { kind: 'applied', updateId: diff.u };
  }
}
