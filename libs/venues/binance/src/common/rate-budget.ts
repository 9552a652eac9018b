import type { VenueClock } from '@bourse/venues';

// The storage behind the rate limiter: token buckets plus one "blocked until" marker (429 backoff
// or 418 ban). In-process here; shared across processes in redis-rate-budget.ts.

export interface BucketSpec {
  /** Stable name, e.g. `weight:1m`, `orders:10s`. */
  key: string;
  /** The venue's limit for one interval. */
  capacity: number;
  intervalMs: number;
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
  /** The venue says `used` of `capacity` is spent in this interval: never hold more than the rest. */
  observeUsed(bucket: BucketSpec, used: number): Promise<void>;
  /** Refuse every take for `ms`; a longer existing block (a ban) is kept. */
  block(kind: BlockKind, ms: number): Promise<void>;
  close(): Promise<void>;
}

interface BucketState {
  tokens: number;
  at: number;
}

function refill(state: BucketState | undefined, spec: BucketSpec, now: number): number {
  if (state === undefined) return spec.capacity;
  const rate = spec.capacity / spec.intervalMs;
  return Math.min(spec.capacity, state.tokens + Math.max(0, now - state.at) * rate);
}

/** Token buckets in this process's memory, on an injected clock. */
export class InMemoryRateBudget implements RateBudgetBackend {
  readonly #buckets = new Map<string, BucketState>();
  #blockedUntil = 0;
  #blockKind: BlockKind = 'rate-limited';

  constructor(private readonly clock: VenueClock) {}

  async take(costs: readonly BucketCost[]): Promise<TakeResult> {
    const now = this.clock.now();
    if (this.#blockedUntil > now) return { ok: false, waitMs: this.#blockedUntil - now, reason: this.#blockKind };
    let waitMs = 0;
    const next: [string, number][] = [];
    for (const { bucket, cost } of costs) {
      const tokens = refill(this.#buckets.get(bucket.key), bucket, now);
      const need = Math.min(cost, bucket.capacity);
      if (tokens < need) waitMs = Math.max(waitMs, Math.ceil((need - tokens) / (bucket.capacity / bucket.intervalMs)));
      next.push([bucket.key, tokens - need]);
    }
    if (waitMs > 0) return { ok: false, waitMs, reason: 'budget' };
    for (const [key, tokens] of next) this.#buckets.set(key, { tokens, at: now });
    return { ok: true };
  }

  async observeUsed(bucket: BucketSpec, used: number): Promise<void> {
    const now = this.clock.now();
    const tokens = refill(this.#buckets.get(bucket.key), bucket, now);
    this.#buckets.set(bucket.key, { tokens: Math.min(tokens, Math.max(0, bucket.capacity - used)), at: now });
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
