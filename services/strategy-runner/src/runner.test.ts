import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineStrategy, type Notice, type StrategyDefinition } from '@bourse/strategy';
import { FeedStatus, MarketSnapshot, Quote, Trade, marketSnapshotKey } from '@bourse/contracts';
import { RedisQuoteSnapshots } from './market-snapshots.js';
import type { RunnerEvent } from './runner.js';
import {
  REDIS_URL,
  barBase,
  makeRunner,
  quote,
  startHarness,
  trade,
  type Harness,
  type TestRunner,
  until,
} from './test-support.js';

const TradeContract = { name: 'Trade', schema: Trade };
const QuoteContract = { name: 'Quote', schema: Quote };
const FeedStatusContract = { name: 'FeedStatus', schema: FeedStatus };

// One namespace for the file; each test has its own instruments, strategy ids and runner.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const smaYaml = (id: string, symbol: string) => `
strategies:
  - name: sma-cross
    id: ${id}
    version: 1.0.0
    venue: binance
    instruments: [${symbol}]
    params: { fast: 2, slow: 3, timeframe: 1s, sizing: { kind: qty, qty: "0.01" } }
`;

const published = (e: RunnerEvent): e is Extract<RunnerEvent, { type: 'published' }> => e.type === 'published';
const acquired = (e: RunnerEvent) => e.type === 'acquired';
const noticeOf =
  <K extends Notice['kind']>(kind: K, strategyId?: string) =>
  (e: RunnerEvent): e is { type: 'notice'; notice: Extract<Notice, { kind: K }> } =>
    e.type === 'notice' &&
    e.notice.kind === kind &&
    (strategyId === undefined || ('strategyId' in e.notice && e.notice.strategyId === strategyId));

/** Publishes one trade per 1 s bar, at aligned times from `base`. */
function tradeBars(
  venueSymbol: string,
  symbol: string,
  closes: readonly string[],
  base: number,
  from = 0,
  receivedAt = Date.now(),
): void {
  closes.forEach((price, i) => {
    h.bus.publish(h.subjects.md.trade('binance', venueSymbol), TradeContract, {
      ...trade(symbol, price, base + (from + i) * 1000, from + i),
      receivedAt,
    });
  });
}

async function started(r: TestRunner): Promise<void> {
  await r.runner.start();
  await r.waitFor(acquired, 10_000, 'the instrument to be acquired');
}

describe('strategy runner', () => {
  it('turns an SMA cross from published trades into an Intent on JetStream carrying its inputs', async () => {
    await h.setMode('ACTIVE');
    const r = await makeRunner(h, { strategiesYaml: smaYaml('sma-a', 'BTC/USDT') });
    await started(r);
    h.bus.publish(h.subjects.md.quote('binance', 'BTCUSDT'), QuoteContract, quote('BTC/USDT', '11.9', '12.1'));
    const base = barBase();
    // Falling closes put the fast average under the slow one; 12 takes it above: a cross up.
    tradeBars('BTCUSDT', 'BTC/USDT', ['10', '9', '8', '7', '12'], base);
    const event = await r.waitFor(published, 10_000, 'an intent');
    const stored = await h.intentAt(event.seq);
    expect(stored).toEqual(event.intent);
    expect(stored).toMatchObject({
      strategyId: 'sma-a',
      strategyVersion: '1.0.0',
      venue: 'binance',
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.01',
      style: 'market',
      reduceOnly: false,
    });
    expect(stored.inputs).toMatchObject({
      signal: 'cross-up',
      close: '12',
      barTime: String(base + 4000),
      fast: '9.5',
      slow: '9',
      prevFast: '7.5',
      prevSlow: '8',
      trigger: 'onBar',
      bid: '11.9',
      ask: '12.1',
    });
    // The log line says the same: the decision and the inputs it was made on.
    const line = r.logs.entries().find((e) => e['msg'] === 'intent published');
    expect(line).toMatchObject({ strategyId: 'sma-a', intentId: stored.id, side: 'BUY', style: 'market', qty: '0.01' });
    expect(line?.['inputs']).toEqual(stored.inputs);
    await r.runner.stop();
  });

  it('emits nothing while trading is HALTED and trades once it is ACTIVE', async () => {
    await h.setMode('HALTED');
    const r = await makeRunner(h, { strategiesYaml: smaYaml('sma-b', 'ETH/USDT') });
    await started(r);
    const base = barBase();
    const before = await h.intentCount();
    tradeBars('ETHUSDT', 'ETH/USDT', ['10', '9', '8', '7', '12'], base);
    const halted = await r.waitFor(noticeOf('suppressed', 'sma-b'), 10_000, 'a suppressed intent');
    expect(halted.notice.reason).toBe('trading-halted');
    expect(halted.notice.intent.inputs.signal).toBe('cross-up');
    expect(await h.intentCount()).toBe(before);
    expect(r.events.some(published)).toBe(false);

    await h.setMode('ACTIVE');
    await r.waitFor(
      (e) => e.type === 'trading-state' && e.key === 'global' && e.mode === 'ACTIVE',
      10_000,
      'ACTIVE seen',
    );
    // Down through the slow average and back up: the next cross up.
    tradeBars('ETHUSDT', 'ETH/USDT', ['6', '5', '4', '20'], base, 5);
    const event = await r.waitFor(published, 10_000, 'an intent after ACTIVE');
    expect((await h.intentAt(event.seq)).inputs).toMatchObject({ signal: 'cross-up', close: '20' });
    await r.runner.stop();
  });

  it('safe start: emits nothing until the latest reconciliation report (read at start) says ok', async () => {
    const fresh = await startHarness({ reconciled: false });
    try {
      await fresh.setMode('ACTIVE');
      // A failed run is on the stream before the runner starts: it reads it as the current verdict.
      await fresh.publishRecon('drift-halted');
      const r = await makeRunner(fresh, { strategiesYaml: smaYaml('sma-r', 'BTC/USDT') });
      await r.runner.start();
      await r.waitFor((e) => e.type === 'acquired', 10_000, 'the instrument to be acquired');
      await r.waitFor((e) => e.type === 'recon' && e.verdict === 'drift-halted', 10_000, 'the last report');
      const base = barBase();
      const publishBars = (closes: string[], from: number) =>
        closes.forEach((price, i) =>
          fresh.bus.publish(fresh.subjects.md.trade('binance', 'BTCUSDT'), TradeContract, {
            ...trade('BTC/USDT', price, base + (from + i) * 1000, from + i),
          }),
        );
      publishBars(['10', '9', '8', '7', '12'], 0);
      const blocked = await r.waitFor(noticeOf('suppressed', 'sma-r'), 10_000, 'a suppressed intent');
      expect(blocked.notice.reason).toBe('reconciliation-failed');
      expect(await fresh.intentCount()).toBe(0);

      await fresh.publishRecon('ok');
      await r.waitFor((e) => e.type === 'recon' && e.verdict === 'ok', 10_000, 'the ok report');
      publishBars(['6', '5', '4', '20'], 5);
      const event = await r.waitFor(published, 10_000, 'an intent once reconciled');
      expect((await fresh.intentAt(event.seq)).inputs).toMatchObject({ signal: 'cross-up', close: '20' });
      await r.runner.stop();
    } finally {
      await fresh.close();
    }
  });

  it('after a feed reset, drops the bar that may miss trades and decides again on the first complete one', async () => {
    await h.setMode('ACTIVE');
    const r = await makeRunner(h, { strategiesYaml: smaYaml('sma-c', 'SOL/USDT') });
    await started(r);
    const base = barBase();
    // Each step waits until the runner has applied the previous one: subscriptions are handled concurrently.
    const applied = (kind: string, count: number) => () =>
      r.events.filter((e) => e.type === 'market' && e.kind === kind).length >= count;
    const t0 = Date.now();
    tradeBars('SOLUSDT', 'SOL/USDT', ['10', '9', '8', '7'], base, 0, t0);
    await until([r], applied('trade', 4), 10_000, 'four trades applied');
    h.bus.publish(h.subjects.md.feedStatus('binance', 'SOLUSDT'), FeedStatusContract, {
      v: 1,
      venue: 'binance',
      instrument: 'SOL/USDT',
      state: 'reset',
      reason: 'sequence gap',
      changedAt: t0 + 1,
    });
    await until([r], applied('status', 1), 10_000, 'the reset applied');
    // Half-way through bar 4: had this bar reached the strategy, it would cross up at 4 s.
    h.bus.publish(h.subjects.md.trade('binance', 'SOLUSDT'), TradeContract, {
      ...trade('SOL/USDT', '12', base + 4500, 100),
      receivedAt: t0 + 2,
    });
    await until([r], applied('trade', 5), 10_000, 'the mid-bar trade applied');
    tradeBars('SOLUSDT', 'SOL/USDT', ['12'], base, 5, t0 + 3);
    const event = await r.waitFor(published, 10_000, 'an intent after the reset');
    const stored = await h.intentAt(event.seq);
    expect(stored.inputs).toMatchObject({ signal: 'cross-up', barTime: String(base + 5000) });
    expect(r.events.filter(published)).toHaveLength(1);
    await r.runner.stop();
  });

  it('pauses and reports a throwing strategy while another keeps trading', async () => {
    await h.setMode('ACTIVE');
    const thrower = defineStrategy({
      name: 'thrower',
      version: '1.0.0',
      params: z.strictObject({}),
      timeframes: ['1s'],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onBar() {
          throw new Error('indicator exploded');
        },
      }),
    }) as StrategyDefinition;
    const yaml = `
