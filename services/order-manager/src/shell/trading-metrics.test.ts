// Two of the order manager's metrics against the real parts (test-support.ts) and a real Redis:
// tick-to-trade, timed from the market data behind a decision to the venue's acknowledgement, and
// unrealised P&L, open positions marked at the mid of the gateway's latest top of book in Redis.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketSnapshot, OrderRequest, marketSnapshotKey, type FeedState } from '@bourse/contracts';
import { createMetrics } from '@bourse/telemetry';
import { loadOrder, loadPositions } from '../store/index.js';
import { RedisMarks } from './marks.js';
import { clock, orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const prefix = `bourse:t${randomBytes(4).toString('hex')}:md:`;
const metrics = createMetrics({ service: 'order-manager-test' });
let h: Harness;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  h = await startHarness();
  await h.setMode('ACTIVE');
  await h.startService(await h.connectVenue(), { metrics, marks: new RedisMarks({ redis, prefix }) });
}, 30_000);

afterAll(async () => {
  await h?.close();
  await redis?.del(marketSnapshotKey(prefix, 'binance', 'BTCUSDT'));
  redis?.disconnect();
}, 30_000);

async function publish(request: OrderRequest): Promise<void> {
  await h.bus.publishDurable(h.subjects.orderRequest(request.venueSymbol), OrderRequestContract, request, {
    msgId: request.clientOrderId,
  });
}

async function orderStatus(id: string, status: string): Promise<void> {
  await waitFor(`order ${id} ${status} in Postgres`, async () =>
    (await loadOrder(h.db.pool, id))?.status === status ? true : undefined,
  );
}

/** The samples of one metric (a histogram's `_count`/`_sum` by `series`), as Prometheus would scrape them. */
async function samples(name: string, series = name): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`the order manager registers no ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => ((v as { metricName?: string }).metricName ?? name) === series)
    .map((v) => ({ labels: { ...v.labels }, value: v.value }));
}

/** Writes the gateway's snapshot of BTCUSDT with this top of book and feed state. */
async function gatewaySnapshot(bid: string, ask: string, state: FeedState): Promise<void> {
  const now = clock.now();
  const doc: MarketSnapshot = {
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    feed: { state, changedAt: now },
    top: { bidPrice: bid, bidQty: '1', askPrice: ask, askQty: '1', source: 'quote', receivedAt: now },
    depth: null,
    lastTrade: null,
    receivedAt: now,
    writtenAt: now,
  } as MarketSnapshot;
  await redis.set(marketSnapshotKey(prefix, 'binance', 'BTCUSDT'), JSON.stringify(MarketSnapshot.parse(doc)));
}

describe('order manager trading metrics', () => {
  it('times tick-to-trade from the market data behind the decision to the venue ack, for requests that carry it', async () => {
    const count = async () =>
      (await samples('bourse_oms_tick_to_trade_seconds', 'bourse_oms_tick_to_trade_seconds_count'))[0]?.value ?? 0;
    const sum = async () =>
      (await samples('bourse_oms_tick_to_trade_seconds', 'bourse_oms_tick_to_trade_seconds_sum'))[0]?.value ?? 0;
    const [countBefore, sumBefore] = [await count(), await sum()];
    // The quote arrived 1.5 s before the order request was made; a request without one is not timed.
    const timed = orderRequest({ strategyId: 'ttt', price: '21000', marketDataAt: clock.now() - 1_500 });
    const untimed = orderRequest({ strategyId: 'ttt', price: '21001' });
    const sentAt = clock.now();
    await publish(timed);
    await publish(untimed);
    await orderStatus(timed.clientOrderId, 'new');
    await orderStatus(untimed.clientOrderId, 'new');
    const elapsed = (clock.now() - sentAt) / 1_000;
    await waitFor('the ack timed', async () => ((await count()) === countBefore + 1 ? true : undefined));
    const observed = (await sum()) - sumBefore;
    expect(observed).toBeGreaterThanOrEqual(1.5);
    expect(observed).toBeLessThanOrEqual(1.5 + elapsed + 0.05);
    expect(await count()).toBe(countBefore + 1);
  }, 30_000);

  it('marks an open position at the mid of the latest live top of book, and leaves it out without one', async () => {
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30010', quantity: '0.01' });
    const buy = orderRequest({ strategyId: 'mark', qty: '0.01', price: '30010', timeInForce: 'IOC' });
    await publish(buy);
    await waitFor('the position', async () => {
      const [p] = await loadPositions(h.db.pool, { strategyId: 'mark' });
      return p?.qty === '0.01' ? p : undefined;
    });
    const unrealized = async () =>
      (await samples('bourse_oms_unrealized_pnl')).filter((s) => s.labels.strategy === 'mark');

    // Bought 0.01 at 30010; mid (30100 + 30120) / 2 = 30110: 0.01 × 100 = 1 USDT.
    await gatewaySnapshot('30100', '30120', 'live');
    expect(await unrealized()).toEqual([{ labels: { strategy: 'mark', instrument: 'BTC/USDT' }, value: 1 }]);
    // Below the entry: 0.01 × (29960 − 30010) = −0.5.
    await gatewaySnapshot('29950', '29970', 'live');
    expect((await unrealized())[0]?.value).toBeCloseTo(-0.5, 10);
    // A stale feed's top is no mark: no series rather than an old price.
    await gatewaySnapshot('29950', '29970', 'stale');
    expect(await unrealized()).toEqual([]);
  }, 30_000);
});
