import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { connectBus, type Bus } from '@bourse/bus';
import { InstrumentSymbol } from '@bourse/contracts';
import { startExchangeSim, type RunningExchangeSim } from '@bourse/exchange-sim';
import { startQuoteFeed, type QuoteFeed } from '@bourse/market-feed/testing';
import { createLogger } from '@bourse/telemetry';
import { BinanceVenueClient } from '@bourse/venue-binance';
import type { MarketDataFeed } from '@bourse/venues';
import { loadConfig } from './config.js';
import { loadInstrumentSpecs } from './instrument-specs.js';
import type { RunnerEvent } from './runner.js';
import { NATS_URL, makeRunner, startHarness, type Harness, type TestRunner } from './test-support.js';

// End to end over real sockets: exchange simulator → Binance adapter → the gateway's feed pipeline
// (`@bourse/market-feed`, published on NATS by its test quote feed as the market-data gateway
// publishes it) → core NATS → strategy runner → an Intent on JetStream. The sim runs in-process on a
// free loopback port; NATS is the real server. The gateway service's own shell (Redis, recorder, NATS
// outages) is tested in services/market-data. Prices are driven by resting a sell order and buying it, one trade per
// one-second bar, so the bars (built by the runner from the gateway's trades) cross.

const BTC = InstrumentSymbol.parse('BTC/USDT');
const logger = createLogger({ service: 'md-runner-e2e', level: 'silent' });

let h: Harness;
let sim: RunningExchangeSim;
let client: BinanceVenueClient;
let feed: MarketDataFeed;
let gatewayBus: Bus;
let quotes: QuoteFeed;
let r: TestRunner;

beforeAll(async () => {
  h = await startHarness();
  sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 7,
    symbols: ['BTCUSDT'],
    apiKeys: [{ apiKey: `k${randomBytes(12).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') }],
    marketActivity: { enabled: false },
  });
  client = await BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
      },
      orderPath: 'rest',
      timeSyncIntervalMs: 0,
    },
  });
  feed = client.marketData();
  // The feed on a NATS connection of its own, as the gateway has in production.
  gatewayBus = await connectBus({
    service: 'market-data',
    subjects: h.subjects,
    logger,
    registry: new Registry(),
    servers: NATS_URL,
  });
  quotes = await startQuoteFeed({
    venue: 'binance',
    feed,
    bus: gatewayBus,
    instruments: [{ instrument: BTC, venueSymbol: 'BTCUSDT' }],
    channels: ['quotes', 'trades'],
    staleAfterMs: 30_000,
  });
});

afterAll(async () => {
  await r?.runner.stop();
  quotes?.stop();
  await feed?.close();
  await client?.close();
  await sim?.close();
  await gatewayBus?.drain();
  await h?.close();
});

const published = (e: RunnerEvent): e is Extract<RunnerEvent, { type: 'published' }> => e.type === 'published';

/** Resolves at the start of the next one-second window: each trade below falls in a bar of its own. */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
}

describe('sim → market feed → NATS → strategy runner → JetStream', () => {
  it('turns a crossing SMA of the sim’s trades into an Intent with its decision inputs', async () => {
    await h.setMode('ACTIVE');
    r = await makeRunner(h, {
      strategiesYaml: `
strategies:
  - name: sma-cross
    id: sma-e2e
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT]
    params: { fast: 2, slow: 3, timeframe: 1s, sizing: { kind: qty, qty: "0.01" } }
`,
    });
    await r.runner.start();
    await r.waitFor((e) => e.type === 'acquired', 10_000, 'BTC/USDT acquired');
    await r.waitFor((e) => e.type === 'recon' && e.verdict === 'ok', 10_000, 'the ok reconciliation report');

    // The first bar opened before the runner's first trade and is dropped; then falling closes and a jump.
    const closes = ['50000.00', '49900.00', '49800.00', '49700.00', '50500.00'];
    for (const [i, price] of closes.entries()) {
      await nextSecond();
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price, quantity: '0.01' });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      await r.waitFor(
        (e) =>
          e.type === 'market' &&
          e.kind === 'trade' &&
          r.events.filter((x) => x.type === 'market' && x.kind === 'trade').length > i,
        5_000,
        `trade ${i + 1} through the feed`,
      );
    }
    const event = await r.waitFor(published, 10_000, 'the intent of the cross');
    const stored = await h.intentAt(event.seq);
    expect(stored).toEqual(event.intent);
    expect(stored).toMatchObject({
      strategyId: 'sma-e2e',
      strategyVersion: '1.0.0',
      venue: 'binance',
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.01',
      style: 'market',
    });
    expect(stored.inputs).toMatchObject({
      signal: 'cross-up',
      close: '50500',
      fast: '50100',
      slow: '50000',
      prevFast: '49750',
      prevSlow: '49800',
      trigger: 'onBar',
    });
    expect(r.events.filter(published)).toHaveLength(1);
    expect(quotes.rejected).toEqual([]);
    // The same trades as venue history (the feed's klines read, for warm-up): one-minute candles.
    const klines = await feed.klines?.(BTC, '1m', 5);
    expect(klines?.at(-1)).toMatchObject({ symbol: BTC, close: '50500.00000000' });
  }, 40_000);

  it('loads the venue’s instrument specs for ctx.instrument (tick, lot, min notional from exchangeInfo)', async () => {
    const config = loadConfig({ RUNNER_SIM_REST_URL: sim.restUrl });
    const specs = await loadInstrumentSpecs(config, logger);
    const btc = specs?.get(BTC);
    expect(btc?.venueSymbol).toBe('BTCUSDT');
    expect(btc?.tickSize?.toString()).toMatch(/^0\.0*1$/);
    expect(btc?.stepSize?.isPositive()).toBe(true);
    expect(btc?.minNotional?.isPositive()).toBe(true);
  });
});
