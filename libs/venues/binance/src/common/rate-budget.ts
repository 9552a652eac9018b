import type { VenueClock } from '@bourse/venues';

// The storage behind the rate limiter: counters per fixed window plus one "blocked until" marker
// (429 backoff or 418 ban). In-process here; shared across processes in redis-rate-budget.ts.
//
// Binance counts in fixed windows aligned to the clock (weight per minute, orders per 10 s and per
// day), not in sliding ones: a token bucket refilled at limit/interval lets a full bucket spent at a
// window's start plus a window's worth of refill land in one venue window, twice the limit. So the
// budget keeps the venue's own windows. A request sent within `edgeMs` of a boundary may be counted
// by the venue on either side of it (latency, clock offset), so it is counted in both.

/** Binance counts request weight per IP and order placements per account. */
export type BucketScope = 'ip' | 'account';

export interface BucketSpec {
  /** Stable name, e.g. `weight:1m`, `orders:10s`. */
  key: string;
  /** The venue's limit for one interval. */
  capacity: number;
  intervalMs: number;
  /** Whose budget it is: the IP's (weight, raw requests) or the account's (orders). */
  scope: BucketScope;
}

export interface BucketCost {
  bucket: BucketSpec;
  cost: number;
}

export type BlockKind = 'rate-limited' | 'banned';

export type TakeResult =
  { ok: true } | { ok: false; waitMs: number; reason: 'budget' } | { ok: false; waitMs: number; reason: BlockKind };

export interface RateBudgetBackend {
  /** Takes every cost or none, atomically. Refuses while blocked. */
  take(costs: readonly BucketCost[]): Promise<TakeResult>;
  /** The venue says `used` of `capacity` is spent in its current window: count at least that. */
  observeUsed(bucket: BucketSpec, used: number): Promise<void>;
  /** Refuse every take for `ms`; a longer existing block (a ban) is kept. */
  block(kind: BlockKind, ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * How near a window boundary a request counts on both sides of it, unless configured: the time
 * between taking the budget and the venue counting the request (a busy event loop, the network)
 * plus the clock offset to the venue. One second was seen to fall short on a loaded machine.
 */
export const DEFAULT_EDGE_MS = 2_000;

/** The starts of every window of `intervalMs` that [now - edge, now + edge] touches. */
export function windowsAround(now: number, intervalMs: number, edgeMs: number): number[] {
  const first = Math.floor((now - edgeMs) / intervalMs) * intervalMs;
  const out: number[] = [];
  for (let w = first; w <= now + edgeMs; w += intervalMs) out.push(w);
  return out;
}

export interface InMemoryRateBudgetOptions {
  /** Part of each limit this process may spend, in (0, 1]; 1 when it is alone on the IP and account. */
  share?: number;
  edgeMs?: number;
}

/** Fixed-window counters in this process's memory, on an injected clock. */
export class InMemoryRateBudget implements RateBudgetBackend {
  /** Bucket key → window start → count; windows that ended are dropped as they pass. */
  readonly #windows = new Map<string, Map<number, number>>();
  readonly #share: number;
  readonly #edgeMs: number;
  #blockedUntil = 0;
  #blockKind: BlockKind = 'rate-limited';

  constructor(
    private readonly clock: VenueClock,
    options: InMemoryRateBudgetOptions = {},
  ) {
    this.#share = options.share ?? 1;
    this.#edgeMs = options.edgeMs ?? DEFAULT_EDGE_MS;
  }

  #capacity(bucket: BucketSpec): number {
    return Math.max(1, Math.floor(bucket.capacity * this.#share));
  }

  #counts(bucket: BucketSpec, now: number): Map<number, number> {
    let counts = this.#windows.get(bucket.key);
    if (counts === undefined) {
      counts = new Map();
      this.#windows.set(bucket.key, counts);
    }
    for (const start of counts.keys()) if (start + bucket.intervalMs + this.#edgeMs < now) counts.delete(start);
    return counts;
  }

  async take(costs: readonly BucketCost[]): Promise<TakeResult> {
    const now = this.clock.now();
    if (this.#blockedUntil > now) return { ok: false, waitMs: this.#blockedUntil - now, reason: this.#blockKind };
    let waitMs = 0;
    const add: [Map<number, number>, number, number][] = [];
    for (const { bucket, cost } of costs) {
      const cap = this.#capacity(bucket);
      const need = Math.min(cost, cap);
      const counts = this.#counts(bucket, now);
      for (const w of windowsAround(now, bucket.intervalMs, this.#edgeMs)) {
        if ((counts.get(w) ?? 0) + need > cap) waitMs = Math.max(waitMs, w + bucket.intervalMs + this.#edgeMs - now);
        add.push([counts, w, need]);
      }
    }
    if (waitMs > 0) return { ok: false, waitMs, reason: 'budget' };
    for (const [counts, w, n] of add) counts.set(w, (counts.get(w) ?? 0) + n);
    return { ok: true };
  }

  async observeUsed(bucket: BucketSpec, used: number): Promise<void> {
    const now = this.clock.now();
    const counts = this.#counts(bucket, now);
    const w = now - (now % bucket.intervalMs);
    // The venue counts against the whole limit; with a share, what is left to this process is the
    // share less what was spent beyond the rest of the limit.
    const counted = used - (bucket.capacity - this.#capacity(bucket));
    counts.set(w, Math.max(counts.get(w) ?? 0, counted));
  }

  async block(kind: BlockKind, ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    if (until > this.#blockedUntil) {
      this.#blockedUntil = until;
      this.#blockKind = kind;
    }
  }

  async close(): Promise<void> {}
}
