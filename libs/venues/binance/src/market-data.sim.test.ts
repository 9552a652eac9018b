import { afterAll, afterEach, beforeAll, describe, it, expect } from 'vitest';
import type { Quote, Trade } from '@bourse/contracts';
import { BookDelta, BookSnapshot, InstrumentSymbol } from '@bourse/contracts';
import type { MarketDataEvent, MarketDataFeed } from '@bourse/venues';
import type { BinanceVenueClient } from './binance-venue.js';
import { connectClient, eventually, startSim, waitFor, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const ETH = InstrumentSymbol.parse('ETH/USDT');

async function metric(client: BinanceVenueClient, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await client.metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? [])
    .filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    .reduce((a, x) => a + x.value, 0);
}

/** The venue's own book (REST snapshot) equals the local one, level for level. */
async function bookMatchesVenue(client: BinanceVenueClient, feed: MarketDataFeed): Promise<true | undefined> {
  const local = feed.book(BTC, 50);
  if (local === undefined) return undefined;
  const venue = await client.rest.depth('BTCUSDT', 50);
  const norm = (levels: readonly (readonly [string, string, ...unknown[]])[]) =>
    levels.map(([p, q]) => `${Number(p)}@${Number(q)}`).join(',');
  if (venue.lastUpdateId !== local.updateId) return undefined;
  return norm(local.bids) === norm(venue.bids) && norm(local.asks) === norm(venue.asks) ? true : undefined;
}

describe('market data streams against the exchange simulator', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;
  let feed: MarketDataFeed;
  const events: MarketDataEvent[] = [];

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '1' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49990.00', quantity: '1' });
    client = await connectClient(sim, started.apiKey, started.apiSecret);
    feed = client.marketData();
    feed.on((e) => events.push(e));
    await feed.subscribe([
      { symbol: BTC, channel: 'book' },
      { symbol: BTC, channel: 'trades' },
      { symbol: BTC, channel: 'quotes' },
    ]);
  });
  afterEach(() => {
    sim.setFaults({});
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  it('builds the local book from a snapshot and diffs, and emits trades and quotes as contract messages', async () => {
    const snapshotP = waitFor<MarketDataEvent, BookSnapshot>(
      (l) => feed.on(l),
      (e) => (e.kind === 'book-snapshot' ? e.snapshot : undefined),
      10_000,
      'book snapshot',
    );
    // The book only syncs once a diff arrives: change the book.
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49980.00', quantity: '2' });
    const snapshot = await snapshotP;
    expect(BookSnapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot.instrument).toBe('BTC/USDT');

    const deltaP = waitFor<MarketDataEvent, BookDelta>(
      (l) => feed.on(l),
      (e) => (e.kind === 'book-delta' ? e.delta : undefined),
      10_000,
      'book delta',
    );
    const tradeP = waitFor<MarketDataEvent, Trade>(
      (l) => feed.on(l),
      (e) => (e.kind === 'trade' ? e.trade : undefined),
      10_000,
      'trade',
    );
    const quoteP = waitFor<MarketDataEvent, Quote>(
      (l) => feed.on(l),
      (e) => (e.kind === 'quote' && e.quote.askQty !== '1' ? e.quote : undefined),
      10_000,
      'quote',
    );
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.4' });
    const [delta, trade, quote] = await Promise.all([deltaP, tradeP, quoteP]);
    expect(BookDelta.safeParse(delta).success).toBe(true);
    expect(trade).toMatchObject({ instrument: 'BTC/USDT', price: '50010', qty: '0.4', aggressor: 'BUY' });
    expect(quote).toMatchObject({ askPrice: '50010', askQty: '0.6' });
    expect(await eventually(() => bookMatchesVenue(client, feed), 10_000, 'local book = venue book')).toBe(true);
  });

  it('subscribes and unsubscribes at run time', async () => {
    await feed.subscribe([{ symbol: ETH, channel: 'trades' }]);
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3001.00', quantity: '1' });
    const tradeP = waitFor<MarketDataEvent, Trade>(
      (l) => feed.on(l),
      (e) => (e.kind === 'trade' && e.trade.instrument === 'ETH/USDT' ? e.trade : undefined),
      10_000,
      'ETH trade',
    );
    sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.1' });
    expect((await tradeP).price).toBe('3001');
    await feed.unsubscribe([{ symbol: ETH, channel: 'trades' }]);
  });

  it('two subscribes racing the first connection both take effect', async () => {
    const second = client.marketData();
    try {
      await Promise.all([
        second.subscribe([{ symbol: BTC, channel: 'trades' }]),
        second.subscribe([{ symbol: ETH, channel: 'trades' }]),
      ]);
      sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3002.00', quantity: '1' });
      const seen = new Set<string>();
      const both = waitFor<MarketDataEvent, true>(
        (l) => second.on(l),
        (e) => {
          if (e.kind === 'trade') seen.add(e.trade.instrument);
          return seen.size === 2 ? true : undefined;
        },
        10_000,
        'trades on both instruments',
      );
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.01' });
      expect(await both).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('reconnects after a dropped connection with backoff, reports it, and keeps a correct book', async () => {
    const before = await metric(client, 'bourse_venue_ws_reconnects_total', { connection: 'market' });
    const reconnecting = waitFor<MarketDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'connection' && e.state === 'reconnecting' ? true : undefined),
      5_000,
      'reconnecting',
    );
    const reopened = waitFor<MarketDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'connection' && e.state === 'open' ? true : undefined),
      10_000,
      'open again',
    );
    sim.dropWsConnections();
    await reconnecting;
    await reopened;
    expect(await metric(client, 'bourse_venue_ws_reconnects_total', { connection: 'market' })).toBeGreaterThan(before);
    expect(await metric(client, 'bourse_venue_ws_state', { connection: 'market' })).toBe(1);
    // Changes made now reach the book through the new connection (via a gap + resync if any were missed).
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49970.00', quantity: '3' });
    expect(
      await eventually(() => bookMatchesVenue(client, feed), 10_000, 'local book = venue book after reconnect'),
    ).toBe(true);
  });

  it('reordered and duplicated events: duplicates are dropped, a reorder is a gap, the book resyncs and ends equal to the venue', async () => {
    const gapsBefore = await metric(client, 'bourse_venue_book_gaps_total');
    const resyncsBefore = await metric(client, 'bourse_venue_book_resyncs_total');
    const tradeIds: string[] = [];
    const off = feed.on((e) => {
      if (e.kind === 'trade') tradeIds.push(e.trade.venueTradeId);
    });
    sim.setFaults({ streamReorderProbability: 0.5, streamDuplicateProbability: 0.5 });
    // One book change per 100 ms depth flush, below the best bid so no quote or trade frame
    // interleaves: depth frames are reordered among themselves.
    for (let i = 0; i < 20; i++) {
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: (49000 + i).toFixed(2), quantity: '1' });
      await new Promise((r) => setTimeout(r, 120));
    }
    // Trades with duplicates (no reordering: a late public trade is dropped, not reinserted).
    sim.setFaults({ streamDuplicateProbability: 0.5 });
    for (let i = 0; i < 10; i++) sim.trade({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01' });
    await eventually(
      async () => ((await metric(client, 'bourse_venue_book_gaps_total')) > gapsBefore ? true : undefined),
      10_000,
      'a gap to be detected',
    );
    sim.setFaults({});
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50500.00', quantity: '1' });
    expect(await eventually(() => bookMatchesVenue(client, feed), 15_000, 'book equal to venue after resync')).toBe(
      true,
    );
    off();
    expect(await metric(client, 'bourse_venue_book_resyncs_total')).toBeGreaterThan(resyncsBefore);
    expect(await metric(client, 'bourse_venue_dropped_frames_total', { reason: 'duplicate' })).toBeGreaterThan(0);
    // Never the same trade twice, never a trade older than the last one.
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    expect([...tradeIds].map(Number)).toEqual([...tradeIds].map(Number).sort((a, b) => a - b));
  });
});

