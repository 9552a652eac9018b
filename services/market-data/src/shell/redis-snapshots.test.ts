import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { InstrumentSymbol, type Quote } from '@bourse/contracts';
import { InstrumentSnapshot } from '@bourse/market-feed';
import { createMarketDataMetrics } from './metrics.js';
import { readSnapshot, RedisSnapshotWriter } from './redis-snapshots.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `t_${randomBytes(5).toString('hex')}:md:`;
const BTC = InstrumentSymbol.parse('BTC/USDT');
const T0 = 1_700_000_000_000;

const quote = (i: number): Quote => ({
  v: 1,
  venue: 'binance',
  instrument: BTC,
  bidPrice: String(40_000 + i),
  bidQty: '1',
  askPrice: String(60_000 + i),
  askQty: '1',
  updateId: i,
  receivedAt: T0 + i,
});

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function writes(registry: Registry, result: string): Promise<number> {
  const m = await registry.getSingleMetric('bourse_md_snapshot_writes_total')?.get();
  return m?.values.find((v) => v.labels.result === result)?.value ?? 0;
}

function setup(clock: { now: () => number }, client: Redis = redis, onError?: (err: Error) => void) {
  const registry = new Registry();
  const writer = new RedisSnapshotWriter({
    redis: client,
    venue: 'binance',
    keyPrefix: PREFIX,
    ttlMs: 30_000,
    flushIntervalMs: 100,
    depthLevels: 2,
    refreshMs: 10_000,
    clock,
    metrics: createMarketDataMetrics(registry),
    ...(onError !== undefined ? { onError } : {}),
  });
  const snapshot = new InstrumentSnapshot('binance', { instrument: BTC, venueSymbol: 'BTCUSDT' });
  const key = writer.keyOf('BTCUSDT');
  writer.register({
    key,
    snapshot,
    book: (levels) => ({
      bids: [
        ['40000', '1'],
        ['39999', '2'],
        ['39998', '3'],
      ].slice(0, levels) as [string, string][],
      asks: [['60000', '1']],
      updateId: 5,
    }),
  });
  return { writer, snapshot, key, registry };
}

describe('RedisSnapshotWriter (real Redis)', () => {
  it('coalesces a burst into one write carrying the latest values, with an expiry', async () => {
    let now = T0;
    const { writer, snapshot, key, registry } = setup({ now: () => now });
    expect(key).toBe(`${PREFIX}binance:BTCUSDT`);
    // Nothing yet: an instrument without news is not written.
    expect(await writer.flush()).toBe(0);
    for (let i = 1; i <= 5_000; i++) snapshot.applyQuote(quote(i));
    snapshot.applyBook({
      v: 1,
      venue: 'binance',
      instrument: BTC,
      lastUpdateId: 5,
      bids: [],
      asks: [],
      receivedAt: T0,
    });
    now = T0 + 6_000;
    expect(await writer.flush()).toBe(1);
    expect(await writes(registry, 'ok')).toBe(1);
    const doc = await readSnapshot(redis, key);
    expect(doc?.top).toMatchObject({ bidPrice: '45000', askPrice: '65000', updateId: 5_000, receivedAt: T0 + 5_000 });
    expect(doc?.depth?.bids).toEqual([
      ['40000', '1'],
      ['39999', '2'],
    ]);
    expect(doc?.writtenAt).toBe(T0 + 6_000);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('writes an unchanged snapshot again only when its refresh is due', async () => {
    let now = T0;
    const { writer, snapshot, key } = setup({ now: () => now });
    snapshot.applyQuote(quote(1));
    expect(await writer.flush()).toBe(1);
    now += 5_000;
    expect(await writer.flush()).toBe(0);
    now += 5_000;
    expect(await writer.flush()).toBe(1);
    expect((await readSnapshot(redis, key))?.writtenAt).toBe(T0 + 10_000);
  });

  it('a missing key reads as null', async () => {
    expect(await readSnapshot(redis, `${PREFIX}binance:NOPE`)).toBeNull();
  });

  it('a failed write is counted and retried at the next flush', async () => {
    // A port nothing listens on, and no offline queue: the write fails at once instead of queueing.
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    try {
      const errors: Error[] = [];
      const { writer, snapshot, registry } = setup({ now: () => T0 }, down, (e) => errors.push(e));
      snapshot.applyQuote(quote(1));
      expect(await writer.flush()).toBe(0);
      expect(snapshot.dirty).toBe(true);
      expect(await writes(registry, 'error')).toBe(1);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      down.disconnect();
    }
  });

  it('refuses a flush interval not below the expiry', () => {
    expect(
      () =>
        new RedisSnapshotWriter({
          redis,
          venue: 'binance',
          keyPrefix: PREFIX,
          ttlMs: 1_000,
          flushIntervalMs: 1_000,
          depthLevels: 5,
          clock: { now: () => T0 },
        }),
    ).toThrow(/flushIntervalMs/);
  });
});
