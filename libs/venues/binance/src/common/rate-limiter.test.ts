import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { InMemoryRateBudget, type RateBudgetBackend } from './rate-budget.js';
import { RedisRateBudget } from './redis-rate-budget.js';
import { FallbackRateBudget } from './fallback-rate-budget.js';
import { silentLogger } from './logger.js';
import { BinanceRateLimiter } from './rate-limiter.js';
import type { RateLimitRule } from './models.js';

const RULES: RateLimitRule[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 5 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 1000 },
];

class ManualClock {
  // Mid-way through a 10-second window (1_000_000-1_010_000) and a minute (960_000-1_020_000).
  constructor(public t = 1_005_000) {}
  now(): number {
    return this.t;
  }
}

async function rejection(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VenueError) return err;
    throw err;
  }
  throw new Error('expected a VenueError');
}

describe('BinanceRateLimiter (in-process budget)', () => {
  const setup = (maxWaitMs = 0) => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const limiter = new BinanceRateLimiter({
      backend: new InMemoryRateBudget(clock),
      clock,
      maxWaitMs,
      // Waiting advances the manual clock: no real time passes in this test.
      sleep: async (ms) => {
        waits.push(ms);
        clock.t += ms;
      },
    });
    limiter.configure(RULES);
    return { clock, limiter, waits };
  };

  it('reads its budgets from exchangeInfo rateLimits', () => {
    const { limiter } = setup();
    expect(limiter.buckets.map((b) => [b.key, b.capacity, b.intervalMs])).toEqual([
      ['weight:1m', 100, 60_000],
      ['orders:10s', 5, 10_000],
      ['orders:1d', 1000, 86_400_000],
    ]);
  });

  it('spends order count and weight, then refuses when the order budget is gone', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) await limiter.acquire({ weight: 1, orders: 1 }, 'order.place');
    const err = await rejection(limiter.acquire({ weight: 1, orders: 1 }, 'order.place'));
    expect(err.code).toBe(VenueErrorCode.RATE_LIMITED);
    expect(err.kind).toBe('retryable');
    // Binance's windows are fixed: the order count comes back when the 10-second window ends
    // (plus the edge a request near a boundary is counted on both sides of).
    expect(err.retryAfterMs).toBe(7_000);
    // Queries (no order count) still go through on the weight budget.
    await limiter.acquire({ weight: 4 }, 'order.status');
  });

  it("waits for the venue's window to end when allowed to, not for a sliding refill", async () => {
    const { limiter, waits } = setup(60_000);
    await limiter.acquire({ weight: 100 }, 'GET /api/v3/exchangeInfo');
    await limiter.acquire({ weight: 50 }, 'GET /api/v3/depth');
    // The minute ends at 1_020_000; a refill at 100/min would have let 50 through at 1_035_000 - 30 s
    // into the same venue minute, which the venue would answer with 429.
    expect(waits).toEqual([17_000]);
  });

  it('counts a request near a window boundary in both windows the venue may count it in', async () => {
    const { clock, limiter } = setup();
    clock.t = 1_019_500; // half a second before the minute ends
    await limiter.acquire({ weight: 60 }, 'GET /api/v3/depth');
    clock.t = 1_020_200; // the next minute: the 60 may have landed in it, so 41 more would be too many
    expect((await rejection(limiter.acquire({ weight: 41 }, 'GET /api/v3/depth'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
    await limiter.acquire({ weight: 40 }, 'GET /api/v3/depth');
  });

  it('spends only its share of each limit when told to (the fallback while Redis is away)', async () => {
    const clock = new ManualClock();
    const limiter = new BinanceRateLimiter({
      backend: new InMemoryRateBudget(clock, { share: 0.2 }),
      clock,
      maxWaitMs: 0,
    });
    limiter.configure(RULES);
    await limiter.acquire({ weight: 20 }, 'GET /api/v3/depth');
    expect((await rejection(limiter.acquire({ weight: 1 }, 'x'))).code).toBe(VenueErrorCode.RATE_LIMITED);
    await limiter.acquire({ weight: 0, orders: 1 }, 'order.place');
    expect((await rejection(limiter.acquire({ weight: 0, orders: 1 }, 'order.place'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
  });

  it('corrects the budget downwards from X-MBX-USED-WEIGHT and order-count headers', async () => {
    const { limiter } = setup();
    await limiter.observeHeaders({ 'x-mbx-used-weight-1m': '98', 'x-mbx-order-count-10s': '5' });
    await limiter.acquire({ weight: 2 }, 'GET /api/v3/time');
    expect((await rejection(limiter.acquire({ weight: 1 }, 'GET /api/v3/time'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
    expect((await rejection(limiter.acquire({ weight: 0, orders: 1 }, 'order.place'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
  });

  it('corrects the budget from WS-API rateLimits counts', async () => {
    const { limiter } = setup();
    await limiter.observeWsRateLimits([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 5, count: 5 },
    ]);
    expect((await rejection(limiter.acquire({ weight: 1, orders: 1 }, 'order.place'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
  });

  it('reports the share of each budget the venue says is used, from headers and WS-API counts', async () => {
    const clock = new ManualClock();
    const usage: [string, number, number][] = [];
    const limiter = new BinanceRateLimiter({
      backend: new InMemoryRateBudget(clock),
      clock,
      maxWaitMs: 0,
      onUsage: (bucket, used, capacity) => usage.push([bucket, used, capacity]),
    });
    limiter.configure(RULES);
    await limiter.observeHeaders({ 'x-mbx-used-weight-1m': '98', 'x-mbx-order-count-10s': 'not-a-number' });
    await limiter.observeWsRateLimits([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 5, count: 4 },
    ]);
    expect(usage).toEqual([
      ['weight:1m', 98, 100],
      ['orders:10s', 4, 5],
    ]);
  });

  it('backs off for Retry-After after a 429, then sends again', async () => {
    const { limiter, waits } = setup(10_000);
    await limiter.onRateLimited(3_000);
    await limiter.acquire({ weight: 1 }, 'GET /api/v3/time');
    expect(waits).toEqual([3_000]);
  });

  it('stops entirely on 418 until the ban ends, without waiting', async () => {
    const { clock, limiter, waits } = setup(1_000_000);
    await limiter.onBanned(120_000);
    const err = await rejection(limiter.acquire({ weight: 1 }, 'GET /api/v3/time'));
    expect(err.code).toBe(VenueErrorCode.IP_BANNED);
    expect(err.kind).toBe('fatal');
    expect(err.retryAfterMs).toBe(120_000);
    expect(waits).toEqual([]);
    // A later, shorter 429 does not shorten the ban.
    await limiter.onRateLimited(1_000);
    expect((await rejection(limiter.acquire({ weight: 1 }, 'x'))).code).toBe(VenueErrorCode.IP_BANNED);
    clock.t += 120_000;
    await limiter.acquire({ weight: 1 }, 'GET /api/v3/time');
  });
});

describe('RedisRateBudget (shared fixed windows in a Lua script)', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
  });
  const prefix = `t_${randomUUID().slice(0, 8)}:ratelimit:`;

  const limiterOn = (backend: RateBudgetBackend) => {
    const limiter = new BinanceRateLimiter({ backend, clock: { now: () => Date.now() }, maxWaitMs: 0 });
    limiter.configure(RULES);
    return limiter;
  };

  beforeAll(async () => {
    await redis.ping();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('lets several limiters (replicas) share one order budget exactly', async () => {
    const replicas = [0, 1, 2].map(() =>
      limiterOn(new RedisRateBudget({ redis, prefix: `${prefix}a:`, ip: 'ip1', account: 'acct1' })),
    );
    const attempts = Array.from({ length: 9 }, (_, i) =>
      replicas[i % 3]!.acquire({ weight: 1, orders: 1 }, 'order.place').then(
        () => 'ok' as const,
        (err: unknown) => (err instanceof VenueError ? err.code : 'other'),
      ),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === VenueErrorCode.RATE_LIMITED)).toHaveLength(4);
  });

  it('is atomic across buckets: a refused order spends no weight', async () => {
    const limiter = limiterOn(new RedisRateBudget({ redis, prefix: `${prefix}b:`, ip: 'ip1', account: 'acct1' }));
    await limiter.observeHeaders({ 'x-mbx-order-count-10s': '5' });
    await rejection(limiter.acquire({ weight: 10, orders: 1 }, 'order.place'));
    // All 100 weight is still there.
    await limiter.acquire({ weight: 100 }, 'GET /api/v3/exchangeInfo');
    expect((await rejection(limiter.acquire({ weight: 1 }, 'x'))).code).toBe(VenueErrorCode.RATE_LIMITED);
  });

  it('shares a 418 ban and a 429 backoff between processes', async () => {
    const a = limiterOn(new RedisRateBudget({ redis, prefix: `${prefix}c:`, ip: 'ip1', account: 'acct1' }));
    const b = limiterOn(new RedisRateBudget({ redis, prefix: `${prefix}c:`, ip: 'ip1', account: 'acct1' }));
    await a.onRateLimited(60_000);
    const limited = await rejection(b.acquire({ weight: 1 }, 'x'));
    expect(limited.code).toBe(VenueErrorCode.RATE_LIMITED);
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    await a.onBanned(120_000);
    const banned = await rejection(b.acquire({ weight: 1 }, 'x'));
    expect(banned.code).toBe(VenueErrorCode.IP_BANNED);
    expect(banned.retryAfterMs).toBeGreaterThan(110_000);
    // The ban is a key with an expiry in Redis: it ends on its own.
    const ttl = await redis.pttl(`${prefix}c:ip:ip1:block`);
    expect(ttl).toBeGreaterThan(110_000);
  });

  it('counts weight per IP and orders per account, as Binance does', async () => {
    const on = (ip: string, account: string) =>
      limiterOn(new RedisRateBudget({ redis, prefix: `${prefix}d:`, ip, account }));
    const acctA = on('ip1', 'A');
    const acctB = on('ip1', 'B');
    const otherIp = on('ip2', 'A');
    // Two accounts behind one IP spend one weight budget.
    await acctA.acquire({ weight: 60 }, 'GET /api/v3/depth');
    await acctB.acquire({ weight: 40 }, 'GET /api/v3/depth');
    expect((await rejection(acctB.acquire({ weight: 1 }, 'x'))).code).toBe(VenueErrorCode.RATE_LIMITED);
    // One account from two IPs spends one order budget, each IP its own weight.
    for (let i = 0; i < 5; i++) await otherIp.acquire({ weight: 1, orders: 1 }, 'order.place');
    expect((await rejection(acctA.acquire({ weight: 0, orders: 1 }, 'order.place'))).code).toBe(
      VenueErrorCode.RATE_LIMITED,
    );
    await acctB.acquire({ weight: 0, orders: 1 }, 'order.place');
  });

  it('falls back to a share of each limit while Redis does not answer, and counts it', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    dead.on('error', () => {});
    let fallbacks = 0;
    const clock = { now: () => Date.now() };
    const limiter = new BinanceRateLimiter({
      backend: new FallbackRateBudget({
        shared: new RedisRateBudget({ redis: dead, prefix: `${prefix}e:`, ip: 'ip1', account: 'A' }),
        clock,
        share: 0.1,
        logger: silentLogger,
        onFallback: () => (fallbacks += 1),
      }),
      clock,
      maxWaitMs: 0,
    });
    limiter.configure(RULES);
    await limiter.acquire({ weight: 10 }, 'GET /api/v3/depth');
    expect((await rejection(limiter.acquire({ weight: 1 }, 'x'))).code).toBe(VenueErrorCode.RATE_LIMITED);
    expect(fallbacks).toBe(2);
    dead.disconnect();
  });
});
