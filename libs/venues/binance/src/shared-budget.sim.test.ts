import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';
import { VenueErrorCode } from '@bourse/venues';
import type { BinanceVenueClient } from './binance-venue.js';
import { RedisRateBudget } from './common/redis-rate-budget.js';
import { connectClient, startSim, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');

describe('several order-manager replicas share one account budget through Redis', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `t_${randomUUID().slice(0, 8)}:binance:acct:`;
  let sim: RunningSim;
  let replicas: BinanceVenueClient[] = [];

  beforeAll(async () => {
    const started = await startSim({ rateLimits: { ordersPer10Seconds: 6 } });
    sim = started.sim;
    replicas = await Promise.all(
      [0, 1, 2].map(() =>
        connectClient(
          sim,
          started.apiKey,
          started.apiSecret,
          { orderPath: 'rest', maxRateLimitWaitMs: 0 },
          new RedisRateBudget({ redis, prefix, ip: 'loopback', account: 'sim' }),
        ),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await sim?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("reads the venue's order limit from exchangeInfo and never lets the replicas together exceed it", async () => {
    expect(replicas[0]!.limiter.buckets.find((b) => b.key === 'orders:10s')?.capacity).toBe(6);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        replicas[i % 3]!.placeOrder({
          clientOrderId: ClientOrderId.parse(`shared-${i}-${randomUUID().slice(0, 6)}`),
          symbol: BTC,
          side: 'BUY',
          style: 'limit',
          quantity: '0.01',
          price: '40000',
        }),
      ),
    );
    const accepted = outcomes.filter((o) => o.outcome === 'accepted');
    const limited = outcomes.filter((o) => o.outcome === 'rejected' && o.error.code === VenueErrorCode.RATE_LIMITED);
    expect(accepted).toHaveLength(6);
    expect(limited).toHaveLength(6);
    // Refused locally, before the venue had to say -1015: no venue code on any of them.
    expect(limited.every((o) => o.outcome === 'rejected' && o.error.venueCode === undefined)).toBe(true);
    expect((await replicas[0]!.openOrders(BTC)).length).toBe(6);
  });
});
