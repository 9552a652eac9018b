import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExecutionEvent, Quote, ReconciliationReport, RiskDecision, Trade, type TradingState } from '@bourse/contracts';
import { instrumentFromJson } from '@bourse/domain';
import { builtinStrategy } from '../builtin/registry.js';
import { defineStrategy } from '../sdk/define-strategy.js';
import type { StrategyDefinition } from '../types.js';
import type { InstrumentRef, StrategyConfig } from './types.js';
import { RunnerCore } from './runner-core.js';

// The core driven directly with a hand-set clock: no servers, no timers.

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const T0 = 1_700_000_000_000;

function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t), advance: (d: number) => (now += d) };
}

function ids() {
  let n = 0;
  return { next: () => `i-${++n}` };
}

const sma: StrategyConfig = {
  id: 'sma',
  definition: builtinStrategy('sma-cross'),
  version: '1.0.0',
  params: { fast: 2, slow: 3, timeframe: '1s', sizing: { kind: 'qty', qty: '1' } },
  instruments: [BTC],
};

const active: TradingState = {
  v: 1,
  scope: { kind: 'global' },
  mode: 'ACTIVE',
  reason: 'open',
  setBy: 'test',
  updatedAt: T0,
};

function recon(verdict: 'ok' | 'drift-halted', finishedAt: number, runId = `run-${finishedAt}`): ReconciliationReport {
  return ReconciliationReport.parse({
    v: 1,
    runId,
    venue: 'binance',
    trigger: 'start',
    startedAt: finishedAt - 100,
    finishedAt,
    counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
    differences: { orders: [], fills: [], balances: [], positions: [] },
    missedFillsRecovered: [],
    unknownOpenOrders: [],
    drift: { value: verdict === 'ok' ? '0' : '50', tolerance: '10', asset: 'USDT' },
    verdict,
  });
}
const reconOk = recon('ok', T0 - 1_000);

function trade(price: string, venueTime: number, receivedAt: number, n = venueTime): Trade {
  return Trade.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueTradeId: String(n),
    price,
    qty: '1',
    aggressor: 'BUY',
    venueTime,
    receivedAt,
  });
}

function quote(receivedAt: number, bid = '100', ask = '101'): Quote {
  return Quote.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    bidPrice: bid,
    bidQty: '1',
    askPrice: ask,
    askQty: '1',
    receivedAt,
  });
}

/** The risk gate's acceptance of `intentId` under `clientOrderId`. */
function accepted(intentId: string, strategyId: string, clientOrderId: string): RiskDecision {
  return RiskDecision.parse({
    v: 1,
    outcome: 'accepted',
    intentId,
    strategyId,
    instrument: 'BTC/USDT',
    decidedAt: T0,
    clientOrderId,
  });
}

/** An order-status event on EXEC for `clientOrderId`; nothing filled unless `filled` says so. */
function orderStatus(
  clientOrderId: string,
  eventId: string,
  status: string,
  filled?: { qty: string; quote: string; avgPrice: string },
): ExecutionEvent {
  return ExecutionEvent.parse({
    v: 1,
    type: 'order-status',
    eventId,
    venue: 'binance',
    instrument: 'BTC/USDT',
    clientOrderId,
    venueOrderId: '9',
    status,
    filledQty: filled?.qty ?? '0',
    cumulativeQuoteQty: filled?.quote ?? '0',
    ...(filled !== undefined ? { avgPrice: filled.avgPrice } : {}),
    venueTime: T0,
  });
}

/** One trade per 1 s bar from `start` (aligned); the clock follows the trades. */
function feedBars(core: RunnerCore, c: ReturnType<typeof clock>, closes: string[], start: number) {
  const out = [];
  for (const [i, price] of closes.entries()) {
    c.set(start + i * 1000 + 10);
    out.push(core.onTrade(trade(price, start + i * 1000, c.now())));
  }
  c.set(start + closes.length * 1000 + 10);
  out.push(core.onClock());
  return {
    intents: out.flatMap((o) => o.intents),
    notices: out.flatMap((o) => o.notices),
  };
}

