import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { connectBus, type Bus } from '@bourse/bus';
import { testSubjects } from '@bourse/bus/testing';
import { BookDelta, BookSnapshot, FeedStatus, InstrumentSymbol, Quote, Trade } from '@bourse/contracts';
import type { RunningExchangeSim } from '@bourse/exchange-sim';
import { captureHeaders, readCapture, type NormalisedMessage } from '@bourse/market-feed';
import { createLogger } from '@bourse/telemetry';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import type { MarketDataFeed } from '@bourse/venues';
import { MarketDataGateway } from './gateway.js';
import { createMarketDataMetrics } from './shell/metrics.js';
import { FrameRecorder } from './shell/recorder.js';
import { readSnapshot, RedisSnapshotWriter } from './shell/redis-snapshots.js';
import { canonicalDecimal, connectAdapter, eventually, Inbox, startQuietSim } from './test-support.js';

// sim → Binance adapter → gateway → NATS → a consumer on its own bus connection, and → Redis.
// Real servers throughout: the in-process exchange simulator on a free loopback port, NATS, Redis.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BTC = InstrumentSymbol.parse('BTC/USDT');
const ETH = InstrumentSymbol.parse('ETH/USDT');
const DEPTH = 5;
const STALE_AFTER_MS = 1_000;

const subjects = testSubjects();
const keyPrefix = `${subjects.prefix}:md:`;
const logger = createLogger({ service: 'market-data-test', level: 'silent' });

let sim: RunningExchangeSim;
let client: BinanceVenueClient;
let feed: MarketDataFeed;
let gatewayBus: Bus;
let consumerBus: Bus;
let redis: Redis;
let gateway: MarketDataGateway;
let recorder: FrameRecorder;
let recordDir: string;
const registry = new Registry();
const quotes = new Inbox<Quote>();
const trades = new Inbox<Trade>();
const statuses = new Inbox<FeedStatus>();
const books = new Inbox<BookSnapshot>();
const deltas = new Inbox<BookDelta>();

