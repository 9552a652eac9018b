// The market fallback's guards against the book the market-data gateway keeps in Redis (the
// MarketSnapshot document), not only the touch size on the quote: a remainder bigger than the touch
// is priced by walking the far side, and refused when that walk goes past the intent's slippage
// bound. Real Redis, the sim's own book holding the same levels, the OMS in process.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketSnapshot, OrderRequest, marketSnapshotKey, type BookLevel } from '@bourse/contracts';
import { loadOrder, loadPositions, loadTactic } from '../store/index.js';
import { RedisBookDepth } from './book-depth.js';
import { clock, orderRequest, startHarness, startQuoteFeed, waitFor, type Harness } from './test-support.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `test:${randomBytes(4).toString('hex')}:md:`;
const key = marketSnapshotKey(prefix, 'binance', 'BTCUSDT');
let h: Harness;

// The gateway's document for BTCUSDT: live, with the book's top levels.
function snapshot(bids: BookLevel[], asks: BookLevel[]): MarketSnapshot {
  const now = clock.now();
  const [bid, ask] = [bids[0] ?? ['0', '0'], asks[0] ?? ['0', '0']];
  return MarketSnapshot.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    feed: { state: 'live', changedAt: now },
    top: { bidPrice: bid[0], bidQty: bid[1], askPrice: ask[0], askQty: ask[1], source: 'book', receivedAt: now },
    depth: { levels: 20, bids, asks, updateId: 1, receivedAt: now },
    lastTrade: null,
    receivedAt: now,
    writtenAt: now,
  });
}

/** Writes the document every 100 ms, as the gateway keeps it fresh. */
function startSnapshotFeed(bids: BookLevel[], asks: BookLevel[]): { stop(): void } {
  const write = () => void redis.set(key, JSON.stringify(snapshot(bids, asks)));
  write();
  const timer = setInterval(write, 100);
  return { stop: () => clearInterval(timer) };
}

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  const venue = await h.connectVenue();
  await h.startService(venue, { bookDepth: new RedisBookDepth({ redis, prefix }) });
}, 30_000);

afterAll(async () => {
  await h?.close();
  await redis.del(key);
  redis.disconnect();
}, 30_000);

describe('the market fallback with the far side of the book', () => {
  it('refuses a fallback whose remainder would walk the asks past the slippage bound, though the touch alone passes', async () => {
    // Only 0.002 at the touch; the rest of a 0.01 remainder would take 30100. The quote alone
    // (30010 with 1 BTC shown) would estimate 1.67 bps from the 30005 arrival mid; the book says
    // (0.002 × 30010 + 0.008 × 30100) / 0.01 = 30082, 25.66 bps, above the 20 allowed.
    const asks: BookLevel[] = [
      ['30010', '0.002'],
      ['30100', '1'],
    ];
    for (const [price, quantity] of asks) h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price, quantity });
    const book = startSnapshotFeed([['30000', '1']], asks);
    const quotes = startQuoteFeed(h, '30000', '30010');
    const req = orderRequest({
      strategyId: 'deep',
      qty: '0.01',
      price: '30010',
      constraints: { limitWindowMs: 400, marketFallback: true, maxSlippageBps: '20' },
    });
    try {
      await h.bus.publishDurable(
        h.subjects.orderRequest(req.venueSymbol),
        { name: 'OrderRequest', schema: OrderRequest },
        req,
        { msgId: req.clientOrderId },
      );
      const done = await waitFor('the chase done', async () => {
        const t = await loadTactic(h.db.pool, req.clientOrderId);
        return t?.status === 'done' ? t : undefined;
      });
      expect(done.outcome).toBe('stopped');
      expect(done.reason).toContain(
        'no market fallback: estimated price 30082 is 25.66 bps from the arrival mid 30005',
      );
      expect(done.children.map((c) => c.role)).toEqual(['first']);
    } finally {
      quotes.stop();
      book.stop();
    }
    expect(await loadOrder(h.db.pool, req.clientOrderId)).toMatchObject({ status: 'canceled', filledQty: '0' });
    const rows = await h.db.pool.query("SELECT style FROM orders WHERE strategy_id = 'deep'");
    expect(rows.rows).toEqual([{ style: 'limit' }]);
    expect(await loadPositions(h.db.pool, { strategyId: 'deep' })).toEqual([]);
  }, 30_000);

  it('reads the far side only from a live, recent document of that instrument, and says why one is unusable', async () => {
    const depth = new RedisBookDepth({ redis, prefix, maxAgeMs: 5_000 });
    const doc = snapshot([['30000', '1']], [['30010', '0.5']]);
    const now = doc.writtenAt;
    await redis.set(key, JSON.stringify(doc));
    expect(await depth.farSide('binance', 'BTCUSDT', 'BUY', now)).toEqual({ levels: [['30010', '0.5']] });
    expect(await depth.farSide('binance', 'BTCUSDT', 'SELL', now)).toEqual({ levels: [['30000', '1']] });
    // Too old, or a feed the gateway does not call live: no book, and nothing wrong with the document.
    expect(await depth.farSide('binance', 'BTCUSDT', 'BUY', now + 5_001)).toEqual({ levels: undefined });
    await redis.set(key, JSON.stringify({ ...doc, feed: { state: 'stale', changedAt: now } }));
    expect(await depth.farSide('binance', 'BTCUSDT', 'BUY', now)).toEqual({ levels: undefined });
    expect(await depth.farSide('binance', 'ETHUSDT', 'BUY', now)).toEqual({ levels: undefined }); // never written
    await redis.set(key, '{"v":1,');
    expect(await depth.farSide('binance', 'BTCUSDT', 'BUY', now)).toEqual({
      levels: undefined,
      problem: `${key} malformed JSON`,
    });
    await redis.set(key, JSON.stringify({ ...doc, depth: { ...doc.depth, asks: [['-1', '1']] } }));
    expect((await depth.farSide('binance', 'BTCUSDT', 'BUY', now)).problem).toMatch(/depth\.asks/);
    await redis.del(key);
  });
});
