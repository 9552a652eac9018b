import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Trade, type TradingState } from '@bourse/contracts';
import {
  RunnerCore,
  builtinStrategy,
  defineStrategy,
  type Bar,
  type InstrumentRef,
  type StrategyConfig,
} from '@bourse/strategy';
import type { Kline, KlineInterval } from '@bourse/venues';
import { loadHistory, type KlineSource } from './klines-history.js';

// Warm-up from venue history: the service's `loadHistory` (klines → closed bars) feeding the pure
// core (`RunnerCore`, `@bourse/strategy`) with a hand-set clock. The venue's klines come from a plain
// function standing in for the feed port (`MarketDataFeed.klines`): it answers the newest candles,
// the last one still forming. The core's own warm-up cases are in libs/strategy/src/runner/warmup.test.ts.

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

/** A venue with a one-second candle per window from `from` on, close = 100 + window index. */
function fakeVenue(from: number) {
  const calls: { interval: KlineInterval; limit: number }[] = [];
  let now = from;
  const source: KlineSource = (symbol, interval, limit) => {
    calls.push({ interval, limit });
    const candles: Kline[] = [];
    for (let t = from; t <= now; t += SEC) {
      const close = String(100 + (t - from) / SEC);
      candles.push({
        symbol,
        openTime: t,
        closeTime: t + SEC - 1,
        open: close,
        high: close,
        low: close,
        close,
        volume: '1',
        trades: 1,
      });
    }
    return Promise.resolve(candles.slice(-limit));
  };
  return { source, calls, setNow: (t: number) => (now = t) };
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

describe('warm-up from venue klines', () => {
  it('feeds history up to the seam, then the live bars: no gap, no duplicate', async () => {
    const seen: Bar[] = [];
    const c = clock(T0 + 30 * SEC + 400);
    const rc = core(
      [{ id: 'rec', definition: recorder(seen, 5), version: '1.0.0', params: {}, instruments: [BTC] }],
      c,
    );
    const venue = fakeVenue(T0);
    // Joined mid-window: the first trade at 30.4 s; its window's bar is incomplete, the seam is 31 s.
    expect(rc.onTrade(trade('130', T0 + 30 * SEC + 400, 1)).historyRequests).toEqual([]);
    expect(rc.nextWakeAt()).toBe(T0 + 31 * SEC);
    c.set(T0 + 31 * SEC);
    const out = rc.onClock();
    expect(out.historyRequests).toEqual([
      { id: 1, ref: BTC, timeframeMs: SEC, label: '1s', bars: 5, before: T0 + 31 * SEC },
    ]);
    // Live bars keep closing while the venue answers; they are held, not shown before the history.
    c.set(T0 + 31 * SEC + 500);
    rc.onTrade(trade('131', T0 + 31 * SEC + 500, 2));
    c.set(T0 + 32 * SEC + 100);
    rc.onTrade(trade('132', T0 + 32 * SEC + 100, 3));
    expect(seen).toEqual([]);
    // The venue is slow: by the time it answers, its newest candle is the one forming at 32 s.
    venue.setNow(T0 + 32 * SEC);
    const history = await loadHistory(venue.source, out.historyRequests[0]!, c.now());
    expect(venue.calls).toEqual([{ interval: '1s', limit: 5 + 2 + 1 }]);
    const fed = rc.onHistory(out.historyRequests[0]!, history);
    const opens = seen.map((b) => (b.openTime - T0) / SEC);
    expect(opens).toEqual([26, 27, 28, 29, 30, 31]);
    expect(seen.map((b) => b.close)).toEqual([126, 127, 128, 129, 130, 131]);
    expect(fed.notices).toMatchObject([{ kind: 'warmed-up', bars: 5, failed: false, strategyIds: ['rec'] }]);
    // Later live bars go straight through; the same answer twice changes nothing.
    c.set(T0 + 33 * SEC);
    rc.onClock();
    expect(seen.map((b) => (b.openTime - T0) / SEC)).toEqual([26, 27, 28, 29, 30, 31, 32]);
    expect(rc.onHistory(out.historyRequests[0]!, history).notices).toEqual([]);
    expect(seen).toHaveLength(7);
  });

  it('lets sma-cross (slow 20) signal on the first live bar, intents on history dropped', async () => {
    const c = clock(T0 + 40 * SEC + 200);
    const sma: StrategyConfig = {
      id: 'sma',
      definition: builtinStrategy('sma-cross'),
      version: '1.0.0',
      params: { fast: 5, slow: 20, timeframe: '1s', sizing: { kind: 'qty', qty: '1' } },
      instruments: [BTC],
    };
    const rc = core([sma], c);
    // History: flat at 100 for 20 bars (windows 20..39): fast = slow, no cross in it.
    const source: KlineSource = (symbol, _interval, limit) =>
      Promise.resolve(
        Array.from({ length: 20 }, (_, i) => ({
          symbol,
          openTime: T0 + (20 + i) * SEC,
          closeTime: T0 + (21 + i) * SEC - 1,
          open: '100',
          high: '100',
          low: '100',
          close: i === 19 ? '99' : '100',
          volume: '1',
          trades: 1,
        })).slice(-limit),
      );
    rc.onTrade(trade('99', T0 + 40 * SEC + 200, 1));
    c.set(T0 + 41 * SEC);
    const [request] = rc.onClock().historyRequests;
    rc.onHistory(request!, await loadHistory(source, request!, c.now()));
    // The first live bar (41 s) jumps: the fast average crosses the slow one at once.
    c.set(T0 + 41 * SEC + 100);
    rc.onTrade(trade('120', T0 + 41 * SEC + 100, 2));
    c.set(T0 + 42 * SEC);
    const out = rc.onClock();
    expect(out.intents).toHaveLength(1);
    expect(out.intents[0]).toMatchObject({
      side: 'BUY',
      inputs: { signal: 'cross-up', barTime: String(T0 + 41 * SEC) },
    });
  });
});