async function simJson<T>(path: string): Promise<T> {
  const res = await fetch(`${sim.restUrl}${path}`);
  if (!res.ok) throw new Error(`sim ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

const levels = (ls: readonly (readonly [string, string, ...unknown[]])[]) =>
  ls.map(([p, q]) => `${canonicalDecimal(p)}@${canonicalDecimal(q)}`).join(',');

/** True once the Redis snapshot shows exactly the sim's own ticker and top levels. */
async function snapshotMatchesSim(): Promise<true | undefined> {
  const doc = await readSnapshot(redis, `${keyPrefix}binance:BTCUSDT`);
  if (doc?.top == null || doc.depth === null) return undefined;
  const ticker = await simJson<{ bidPrice: string; bidQty: string; askPrice: string; askQty: string }>(
    '/api/v3/ticker/bookTicker?symbol=BTCUSDT',
  );
  const depth = await simJson<{ lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }>(
    `/api/v3/depth?symbol=BTCUSDT&limit=${DEPTH}`,
  );
  const topMatches =
    doc.top.bidPrice === canonicalDecimal(ticker.bidPrice) &&
    doc.top.bidQty === canonicalDecimal(ticker.bidQty) &&
    doc.top.askPrice === canonicalDecimal(ticker.askPrice) &&
    doc.top.askQty === canonicalDecimal(ticker.askQty);
  const depthMatches =
    doc.depth.updateId === depth.lastUpdateId &&
    levels(doc.depth.bids) === levels(depth.bids) &&
    levels(doc.depth.asks) === levels(depth.asks);
  return topMatches && depthMatches ? true : undefined;
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((a, v) => a + v.value, 0);
}

beforeAll(async () => {
  sim = await startQuietSim();
  client = await connectAdapter(sim);
  gatewayBus = await connectBus({
    service: 'market-data',
    subjects,
    logger,
    registry: new Registry(),
    servers: NATS_URL,
  });
  consumerBus = await connectBus({
    service: 'md-consumer',
    subjects,
    logger,
    registry: new Registry(),
    servers: NATS_URL,
  });
  consumerBus.subscribe(subjects.md.quote('binance', 'BTCUSDT'), { name: 'Quote', schema: Quote }, quotes.push);
  consumerBus.subscribe(subjects.md.trade('binance', 'BTCUSDT'), { name: 'Trade', schema: Trade }, trades.push);
  consumerBus.subscribe(
    subjects.md.book('binance', 'BTCUSDT'),
    { name: 'BookSnapshot', schema: BookSnapshot },
    books.push,
  );
  consumerBus.subscribe(
    subjects.md.bookDelta('binance', 'BTCUSDT'),
    { name: 'BookDelta', schema: BookDelta },
    deltas.push,
  );
  consumerBus.subscribe(
    subjects.md.feedStatus('binance', 'BTCUSDT'),
    { name: 'FeedStatus', schema: FeedStatus },
    statuses.push,
  );
  await consumerBus.flush();

  feed = client.marketData();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  recordDir = await mkdtemp(join(tmpdir(), 'md-gateway-rec-'));
  const metrics = createMarketDataMetrics(registry);
  const clock = { now: () => Date.now() };
  recorder = new FrameRecorder({
    dir: recordDir,
    name: 'binance',
    maxFileBytes: 2 * 1024,
    rotateIntervalMs: 0,
    maxBufferedBytes: 1024 * 1024,
    header: captureHeaders({
      venue: 'binance',
      bookLevels: client.options.bookLevels,
      instruments: [BTC, ETH].flatMap((s) => client.instruments.get(s) ?? []),
    }),
    clock,
    metrics,
  });
  gateway = new MarketDataGateway({
    venue: 'binance',
    feed,
    bus: gatewayBus,
    instruments: [
      { instrument: BTC, venueSymbol: 'BTCUSDT' },
      { instrument: ETH, venueSymbol: 'ETHUSDT' },
    ],
    channels: ['quotes', 'trades', 'book'],
    clock,
    logger,
    metrics,
    staleAfterMs: STALE_AFTER_MS,
    staleCheckMs: 50,
    summaryIntervalMs: 60_000,
    snapshots: new RedisSnapshotWriter({
      redis,
      venue: 'binance',
      keyPrefix,
      ttlMs: 10_000,
      flushIntervalMs: 50,
      depthLevels: DEPTH,
      clock,
      metrics,
    }),
    recorder,
  });
  await gateway.start();
});

afterAll(async () => {
  await gateway?.stop();
  await feed?.close();
  await client?.close();
  await sim?.close();
  await gatewayBus?.drain();
  await consumerBus?.drain();
  if (redis !== undefined) {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  if (recordDir !== undefined) await rm(recordDir, { recursive: true, force: true });
});

describe('market-data gateway against the exchange simulator', () => {
  it('publishes quotes and trades from the sim on core NATS, as contract messages, to a consumer', async () => {
    const from = quotes.mark;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49995.00', quantity: '2' });
    const quote = await quotes.waitFor((q) => q.bidPrice === '49995', 'a quote with the new best bid', { from });
    expect(quote).toMatchObject({ venue: 'binance', instrument: 'BTC/USDT', bidQty: '2', askPrice: '50010' });
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.25' });
    const trade = await trades.waitFor((t) => t.qty === '0.25', 'the trade');
    expect(trade).toMatchObject({ instrument: 'BTC/USDT', price: '50010', aggressor: 'BUY' });
    expect(await metricValue('bourse_md_messages_total', { kind: 'quote' })).toBeGreaterThan(0);
    // The first data put the feed live.
    await statuses.waitFor((s) => s.state === 'live', 'FeedStatus live');
  });

  it('keeps the Redis snapshot equal to the sim’s own ticker and book, with timestamps and an expiry', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50020.00', quantity: '3' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49980.00', quantity: '4' });
    expect(await eventually(snapshotMatchesSim, 'Redis snapshot = sim ticker and depth')).toBe(true);
    const key = `${keyPrefix}binance:BTCUSDT`;
    const doc = await readSnapshot(redis, key);
    expect(doc?.lastTrade).toMatchObject({ price: '50010', qty: '0.25', aggressor: 'BUY' });
    expect(doc?.receivedAt).toBeGreaterThan(0);
    expect(doc?.venueTime).toBeGreaterThan(0);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('reports a silent feed as stale once, and live again when data resumes', async () => {
    const from = statuses.mark;
    const stale = await statuses.waitFor((s) => s.state === 'stale', 'FeedStatus stale', { from, timeoutMs: 10_000 });
    expect(stale.reason).toMatch(/no market data/);
    expect(await metricValue('bourse_md_stale_episodes_total', { symbol: 'BTCUSDT' })).toBeGreaterThan(0);
    await eventually(
      async () =>
        (await readSnapshot(redis, `${keyPrefix}binance:BTCUSDT`))?.feed.state === 'stale' ? true : undefined,
      'the Redis snapshot to say stale',
    );
    const resumedFrom = statuses.mark;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49996.00', quantity: '1' });
    await statuses.waitFor((s) => s.state === 'live', 'FeedStatus live after data resumed', { from: resumedFrom });
    // One stale per episode: no second stale between the first and the live.
    const episode = statuses.items.slice(from, resumedFrom).filter((s) => s.state === 'stale');
    expect(episode).toHaveLength(1);
  });

  it('a dropped WebSocket produces FeedStatus reset, then resumed data and live', async () => {
    const from = statuses.mark;
    const quotesFrom = quotes.mark;
    expect(sim.dropWsConnections()).toBeGreaterThan(0);
    const reset = await statuses.waitFor((s) => s.state === 'reset', 'FeedStatus reset', { from });
    expect(reset.reason).toMatch(/connection lost/);
    expect(await metricValue('bourse_md_resets_total', { symbol: 'BTCUSDT', cause: 'reconnect' })).toBeGreaterThan(0);
    // The adapter reconnects on its own; data made now reaches the consumer through the new connection.
    await eventually(() => (feed.state === 'open' ? true : undefined), 'reconnected');
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49997.00', quantity: '1' });
    const resumed = await quotes.waitFor((q) => q.bidPrice === '49997', 'a quote after the reconnect', {
      from: quotesFrom,
    });
    expect(resumed.receivedAt).toBeGreaterThanOrEqual(reset.changedAt);
    await statuses.waitFor((s) => s.state === 'live', 'FeedStatus live after the reset', {
      from: statuses.items.indexOf(reset) + 1,
    });
    expect(await eventually(snapshotMatchesSim, 'Redis snapshot = sim after the reconnect')).toBe(true);
  });

  it('captures raw frames that replay (readCapture) into exactly the messages published live', async () => {
    await gateway.stop();
    expect(recorder.stats.dropped).toBe(0);
    expect(recorder.stats.files).toBeGreaterThan(1); // rotated by size: files continue each other
    const replayed: { receivedAt: number; event: NormalisedMessage }[] = [];
    for await (const e of readCapture(recordDir)) replayed.push(e);
    const btc = replayed.filter((e) => e.event.venueSymbol === 'BTCUSDT');
    const of = (kind: string) => btc.filter((e) => e.event.kind === kind).map((e) => e.event.message);
    // The consumer saw what the gateway published on NATS; the replay decodes the raw frames again.
    expect(of('quote')).toEqual(quotes.items);
    expect(of('trade')).toEqual(trades.items);
    expect(of('book')).toEqual(books.items);
    expect(of('book').length).toBeGreaterThan(0);
    expect(of('bookdelta')).toEqual(deltas.items);
    // Receive times come from the capture and never go backwards.
    expect(replayed.every((e, i) => i === 0 || e.receivedAt >= (replayed[i - 1]?.receivedAt ?? 0))).toBe(true);
    // The reset after the dropped connection is replayed as published (stale episodes are timer-driven live).
    const liveReset = statuses.items.find((s) => s.state === 'reset');
    expect(liveReset).toBeDefined();
    expect(of('status')).toContainEqual(liveReset);
  });
});
