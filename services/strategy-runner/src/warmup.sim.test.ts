import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { InstrumentSymbol, Trade } from '@bourse/contracts';
import { startExchangeSim, type RunningExchangeSim } from '@bourse/exchange-sim';
import { BinanceVenueClient } from '@bourse/venue-binance';
import type { MarketDataFeed } from '@bourse/venues';
import type { RunnerEvent } from './runner.js';
import { makeRunner, startHarness, type Harness, type TestRunner } from './test-support.js';

// Warm-up against the exchange simulator: the sim's tape makes twenty one-minute candles (the sim
// keeps one-minute candles, the smallest interval it serves), the runner reads them through the
// Binance adapter's klines, and an sma-cross with slow = 20 signals on the first live bar after
// start instead of twenty bars later. The sim and the runner share a hand-set clock so minutes pass
// at once; live trades reach the runner on NATS as the gateway would publish them.

const BTC = InstrumentSymbol.parse('BTC/USDT');
const MIN = 60_000;
const TradeContract = { name: 'Trade', schema: Trade };

let now = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
const base = now;
const clock = { now: () => now };

let h: Harness;
let sim: RunningExchangeSim;
let client: BinanceVenueClient;
let feed: MarketDataFeed;
let r: TestRunner;

beforeAll(async () => {
  h = await startHarness();
  sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 11,
    symbols: ['BTCUSDT'],
    apiKeys: [{ apiKey: `k${randomBytes(12).toString('hex')}`, apiSecret: randomBytes(24).toString('hex') }],
    marketActivity: { enabled: false },
    clock,
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
}, 30_000);

afterAll(async () => {
  await r?.runner.stop();
  await feed?.close();
  await client?.close();
  await sim?.close();
  await h?.close();
});

/** One trade on the sim's tape at the current clock. */
function simTrade(price: string): void {
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price, quantity: '0.01' });
  sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
}

/** A live trade, on the sim's tape and to the runner on NATS as the gateway publishes it. */
async function liveTrade(price: string, n: number): Promise<void> {
  simTrade(price);
  h.bus.publish(h.subjects.md.trade('binance', 'BTCUSDT'), TradeContract, {
    v: 1,
    venue: 'binance',
    instrument: BTC,
    venueTradeId: `live-${n}`,
    price,
    qty: '0.01',
    aggressor: 'BUY',
    venueTime: now,
    receivedAt: now,
  });
  await r.waitFor(
    (e) =>
      e.type === 'market' &&
      e.kind === 'trade' &&
      r.events.filter((x) => x.type === 'market' && x.kind === 'trade').length >= n,
    5_000,
    `live trade ${n}`,
  );
}

const published = (e: RunnerEvent): e is Extract<RunnerEvent, { type: 'published' }> => e.type === 'published';

describe('warm-up from the sim’s klines', () => {
  it('lets sma-cross (slow 20) signal on the first live bar after start', async () => {
    // Twenty minutes of history: flat at 50000, the last minute a little lower (fast below slow).
    for (let i = 0; i < 20; i++) {
      now = base + i * MIN + 1_000;
      simTrade(i === 19 ? '49900.00' : '50000.00');
    }
    await h.setMode('ACTIVE');
    r = await makeRunner(h, {
      clock,
      klines: (symbol, interval, limit) => feed.klines!(symbol, interval, limit),
      strategiesYaml: `
strategies:
  - name: sma-cross
    id: sma-warm
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT]
    params: { fast: 5, slow: 20, timeframe: 1m, sizing: { kind: qty, qty: "0.01" } }
`,
    });
    now = base + 20 * MIN + 30_000; // the runner starts half-way through minute 20
    await r.runner.start();
    await r.waitFor((e) => e.type === 'acquired', 10_000, 'BTC/USDT acquired');
    await r.waitFor((e) => e.type === 'recon' && e.verdict === 'ok', 10_000, 'the ok reconciliation report');

    await liveTrade('49900.00', 1); // joins minute 20 mid-way: that bar is incomplete
    now = base + 21 * MIN + 1_000;
    await liveTrade('52000.00', 2); // minute 21, the first complete live bar; the seam has passed: history asked
    const warmed = await r.waitFor(
      (e) => e.type === 'notice' && e.notice.kind === 'warmed-up',
      10_000,
      'the warm-up from klines',
    );
    // Minutes 1..20 of the sim's tape: twenty candles before the seam, the join minute's candle included.
    expect(warmed).toMatchObject({ notice: { bars: 20, failed: false, droppedIntents: 0 } });
    now = base + 22 * MIN + 1_000;
    await liveTrade('52000.00', 3); // closes minute 21
    const event = await r.waitFor(published, 10_000, 'the intent of the first live bar');
    expect(event.intent).toMatchObject({ strategyId: 'sma-warm', side: 'BUY', qty: '0.01' });
    expect(event.intent.inputs).toMatchObject({
      signal: 'cross-up',
      barTime: String(base + 21 * MIN),
      close: '52000',
      trigger: 'onBar',
    });
    expect(r.events.filter(published)).toHaveLength(1);
  }, 45_000);
});