strategies:
  - name: thrower
    version: 1.0.0
    venue: binance
    instruments: [XRP/USDT]
  - name: sma-cross
    id: sma-d
    version: 1.0.0
    venue: binance
    instruments: [XRP/USDT]
    params: { fast: 2, slow: 3, timeframe: 1s, sizing: { kind: qty, qty: "5" } }
`;
    const r = await makeRunner(h, { strategiesYaml: yaml, definitions: { thrower } });
    await started(r);
    tradeBars('XRPUSDT', 'XRP/USDT', ['10', '9', '8', '7', '12'], barBase());
    const paused = await r.waitFor(noticeOf('paused', 'thrower'), 10_000, 'the thrower to be paused');
    expect(paused.notice).toMatchObject({ code: 'STRATEGY_HANDLER_FAILED', trigger: 'onBar' });
    const event = await r.waitFor(published, 10_000, 'the other strategy to trade');
    expect(event.intent).toMatchObject({ strategyId: 'sma-d', qty: '5' });
    expect([...r.runner.pausedStrategies().keys()]).toEqual(['thrower']);
    expect(r.events.filter(noticeOf('paused'))).toHaveLength(1);
    const logged = r.logs.entries().find((l) => l.strategyId === 'thrower' && l.level === 'error');
    expect(String(logged?.msg)).toContain('indicator exploded');
    await r.runner.stop();
  });

  it('warms up from the Redis quote snapshot and evaluates a polling strategy on its cadence', async () => {
    await h.setMode('ACTIVE');
    const redis = new Redis(REDIS_URL);
    const prefix = `t-${randomUUID()}:`;
    try {
      // The document exactly as the market-data gateway writes it (validated by the shared contract).
      const q = quote('ADA/USDT', '0.51', '0.52');
      const snapshot = MarketSnapshot.parse({
        v: 1,
        venue: 'binance',
        instrument: 'ADA/USDT',
        venueSymbol: 'ADAUSDT',
        feed: { state: 'live', changedAt: q.receivedAt },
        top: {
          bidPrice: '0.51',
          bidQty: '1',
          askPrice: '0.52',
          askQty: '1',
          source: 'quote',
          receivedAt: q.receivedAt,
        },
        depth: null,
        lastTrade: null,
        receivedAt: q.receivedAt,
        writtenAt: q.receivedAt,
      });
      await redis.set(marketSnapshotKey(prefix, 'binance', 'ADAUSDT'), JSON.stringify(snapshot));
      const poller = defineStrategy({
        name: 'poller',
        version: '1.0.0',
        params: z.strictObject({}),
        timeframes: [],
        evaluation: { mode: 'poll', intervalMs: 250 },
        create: () => ({
          onTimer(ctx) {
            const q = ctx.quote('ADA/USDT');
            if (q === undefined || ctx.state.sent === '1') return [];
            return {
              intents: [
                {
                  instrument: 'ADA/USDT',
                  side: 'BUY',
                  qty: '10',
                  style: 'limit',
                  price: q.bidPrice,
                  timeInForce: 'GTC',
                  inputs: { seenBid: q.bidPrice },
                },
              ],
              state: { sent: '1' },
            };
          },
        }),
      }) as StrategyDefinition;
      const yaml = `
strategies:
  - name: poller
    version: 1.0.0
    venue: binance
    instruments: [ADA/USDT]
`;
      const r = await makeRunner(h, {
        strategiesYaml: yaml,
        definitions: { poller },
        snapshots: new RedisQuoteSnapshots(redis, prefix),
      });
      await started(r);
      const event = await r.waitFor(published, 10_000, 'the poller to trade on the snapshot');
      expect(event.intent).toMatchObject({
        style: 'limit',
        price: '0.51',
        inputs: { seenBid: '0.51', trigger: 'onTimer' },
      });
      expect(r.events.filter(published)).toHaveLength(1);
      await r.runner.stop();
    } finally {
      await redis.del(marketSnapshotKey(prefix, 'binance', 'ADAUSDT'));
      redis.disconnect();
    }
  });
});
