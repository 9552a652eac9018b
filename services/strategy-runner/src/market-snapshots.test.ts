import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketSnapshot, marketSnapshotKey } from '@bourse/contracts';
import { RedisQuoteSnapshots } from './market-snapshots.js';
import type { InstrumentRef } from './types.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `t-${randomUUID()}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const ref: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };

function snapshot(state: 'live' | 'stale' | 'reset', instrument = 'BTC/USDT') {
  return MarketSnapshot.parse({
    v: 1,
    venue: 'binance',
    instrument,
    venueSymbol: 'BTCUSDT',
    feed: { state, changedAt: 1_000 },
    top: {
      bidPrice: '30000.1',
      bidQty: '0.5',
      askPrice: '30000.2',
      askQty: '0.7',
      source: 'quote',
      updateId: 42,
      receivedAt: 2_000,
    },
    depth: null,
    lastTrade: null,
    receivedAt: 2_000,
    writtenAt: 2_100,
  });
}

describe('RedisQuoteSnapshots reads the market-data gateway document', () => {
  it('takes the top of book of a live feed as the quote', async () => {
    await redis.set(marketSnapshotKey(prefix, 'binance', 'BTCUSDT'), JSON.stringify(snapshot('live')));
    const quote = await new RedisQuoteSnapshots(redis, prefix).latestQuote(ref);
    expect(quote).toEqual({
      v: 1,
      venue: 'binance',
      instrument: 'BTC/USDT',
      bidPrice: '30000.1',
      bidQty: '0.5',
      askPrice: '30000.2',
      askQty: '0.7',
      updateId: 42,
      receivedAt: 2_000,
    });
  });

  it('ignores the top of book of a stale or resetting feed', async () => {
    for (const state of ['stale', 'reset'] as const) {
      await redis.set(marketSnapshotKey(prefix, 'binance', 'BTCUSDT'), JSON.stringify(snapshot(state)));
      expect(await new RedisQuoteSnapshots(redis, prefix).latestQuote(ref)).toBeUndefined();
    }
  });

  it('reports a malformed document or one of another instrument, and uses neither', async () => {
    const problems: string[] = [];
    const snapshots = new RedisQuoteSnapshots(redis, prefix, (key, reason) => problems.push(`${key}: ${reason}`));
    const key = marketSnapshotKey(prefix, 'binance', 'BTCUSDT');
    await redis.set(key, '{"v":1,');
    expect(await snapshots.latestQuote(ref)).toBeUndefined();
    await redis.set(key, JSON.stringify(snapshot('live', 'ETH/USDT')));
    expect(await snapshots.latestQuote(ref)).toBeUndefined();
    await redis.set(key, JSON.stringify({ ...snapshot('live'), top: { bidPrice: 'abc' } }));
    expect(await snapshots.latestQuote(ref)).toBeUndefined();
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('malformed JSON');
    expect(problems[1]).toContain('holds a snapshot of binance ETH/USDT');
    expect(problems[2]).toContain('top.');
  });
});
