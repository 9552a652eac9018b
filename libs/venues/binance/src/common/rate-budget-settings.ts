import { Redis } from 'ioredis';
import { z } from 'zod';
import type { VenueClock } from '@bourse/venues';
import { DEFAULT_FALLBACK_SHARE, FallbackRateBudget } from './fallback-rate-budget.js';
import type { VenueLogger } from './logger.js';
import type { BinanceMetrics } from './metrics.js';
import { DEFAULT_EDGE_MS, InMemoryRateBudget, type RateBudgetBackend } from './rate-budget.js';
import { RedisRateBudget } from './redis-rate-budget.js';

// Where a process's venue rate budget lives, as the platform config says (`venue.rateBudget`,
// handed to every venue-facing service by `bourse start` in the BOURSE_RATE_* variables). Unset, a
// process is one run alone by hand: it keeps the budget in memory and says so when it starts.

export const DEFAULT_RATE_BUDGET_PREFIX = 'bourse:ratelimit:binance:';

const token = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 of A-Z a-z 0-9 _ . : -' });

/** The variables each venue-facing service's config.ts reads (spread into its own env schema). */
export const RateBudgetEnv = {
  /** `redis`: shared with every process on the IP and account; `memory`: this process alone. */
  BOURSE_RATE_BUDGET: z.enum(['redis', 'memory']).default('memory'),
  BOURSE_RATE_BUDGET_PREFIX: z.string().min(1).default(DEFAULT_RATE_BUDGET_PREFIX),
  /** Names the IP the requests leave from (not necessarily the address itself). */
  BOURSE_VENUE_IP: token.default('local'),
  /** Names the venue account whose keys the process uses. */
  BOURSE_VENUE_ACCOUNT: token.default('main'),
  BOURSE_RATE_FALLBACK_SHARE: z.coerce
    .number({ error: 'must be a number in (0, 1]' })
    .gt(0, { message: 'must be above 0' })
    .max(1, { message: 'must be at most 1' })
    .default(DEFAULT_FALLBACK_SHARE),
  BOURSE_RATE_EDGE_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int()
    .nonnegative()
    .default(DEFAULT_EDGE_MS),
};

export interface RateBudgetSettings {
  readonly kind: 'redis' | 'memory';
  readonly prefix: string;
  readonly ip: string;
  readonly account: string;
  readonly fallbackShare: number;
  readonly edgeMs: number;
}

type ParsedRateBudgetEnv = { [K in keyof typeof RateBudgetEnv]: z.infer<(typeof RateBudgetEnv)[K]> };

export function rateBudgetSettings(e: ParsedRateBudgetEnv): RateBudgetSettings {
  return {
    kind: e.BOURSE_RATE_BUDGET,
    prefix: e.BOURSE_RATE_BUDGET_PREFIX,
    ip: e.BOURSE_VENUE_IP,
    account: e.BOURSE_VENUE_ACCOUNT,
    fallbackShare: e.BOURSE_RATE_FALLBACK_SHARE,
    edgeMs: e.BOURSE_RATE_EDGE_MS,
  };
}

export interface OpenedRateBudget {
  readonly backend: RateBudgetBackend;
  /** For the start log line: where the budget lives. */
  readonly description: string;
  /** Closes the Redis connection the budget opened, if any. */
  close(): Promise<void>;
}

export interface OpenRateBudgetDeps {
  readonly redisUrl: string;
  readonly venue: string;
  readonly metrics: BinanceMetrics;
  readonly logger: VenueLogger;
  readonly clock?: VenueClock;
}

const systemClock: VenueClock = { now: () => Date.now() };

/** How long opening waits for Redis before the process starts on its fallback share. */
const REDIS_READY_WAIT_MS = 5_000;

/**
 * The budget the settings name; logs one line saying which. Waits (a bounded time) for Redis to be
 * ready, so a process's first requests are not spent from the fallback share for want of a connection.
 */
export async function openRateBudget(
  settings: RateBudgetSettings,
  deps: OpenRateBudgetDeps,
): Promise<OpenedRateBudget> {
  const clock = deps.clock ?? systemClock;
  if (settings.kind === 'memory') {
    const description = 'in memory: this process alone on its IP and account (run by hand, not by `bourse start`)';
    deps.logger.info({ rateBudget: 'memory' }, `venue rate budget ${description}`);
    return {
      backend: new InMemoryRateBudget(clock, { edgeMs: settings.edgeMs }),
      description,
      close: async () => {},
    };
  }
  // No offline queue and one retry: a call fails at once while Redis is away, and the fallback
  // share answers instead of requests piling up behind a reconnect.
  const redis = new Redis(deps.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => {}); // reported by the fallback's log line and metric, not per reconnect
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, REDIS_READY_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const backend = new FallbackRateBudget({
    shared: new RedisRateBudget({
      redis,
      prefix: settings.prefix,
      ip: settings.ip,
      account: settings.account,
      edgeMs: settings.edgeMs,
    }),
    clock,
    share: settings.fallbackShare,
    edgeMs: settings.edgeMs,
    logger: deps.logger,
    onFallback: () => deps.metrics.rateBudgetFallbacks.inc({ venue: deps.venue }),
  });
  const description = `shared in Redis (${settings.prefix} ip ${settings.ip}, account ${settings.account}; ${settings.fallbackShare} of each limit while Redis is unreachable)`;
  deps.logger.info(
    { rateBudget: 'redis', prefix: settings.prefix, ip: settings.ip, account: settings.account },
    `venue rate budget ${description}`,
  );
  return {
    backend,
    description,
    close: async () => {
      redis.disconnect();
    },
  };
}
