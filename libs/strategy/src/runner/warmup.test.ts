import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Trade, type TradingState } from '@bourse/contracts';
import type { Bar } from '../bars/bar.js';
import { builtinStrategy } from '../builtin/registry.js';
import { defineStrategy } from '../sdk/define-strategy.js';
import type { InstrumentRef, StrategyConfig } from './types.js';
import { RunnerCore } from './runner-core.js';
import type { CoreOutput } from './notices.js';

// Warm-up when the history cannot be read or is off, and closed bars handed in whole (the
// backtester's entry), on the pure core with a hand-set clock. Warm-up fed from venue klines is
// tested with the service's `loadHistory` (services/strategy-runner/src/warmup-history.test.ts).

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const SEC = 1_000;
const T0 = 1_700_000_000_000; // a whole second (and minute)
const active: TradingState = {
  v: 1,
  scope: { kind: 'global' },
  mode: 'ACTIVE',
  reason: 'open',
  setBy: 't',
  updatedAt: T0,
};

function clock(start: number) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}

function trade(price: string, venueTime: number, n: number): Trade {
  return Trade.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueTradeId: String(n),
    price,
    qty: '1',
    aggressor: 'BUY',
    venueTime,
    receivedAt: venueTime,
  });
}

/** Records every closed bar it is given, history or live, in order. */
function recorder(seen: Bar[], bars: number) {
  return defineStrategy({
    name: 'recorder',
    version: '1.0.0',
    params: z.strictObject({}),
    timeframes: ['1s'],
    warmup: [{ timeframe: '1s', bars }],
    evaluation: { mode: 'event', throttleMs: 0 },
    create: () => ({
      onBar(bar) {
        seen.push(bar);
        return [];
      },
    }),
  });
}

function core(strategies: StrategyConfig[], c: ReturnType<typeof clock>, warmupFromHistory = true) {
  const rc = new RunnerCore({
    strategies,
    clock: c,
    ids: {
      next: (() => {
        let n = 0;
        return () => `i-${++n}`;
      })(),
    },
    staleAfterMs: 60_000,
    requireReconciliation: false,
    warmupFromHistory,
  });
  rc.onTradingState('global', active);
  rc.addInstrument(BTC);
  return rc;
}

describe('warm-up', () => {
  it('goes on with live bars when the history cannot be read, and asks for nothing when off', () => {
    const seen: Bar[] = [];
    const c = clock(T0 + 500);
    const rc = core(
      [{ id: 'rec', definition: recorder(seen, 3), version: '1.0.0', params: {}, instruments: [BTC] }],
      c,
    );
    rc.onTrade(trade('100', T0 + 500, 1));
    c.set(T0 + SEC);
    const [request] = rc.onClock().historyRequests;
    c.set(T0 + SEC + 10);
    rc.onTrade(trade('101', T0 + SEC + 10, 2));
    c.set(T0 + 2 * SEC);
    rc.onClock();
    const out = rc.onHistoryFailed(request!, 'venue down');
    expect(out.notices).toMatchObject([{ kind: 'warmed-up', failed: true, bars: 0 }]);
    expect(seen.map((b) => b.close)).toEqual([101]);

    const off: Bar[] = [];
    const c2 = clock(T0 + 500);
    const plain = core(
      [{ id: 'rec', definition: recorder(off, 3), version: '1.0.0', params: {}, instruments: [BTC] }],
      c2,
      false,
    );
    plain.onTrade(trade('100', T0 + 500, 1));
    c2.set(T0 + SEC + 10);
    expect(plain.onTrade(trade('101', T0 + SEC + 10, 2)).historyRequests).toEqual([]);
    c2.set(T0 + 2 * SEC);
    plain.onClock();
    expect(off.map((b) => b.close)).toEqual([101]);
  });
});

describe('RunnerCore.onBar: closed bars handed in whole', () => {
  const bar = (i: number, close: number, over: Partial<Bar> = {}): Bar => ({
    symbol: 'BTC/USDT',
    timeframeMs: SEC,
    openTime: T0 + i * SEC,
    closeTime: T0 + (i + 1) * SEC,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    tradeCount: 1,
    state: 'closed',
    ...over,
  });
  const sma: StrategyConfig = {
    id: 'sma',
    definition: builtinStrategy('sma-cross'),
    version: '1.0.0',
    params: { fast: 2, slow: 3, timeframe: '1s', sizing: { kind: 'qty', qty: '1' } },
    instruments: [BTC],
  };

  it('drives a strategy with no trades at all: the cross on the fifth bar becomes an intent', () => {
    const c = clock(T0);
    const rc = core([sma], c, false);
    const outs: CoreOutput[] = [];
    [10, 10, 10, 9, 12].forEach((close, i) => {
      c.set(T0 + (i + 1) * SEC);
      outs.push(rc.onBar(BTC, bar(i, close)));
    });
    expect(outs.slice(0, 4).flatMap((o) => o.intents)).toEqual([]);
    expect(outs[4]!.intents).toMatchObject([
      { side: 'BUY', inputs: { signal: 'cross-up', close: '12', trigger: 'onBar' } },
    ]);
  });

  it('refuses a forming, foreign, misaligned or repeated bar with a notice; the builder no longer repeats it', () => {
    const seen: Bar[] = [];
    const c = clock(T0 + SEC);
    const rc = core(
      [{ id: 'rec', definition: recorder(seen, 3), version: '1.0.0', params: {}, instruments: [BTC] }],
      c,
      false,
    );
    const refused = (b: Bar) =>
      rc.onBar(BTC, b).notices.map((n) => (n.kind === 'bad-market-data' ? n.message : n.kind));
    expect(refused(bar(0, 1, { state: 'forming' }))).toEqual(['bar rejected: bar is forming, not closed']);
    expect(refused(bar(0, 1, { symbol: 'ETH/USDT' }))).toEqual(['bar rejected: bar is of ETH/USDT, not BTC/USDT']);
    expect(refused(bar(0, 1, { openTime: T0 + 1 }))[0]).toMatch(/not one 1000 ms window aligned/);
    expect(refused(bar(0, 1, { timeframeMs: 60_000 }))[0]).toMatch(/no strategy on BTC\/USDT uses timeframe 60000 ms/);
    expect(refused(bar(0, 100))).toEqual([]);
    expect(refused(bar(0, 100))[0]).toMatch(/not after the last bar delivered/);
    // Trades still reach onTrade, but the runner's own 1s bars would repeat the handed ones: dropped.
    rc.onTrade(trade('200', T0 + SEC + 100, 1));
    c.set(T0 + 3 * SEC);
    rc.onClock();
    expect(seen.map((b) => b.close)).toEqual([100]);
  });
});
