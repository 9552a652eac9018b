import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { connectBus, type Bus } from '@bourse/bus';
import { testSubjects } from '@bourse/bus/testing';
import { FeedStatus, InstrumentSymbol, Quote } from '@bourse/contracts';
import type { RunningExchangeSim } from '@bourse/exchange-sim';
import { createLogger } from '@bourse/telemetry';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import type { MarketDataFeed } from '@bourse/venues';
import { MarketDataGateway } from './gateway.js';
import { createMarketDataMetrics } from './shell/metrics.js';
import { connectAdapter, eventually, Inbox, NatsProxy, startQuietSim } from './test-support.js';

// The gateway's own NATS connection drops (cut through a loopback proxy): market data produced
// meanwhile is dropped and counted, not buffered without bound, and a reset goes out once the bus
// is back, so consumers know they may have missed something.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const BTC = InstrumentSymbol.parse('BTC/USDT');
const subjects = testSubjects();
const logger = createLogger({ service: 'market-data-test', level: 'silent' });
const registry = new Registry();
const proxy = new NatsProxy(new URL(NATS_URL));

let sim: RunningExchangeSim;
let client: BinanceVenueClient;
let feed: MarketDataFeed;
let gatewayBus: Bus;
let consumerBus: Bus;
let gateway: MarketDataGateway;
const quotes = new Inbox<Quote>();
const statuses = new Inbox<FeedStatus>();

beforeAll(async () => {
  const proxyUrl = await proxy.listen();
  sim = await startQuietSim();
  client = await connectAdapter(sim);
  feed = client.marketData();
  gatewayBus = await connectBus({
    service: 'market-data',
    subjects,
    logger,
    registry: new Registry(),
    servers: proxyUrl,
    reconnectBaseDelayMs: 50,
    reconnectMaxDelayMs: 200,
    reconnectJitterMs: 10,
  });
  consumerBus = await connectBus({
    service: 'md-consumer',
    subjects,
    logger,
    registry: new Registry(),
    servers: NATS_URL,
  });
  consumerBus.subscribe(subjects.md.quote('binance', 'BTCUSDT'), { name: 'Quote', schema: Quote }, quotes.push);
  consumerBus.subscribe(
    subjects.md.feedStatus('binance', 'BTCUSDT'),
    { name: 'FeedStatus', schema: FeedStatus },
    statuses.push,
  );
  await consumerBus.flush();
  gateway = new MarketDataGateway({
    venue: 'binance',
    feed,
    bus: gatewayBus,
    instruments: [{ instrument: BTC, venueSymbol: 'BTCUSDT' }],
    channels: ['quotes'],
    clock: { now: () => Date.now() },
    logger,
    metrics: createMarketDataMetrics(registry),
    // Long enough that no stale episode interleaves with the outage.
    staleAfterMs: 60_000,
    staleCheckMs: 100,
    summaryIntervalMs: 60_000,
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
  await proxy.close();
});

async function publishErrors(): Promise<number> {
  const m = await registry.getSingleMetric('bourse_md_publish_errors_total')?.get();
  return (m?.values ?? []).reduce((a, v) => a + v.value, 0);
}

describe('market-data gateway when its NATS connection drops', () => {
  it('drops and counts market data while disconnected, then publishes reset and resumes', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49991.00', quantity: '1' });
    await quotes.waitFor((q) => q.bidPrice === '49991', 'a first quote');
    await statuses.waitFor((s) => s.state === 'live', 'live');

    proxy.pause();
    proxy.cut();
    await eventually(() => (gatewayBus.isConnected() ? undefined : true), 'the gateway bus to notice the cut');
    const feedQuotes = new Inbox<string>();
    const off = feed.on((e) => {
      if (e.kind === 'quote') feedQuotes.push(e.quote.bidPrice);
    });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49992.00', quantity: '1' });
    // The gateway received it from the venue while NATS was away …
    await feedQuotes.waitFor((p) => p === '49992', 'the quote at the adapter');
    off();
    // … and dropped it instead of buffering.
    expect(await publishErrors()).toBeGreaterThan(0);

    const from = statuses.mark;
    proxy.resume();
    const reset = await statuses.waitFor((s) => s.state === 'reset', 'reset after the bus reconnected', { from });
    expect(reset.reason).toMatch(/NATS/);
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49993.00', quantity: '1' });
    await quotes.waitFor((q) => q.bidPrice === '49993', 'a quote after the outage');
    await statuses.waitFor((s) => s.state === 'live', 'live after the outage', { from });
    // What was dropped never arrives late.
    expect(quotes.items.map((q) => q.bidPrice)).not.toContain('49992');
  });
});