describe('RunnerCore', () => {
  it('emits nothing until a global ACTIVE is seen (safe start), then the cross as an Intent', () => {
    const c = clock();
    const core = new RunnerCore({ strategies: [sma], clock: c, ids: ids(), staleAfterMs: 5_000 });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    const first = feedBars(core, c, ['10', '9', '8', '7', '12'], T0);
    expect(first.intents).toEqual([]);
    expect(first.notices).toMatchObject([{ kind: 'suppressed', reason: 'trading-halted', strategyId: 'sma' }]);

    core.onTradingState('global', active);
    const second = feedBars(core, c, ['6', '5', '4', '20'], T0 + 5_000);
    expect(second.intents).toHaveLength(1);
    // i-1 went to the suppressed intent: ids are given when an intent is made, published or not.
    expect(second.intents[0]).toMatchObject({ id: 'i-2', strategyVersion: '1.0.0', side: 'BUY', qty: '1' });
  });

  it('builds bars from quotes (BAR_PRICE mid, bid, ask): a quote-only feed gives a bar strategy its cross', () => {
    // sma 2/3 on 1 s bars; one quote per bar, mid = bid + 0.5. The same closes as the trade test above.
    const run = (barPrice: 'mid' | 'bid' | 'last') => {
      const c = clock();
      const core = new RunnerCore({ strategies: [sma], clock: c, ids: ids(), staleAfterMs: 5_000, barPrice });
      core.onReconReport(reconOk);
      core.onTradingState('global', active);
      core.addInstrument(BTC);
      const intents = [];
      for (const [i, bid] of ['10', '9', '8', '7', '12'].entries()) {
        c.set(T0 + i * 1000 + 10);
        const q = Quote.parse({ ...quote(c.now(), bid, String(Number(bid) + 1)), venueTime: T0 + i * 1000 });
        intents.push(...core.onQuote(q).intents);
        // A trade far off the quotes: it must not move a quote bar.
        intents.push(...core.onTrade(trade('500', T0 + i * 1000 + 5, c.now(), i)).intents);
      }
      c.set(T0 + 5_000 + 10);
      intents.push(...core.onClock().intents);
      return intents;
    };
    // mid closes 10.5 9.5 8.5 7.5 12.5: the fast average crosses above the slow on the last bar.
    expect(run('mid')).toMatchObject([{ side: 'BUY', qty: '1', inputs: { close: '12.5' } }]);
    expect(run('bid')).toMatchObject([{ side: 'BUY', inputs: { close: '12' } }]);
    // Trade bars from one price (500) never cross.
    expect(run('last')).toEqual([]);
  });

  it("ends every intent's shelf life at its decision time + the bound for its style; the user's bound wins", () => {
    const run = (strategy: StrategyConfig) => {
      const c = clock();
      const core = new RunnerCore({ strategies: [strategy], clock: c, ids: ids(), staleAfterMs: 5_000 });
      core.onReconReport(reconOk);
      core.onTradingState('global', active);
      core.addInstrument(BTC);
      const [intent] = feedBars(core, c, ['10', '9', '8', '7', '12'], T0).intents;
      if (intent === undefined) throw new Error('no intent');
      return intent;
    };
    const byDefault = run(sma);
    expect(byDefault.style).toBe('market');
    expect(byDefault.expiresAt).toBe(byDefault.createdAt + 5_000);
    const bounded = run({ ...sma, maxDecisionAgeMs: { market: 1_500, limit: 60_000 } });
    expect(bounded.expiresAt).toBe(bounded.createdAt + 1_500);
  });

  it('safe start: emits nothing until the latest reconciliation says ok; a later drift-halted blocks again', () => {
    const c = clock();
    const fresh = () => {
      const core = new RunnerCore({ strategies: [sma], clock: c, ids: ids(), staleAfterMs: 5_000 });
      core.onTradingState('global', active);
      core.addInstrument(BTC);
      return core;
    };
    const core = fresh();
    const none = feedBars(core, c, ['10', '9', '8', '7', '12'], T0);
    expect(none.intents).toEqual([]);
    expect(none.notices).toMatchObject([{ kind: 'suppressed', reason: 'reconciliation-pending' }]);

    core.onReconReport(recon('drift-halted', T0 + 5_000));
    const failed = feedBars(core, c, ['6', '5', '4', '20'], T0 + 5_000);
    expect(failed.intents).toEqual([]);
    expect(failed.notices).toMatchObject([
      { kind: 'suppressed', reason: 'reconciliation-failed', detail: expect.stringContaining('drift-halted') },
    ]);

    // An older ok delivered late does not override the newer failure; a newer ok does.
    core.onReconReport(recon('ok', T0 + 4_000));
    const stillFailed = feedBars(core, c, ['19', '18', '17', '30'], T0 + 9_000);
    expect(stillFailed.notices).toMatchObject([{ reason: 'reconciliation-failed' }]);
    core.onReconReport(recon('ok', T0 + 13_000));
    const ok = feedBars(core, c, ['29', '28', '27', '40'], T0 + 13_000);
    expect(ok.intents).toHaveLength(1);

    // Where no reconciler runs, the requirement can be switched off explicitly.
    const off = new RunnerCore({
      strategies: [sma],
      clock: c,
      ids: ids(),
      staleAfterMs: 5_000,
      requireReconciliation: false,
    });
    off.onTradingState('global', active);
    off.addInstrument(BTC);
    expect(feedBars(off, c, ['39', '38', '37', '50'], T0 + 17_000).intents).toHaveLength(1);
  });

  it('REDUCING lets only reduce-only intents through; an instrument HALT wins over a global ACTIVE', () => {
    const c = clock();
    const core = new RunnerCore({ strategies: [sma], clock: c, ids: ids(), staleAfterMs: 5_000 });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onTradingState('global', { ...active, mode: 'REDUCING' });
    const reducing = feedBars(core, c, ['10', '9', '8', '7', '12'], T0);
    expect(reducing.intents).toEqual([]);
    expect(reducing.notices).toMatchObject([{ reason: 'trading-reducing' }]);

    core.onTradingState('global', active);
    core.onTradingState('instrument.BTCUSDT', {
      ...active,
      scope: { kind: 'instrument', symbol: 'BTCUSDT' },
      mode: 'HALTED',
    });
    const halted = feedBars(core, c, ['6', '5', '4', '20'], T0 + 5_000);
    expect(halted.notices).toMatchObject([{ reason: 'trading-halted', detail: expect.stringContaining('instrument') }]);
  });

  it('suppresses a decision made on stale data', () => {
    const c = clock();
    const core = new RunnerCore({ strategies: [sma], clock: c, ids: ids(), staleAfterMs: 500 });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onTradingState('global', active);
    // Trades received long before the clock reaches their bars' close.
    const closes = ['10', '9', '8', '7', '12'];
    for (const [i, price] of closes.entries()) core.onTrade(trade(price, T0 + i * 1000, T0));
    c.set(T0 + 6_000);
    const stale = core.onClock();
    expect(stale.intents).toEqual([]);
    expect(stale.notices).toMatchObject([{ kind: 'suppressed', reason: 'feed-stale' }]);
  });

  it('pauses a strategy that throws, on every instrument, and keeps the others running', () => {
    const thrower = defineStrategy({
      name: 'thrower',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onQuote() {
          throw new Error('boom');
        },
      }),
    }) as StrategyDefinition;
    const quoter = defineStrategy({
      name: 'quoter',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onQuote: (q) => [{ instrument: q.instrument, side: 'BUY' as const, qty: '1', style: 'market' as const }],
      }),
    }) as StrategyDefinition;
    const c = clock();
    const core = new RunnerCore({
      strategies: [
        { id: 'thrower', definition: thrower, version: '1', params: {}, instruments: [BTC] },
        { id: 'quoter', definition: quoter, version: '1', params: {}, instruments: [BTC] },
      ],
      clock: c,
      ids: ids(),
      staleAfterMs: 5_000,
    });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onTradingState('global', active);
    const out = core.onQuote(quote(T0 - 3));
    expect(out.notices).toMatchObject([{ kind: 'paused', strategyId: 'thrower', code: 'STRATEGY_HANDLER_FAILED' }]);
    expect(out.intents.map((i) => i.strategyId)).toEqual(['quoter']);
    // The quote's receive time travels with the intent, for the order manager's tick-to-trade.
    expect(out.intents[0]?.marketDataAt).toBe(T0 - 3);
    const again = core.onQuote(quote(T0 + 1));
    expect(again.notices).toEqual([]);
    expect(again.intents.map((i) => i.strategyId)).toEqual(['quoter']);
    expect(core.pausedStrategies().get('thrower')).toMatchObject({ message: expect.stringContaining('boom') });
  });

  it('throttles quote evaluations and evaluates the latest quote at the end of the window', () => {
    const seen: string[] = [];
    const watcher = defineStrategy({
      name: 'watcher',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 100 },
      create: () => ({
        onQuote: (q) => {
          seen.push(q.bidPrice);
          return [];
        },
      }),
    }) as StrategyDefinition;
    const c = clock();
    const core = new RunnerCore({
      strategies: [{ id: 'watcher', definition: watcher, version: '1', params: {}, instruments: [BTC] }],
      clock: c,
      ids: ids(),
      staleAfterMs: 5_000,
    });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onQuote(quote(c.now(), '1', '2'));
    c.advance(10);
    core.onQuote(quote(c.now(), '2', '3'));
    c.advance(10);
    core.onQuote(quote(c.now(), '3', '4'));
    expect(seen).toEqual(['1']);
    expect(core.nextWakeAt()).toBe(T0 + 100);
    c.set(T0 + 100);
    core.onClock();
    expect(seen).toEqual(['1', '3']);
  });

  it('counts an emitted intent as an open order until its risk decision, and moves the position on fills only', () => {
    const echo = defineStrategy({
      name: 'echo',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onQuote: (q, ctx) =>
          ctx.openOrders().length > 0
            ? []
            : [{ instrument: q.instrument, side: 'BUY' as const, qty: '2', style: 'market' as const }],
      }),
    }) as StrategyDefinition;
    const c = clock();
    const strategies = [{ id: 'echo', definition: echo, version: '1', params: {}, instruments: [BTC] }];
    const core = new RunnerCore({ strategies, clock: c, ids: ids(), staleAfterMs: 5_000 });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onTradingState('global', active);
    const first = core.onQuote(quote(T0));
    expect(first.intents).toHaveLength(1);
    expect(core.onQuote(quote(T0 + 1)).intents).toEqual([]);
    const clientOrderId = 'echo:1:0000abcdefgh001';
    core.onRiskDecision(accepted(first.intents[0]!.id, 'echo', clientOrderId));
    expect(core.onQuote(quote(T0 + 2)).intents).toEqual([]);
    const fill = ExecutionEvent.parse({
      v: 1,
      type: 'fill',
      eventId: 'f1',
      venue: 'binance',
      venueFillId: '1',
      clientOrderId,
      venueOrderId: '9',
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '2',
      price: '100',
      fee: '0',
      feeAsset: 'USDT',
      liquidity: 'taker',
      venueTime: T0,
    });
    core.onExecution(fill);
    core.onExecution(fill); // replayed: applied once
    core.onExecution(orderStatus(clientOrderId, 's1', 'filled', { qty: '2', quote: '200', avgPrice: '100' }));
    // Filled and terminal: no open order any more, so the strategy sends again.
    expect(core.onQuote(quote(T0 + 3)).intents).toHaveLength(1);
  });

  it('an order’s own pending-new arriving after a partial fill does not take its view back', () => {
    const seen: { status: string; filledQty: string }[][] = [];
    const resting = defineStrategy({
      name: 'resting',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onQuote: (q, ctx) => {
          const open = ctx.openOrders();
          seen.push(open.map((o) => ({ status: o.status, filledQty: o.filledQty })));
          return open.length > 0
            ? []
            : [{ instrument: q.instrument, side: 'BUY' as const, qty: '2', style: 'limit' as const, price: '99' }];
        },
      }),
    }) as StrategyDefinition;
    const strategies = [{ id: 'resting', definition: resting, version: '1', params: {}, instruments: [BTC] }];
    const core = new RunnerCore({ strategies, clock: clock(), ids: ids(), staleAfterMs: 5_000 });
    core.onReconReport(reconOk);
    core.addInstrument(BTC);
    core.onTradingState('global', active);
    const [intent] = core.onQuote(quote(T0)).intents;
    const clientOrderId = 'resting:1:0000abcdefgh001';
    core.onRiskDecision(accepted(intent!.id, 'resting', clientOrderId));
    core.onExecution(orderStatus(clientOrderId, 's2', 'partially-filled', { qty: '1', quote: '99', avgPrice: '99' }));
    core.onExecution(orderStatus(clientOrderId, 's1', 'pending-new')); // the OMS's own first event, published late
    core.onQuote(quote(T0 + 1));
    expect(seen.at(-1)).toEqual([{ status: 'partially-filled', filledQty: '1' }]);
  });

  it('gives strategies the instrument spec the runner knows as ctx.instrument', () => {
    const spec = instrumentFromJson({
      symbol: 'BTC/USDT',
      base: 'BTC',
      quote: 'USDT',
      venue: 'binance',
      venueSymbol: 'BTCUSDT',
      trading: true,
      tickSize: '0.01',
      stepSize: '0.001',
      minNotionalAppliesToMarket: true,
      maxNotionalAppliesToMarket: false,
      multiplier: '1',
    });
    const seen: unknown[] = [];
    const reader = defineStrategy({
      name: 'reader',
      version: '1',
      params: z.strictObject({}),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({
        onQuote: (q, ctx) => {
          seen.push(ctx.instrument(q.instrument)?.tickSize?.toString(), ctx.instrument('ETH/USDT'));
          return [];
        },
      }),
    }) as StrategyDefinition;
    const c = clock();
    const core = new RunnerCore({
      strategies: [{ id: 'reader', definition: reader, version: '1', params: {}, instruments: [BTC] }],
      clock: c,
      ids: ids(),
      staleAfterMs: 5_000,
      instrumentSpec: (venue, symbol) => (venue === 'binance' && symbol === 'BTC/USDT' ? spec : undefined),
    });
    core.addInstrument(BTC);
    core.onQuote(quote(T0));
    expect(seen).toEqual(['0.01', undefined]);
  });
});
