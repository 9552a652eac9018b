import { VenueError, VenueErrorCode, type VenueClock } from '@bourse/venues';
import type { RateLimitInterval, RateLimitRule } from './models.js';
import type { BucketCost, BucketSpec, RateBudgetBackend } from './rate-budget.js';

// Request-weight and order-count budgets as exchangeInfo publishes them, corrected from what the
// venue reports as used (X-MBX-USED-WEIGHT-*, X-MBX-ORDER-COUNT-*, WS-API rateLimits). A 429
// blocks for Retry-After; a 418 blocks until the ban ends and fails every request at once.

const INTERVAL_MS: Readonly<Record<RateLimitInterval, number>> = {
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** Binance's documented limits, used until exchangeInfo is read. */
export const DEFAULT_RATE_LIMITS: readonly RateLimitRule[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
];

/** `1M`, `10S`, `1D`: the suffix Binance uses in its usage headers. */
function suffix(rule: Pick<RateLimitRule, 'interval' | 'intervalNum'>): string {
  return `${rule.intervalNum}${rule.interval.charAt(0)}`;
}

type Kind = 'weight' | 'orders' | 'raw';

function kindOf(rule: RateLimitRule): Kind | undefined {
  switch (rule.rateLimitType) {
    case 'REQUEST_WEIGHT':
      return 'weight';
    case 'ORDERS':
      return 'orders';
    case 'RAW_REQUESTS':
      return 'raw';
    case 'CONNECTIONS':
      return undefined;
  }
}

export interface RequestCost {
  weight: number;
  /** 1 for an order placement (and cancel-replace), 0 otherwise. */
  orders?: number;
}

export interface RateLimiterOptions {
  backend: RateBudgetBackend;
  clock: VenueClock;
  /** Longest acquire() waits for budget before failing as rate-limited. */
  maxWaitMs: number;
  /** Injected so tests control waiting; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Told about every wait, for metrics. */
  onWait?: (reason: string, ms: number) => void;
  /** Told what the venue reports as used of a budget (`weight:1m`, `orders:10s`, …), for metrics. */
  onUsage?: (bucket: string, used: number, capacity: number) => void;
}

interface Bucket {
  kind: Kind;
  spec: BucketSpec;
  header: string;
}

export class BinanceRateLimiter {
  #buckets: Bucket[] = [];
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RateLimiterOptions) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.configure(DEFAULT_RATE_LIMITS);
  }

  /** Replaces the budgets with exchangeInfo's rateLimits. */
  configure(rules: readonly RateLimitRule[]): void {
    const buckets: Bucket[] = [];
    for (const rule of rules) {
      const kind = kindOf(rule);
      if (kind === undefined) continue;
      const s = suffix(rule);
      buckets.push({
        kind,
        spec: {
          key: `${kind}:${s.toLowerCase()}`,
          capacity: rule.limit,
          intervalMs: rule.intervalNum * INTERVAL_MS[rule.interval],
          // As Binance counts: orders per account, weight and raw requests per IP.
          scope: kind === 'orders' ? 'account' : 'ip',
        },
        header:
          kind === 'weight'
            ? `x-mbx-used-weight-${s.toLowerCase()}`
            : kind === 'orders'
              ? `x-mbx-order-count-${s.toLowerCase()}`
              : '',
      });
    }
    this.#buckets = buckets;
  }

  get buckets(): readonly BucketSpec[] {
    return this.#buckets.map((b) => b.spec);
  }

  /** Waits for budget; throws a retryable RATE_LIMITED after maxWaitMs, a fatal IP_BANNED during a ban. */
  async acquire(cost: RequestCost, operation: string): Promise<void> {
    const costs: BucketCost[] = [];
    for (const b of this.#buckets) {
      const amount = b.kind === 'weight' ? cost.weight : b.kind === 'orders' ? (cost.orders ?? 0) : 1;
      if (amount > 0) costs.push({ bucket: b.spec, cost: amount });
    }
    const deadline = this.options.clock.now() + this.options.maxWaitMs;
    for (;;) {
      const result = await this.options.backend.take(costs);
      if (result.ok) return;
      if (result.reason === 'banned') {
        throw new VenueError(
          'fatal',
          VenueErrorCode.IP_BANNED,
          `${operation}: refused locally, the venue banned this IP`,
          {
            retryAfterMs: result.waitMs,
            httpStatus: 418,
            operation,
          },
        );
      }
      const left = deadline - this.options.clock.now();
      if (result.waitMs > left) {
        throw new VenueError(
          'retryable',
          VenueErrorCode.RATE_LIMITED,
          `${operation}: no ${result.reason === 'budget' ? 'rate budget' : 'sending during 429 backoff'} for ${result.waitMs} ms`,
          {
            retryAfterMs: result.waitMs,
            operation,
          },
        );
      }
      this.options.onWait?.(result.reason, result.waitMs);
      await this.#sleep(result.waitMs);
    }
  }

  /** Corrects the budgets from REST response headers (names lower-case, as Node gives them). */
  async observeHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Promise<void> {
    for (const b of this.#buckets) {
      if (b.header === '') continue;
      const raw = headers[b.header];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value === undefined || !/^\d+$/.test(value)) continue;
      await this.options.backend.observeUsed(b.spec, Number(value));
      this.options.onUsage?.(b.spec.key, Number(value), b.spec.capacity);
    }
  }

  /** Corrects the budgets from a WS-API response's `rateLimits` (each with `count`). */
  async observeWsRateLimits(rules: readonly RateLimitRule[]): Promise<void> {
    for (const rule of rules) {
      if (rule.count === undefined) continue;
      const kind = kindOf(rule);
      const key = `${kind}:${suffix(rule).toLowerCase()}`;
      const bucket = this.#buckets.find((b) => b.spec.key === key);
      if (bucket === undefined) continue;
      await this.options.backend.observeUsed(bucket.spec, rule.count);
      this.options.onUsage?.(bucket.spec.key, rule.count, bucket.spec.capacity);
    }
  }

  /** 429: nothing is sent until Retry-After has passed (a minimum when the venue gave none). */
  async onRateLimited(retryAfterMs: number | undefined): Promise<void> {
    await this.options.backend.block('rate-limited', retryAfterMs ?? 1_000);
  }

  /** 418: every request fails until the ban ends. */
  async onBanned(retryAfterMs: number | undefined): Promise<void> {
    // Binance bans last from 2 minutes to 3 days; without a Retry-After assume the shortest.
    await this.options.backend.block('banned', retryAfterMs ?? 120_000);
  }
}