describe('the planned 24-hour rotation', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '1' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49990.00', quantity: '1' });
    // Rotation compressed from ~24 h to under a second so the test sees it happen.
    client = await connectClient(sim, started.apiKey, started.apiSecret, { streamRotateMs: 700 });
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  it('replaces the connection before the venue cuts it, without a gap in the book or a duplicated trade', async () => {
    const feed = client.marketData();
    const trades: string[] = [];
    const states: string[] = [];
    feed.on((e) => {
      if (e.kind === 'trade') trades.push(e.trade.venueTradeId);
      if (e.kind === 'feed-status') states.push(e.status.state);
    });
    await feed.subscribe([
      { symbol: BTC, channel: 'book' },
      { symbol: BTC, channel: 'trades' },
    ]);
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49980.00', quantity: '1' });
    await eventually(() => feed.book(BTC, 5), 10_000, 'book synced');
    const rotations = async () => metric(client, 'bourse_venue_ws_reconnects_total', { connection: 'market' });
    for (let i = 0; i < 40 && (await rotations()) < 2; i++) {
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: (50100 + i).toFixed(2), quantity: '0.5' });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await rotations()).toBeGreaterThanOrEqual(2);
    expect(await eventually(() => bookMatchesVenue(client, feed), 10_000, 'book equal to venue')).toBe(true);
    expect(await metric(client, 'bourse_venue_book_gaps_total')).toBe(0);
    expect(states).not.toContain('reset');
    expect(new Set(trades).size).toBe(trades.length);
    expect(trades.length).toBeGreaterThan(0);
  });
});
