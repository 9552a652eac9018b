import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Intent, type Quote } from '@bourse/contracts';
import { dec, spotInstrument } from '@bourse/domain';
import { defineStrategy } from './define-strategy.js';
import { createStrategyContext, snapshotContext } from './context.js';
import { completeIntent } from './intent.js';
import { DEFAULT_MAX_DECISION_AGE_MS } from './shelf-life.js';
import {
  InvalidIntentError,
  InvalidStrategyDefinitionError,
  InvalidStrategyParamsError,
  InvalidStrategySetupError,
  InvalidStrategyStateError,
  StrategyHandlerError,
  UnknownStrategyError,
} from './errors.js';
import { builtinStrategies, builtinStrategy } from '../builtin/registry.js';
import { ManualClock, MINUTE, SYMBOL, closedBar } from '../test-support.js';
import type { HandlerResult, IntentDraft, StrategyContext, StrategyHandlers } from '../types.js';

const clock = new ManualClock();
const emptyCtx = () => snapshotContext({}, clock);
const buy: IntentDraft = { instrument: SYMBOL, side: 'BUY', qty: '1', style: 'market', inputs: { why: 'test' } };

/** A strategy whose handlers the test supplies. */
function probe(handlers: StrategyHandlers, extra: { wantsFormingBars?: boolean; timeframes?: string[] } = {}) {
  return defineStrategy({
    name: 'probe',
    version: '0.1.0',
    params: z.strictObject({ n: z.number().int().positive().default(1) }),
    timeframes: extra.timeframes ?? ['1m'],
    wantsFormingBars: extra.wantsFormingBars ?? false,
    evaluation: { mode: 'poll', intervalMs: 500 },
    create: () => handlers,
  }).instantiate({ params: {}, instruments: [SYMBOL] });
}

describe('defineStrategy', () => {
  it('refuses a bad name, version, timeframe or evaluation policy, naming each', () => {
    const bad = () =>
      defineStrategy({
        name: 'Bad Name',
        version: 'v 1',
        params: z.object({}),
        timeframes: ['7x'],
        evaluation: { mode: 'poll', intervalMs: 100 },
        create: () => ({}),
      });
    expect(bad).toThrow(InvalidStrategyDefinitionError);
    const paths = (() => {
      try {
        bad();
      } catch (e) {
        return (e as InvalidStrategyDefinitionError).issues.map((i) => i.path);
      }
    })();
    expect(paths).toEqual(['name', 'version', 'timeframes.0', 'evaluation.intervalMs']);
  });

  it('validates params with the schema (defaults applied, frozen) and names the bad path', () => {
    const def = defineStrategy({
      name: 'p',
      version: '1',
      params: z.strictObject({ window: z.object({ size: z.number().int().min(2) }), label: z.string().default('x') }),
      timeframes: [],
      evaluation: { mode: 'event', throttleMs: 0 },
      create: () => ({}),
    });
    const params = def.parseParams({ window: { size: 3 } });
    expect(params).toEqual({ window: { size: 3 }, label: 'x' });
    expect(Object.isFrozen(params.window)).toBe(true);
    try {
      def.parseParams({ window: { size: 1 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidStrategyParamsError);
      expect((e as InvalidStrategyParamsError).issues.map((i) => i.path)).toEqual(['window.size']);
      expect((e as Error).message).toContain('invalid params for strategy p: window.size:');
    }
  });

  it('refuses instances without valid instruments or with an oversized restored state', () => {
    const def = builtinStrategy('sma-cross');
    const params = { fast: 2, slow: 3, sizing: { kind: 'qty', qty: '1' } };
    expect(() => def.instantiate({ params, instruments: [] })).toThrow(InvalidStrategySetupError);
    expect(() => def.instantiate({ params, instruments: ['btcusdt'] })).toThrow(/instruments\.0/);
    const big = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(() => def.instantiate({ params, instruments: [SYMBOL], state: big })).toThrow(
      /state: holds at most 64 keys/,
    );
  });
});

describe('warm-up declaration', () => {
  const spec = (warmup: unknown) =>
    defineStrategy({
      name: 'warm',
      version: '0.1.0',
      params: z.strictObject({ n: z.number().int().positive().default(3) }),
      timeframes: ['1m', '5m'],
      evaluation: { mode: 'event', throttleMs: 0 },
      warmup: warmup as (p: { n: number }) => { timeframe: string; bars: number }[],
      create: () => ({}),
    });

  it('derives the history from params, one need per timeframe (the most bars), shortest first', () => {
    const def = spec((p: { n: number }) => [
      { timeframe: '5m', bars: p.n },
      { timeframe: '1m', bars: 2 },
      { timeframe: '5m', bars: 1 },
    ]);
    expect(def.instantiate({ params: { n: 7 }, instruments: [SYMBOL] }).warmup).toEqual([
      { label: '1m', ms: MINUTE, bars: 2 },
      { label: '5m', ms: 5 * MINUTE, bars: 7 },
    ]);
    expect(spec(undefined).instantiate({ params: {}, instruments: [SYMBOL] }).warmup).toEqual([]);
    const sma = builtinStrategy('sma-cross').instantiate({
      params: { fast: 5, slow: 20, timeframe: '1m', sizing: { kind: 'qty', qty: '1' } },
      instruments: [SYMBOL],
    });
    expect(sma.warmup).toEqual([{ label: '1m', ms: MINUTE, bars: 20 }]);
  });

  it('refuses a warm-up of a timeframe the strategy does not use, or of a bad size, naming the path', () => {
    expect(() =>
      spec(() => [{ timeframe: '15m', bars: 3 }]).instantiate({ params: {}, instruments: [SYMBOL] }),
    ).toThrow(/warmup\.0\.timeframe: "15m" is not one of the strategy's timeframes/);
    expect(() => spec(() => [{ timeframe: '1m', bars: 0 }]).instantiate({ params: {}, instruments: [SYMBOL] })).toThrow(
      InvalidStrategyDefinitionError,
    );
    expect(() =>
      spec(() => [{ timeframe: '1m', bars: 1001 }]).instantiate({ params: {}, instruments: [SYMBOL] }),
    ).toThrow(/warmup\.0\.bars/);
  });
});

describe('StrategyInstance', () => {
  it('delivers closed bars only, unless the strategy wants forming ones', () => {
    const seen: string[] = [];
    const onBar = (bar: { state: string }) => (seen.push(bar.state), []);
    const forming = { ...closedBar(0, 10), state: 'forming' as const };
    probe({ onBar }).onBar(forming, emptyCtx());
    probe({ onBar }).onBar(closedBar(0, 10), emptyCtx());
    probe({ onBar }, { wantsFormingBars: true }).onBar(forming, emptyCtx());
    expect(seen).toEqual(['closed', 'forming']);
  });

  it('ignores instruments and timeframes it did not ask for', () => {
    let calls = 0;
    const inst = probe({ onBar: () => (calls++, []), onQuote: () => (calls++, []) });
    inst.onBar(closedBar(0, 10, { symbol: 'ETH/USDT' }), emptyCtx());
    inst.onBar(closedBar(0, 10, { timeframeMs: 5 * MINUTE }), emptyCtx());
    inst.onQuote({ instrument: 'ETH/USDT' } as Quote, emptyCtx());
    expect(calls).toBe(0);
    inst.onBar(closedBar(0, 10), emptyCtx());
    expect(calls).toBe(1);
  });

  it('says which handlers the strategy defines (the events it asks for)', () => {
    const inst = probe({ onBar: () => [], onFill: () => [] });
    expect(['onQuote', 'onTrade', 'onBar', 'onTimer', 'onFill'].filter((h) => inst.handles(h as 'onBar'))).toEqual([
      'onBar',
      'onFill',
    ]);
  });

  it('keeps the state a handler returns, shows it on the next call, and refuses a bad one', () => {
    const seen: Record<string, string>[] = [];
    const inst = probe({
      onTimer: (ctx): HandlerResult => {
        seen.push({ ...ctx.state });
        const n = Number(ctx.state.count ?? '0') + 1;
        return n === 3 ? { intents: [], state: { 'bad key': 'x' } } : { intents: [buy], state: { count: String(n) } };
      },
    });
    expect(inst.onTimer(emptyCtx())).toHaveLength(1);
    inst.onTimer(emptyCtx());
    expect(inst.state).toEqual({ count: '2' });
    expect(() => inst.onTimer(emptyCtx())).toThrow(InvalidStrategyStateError);
    expect(inst.state).toEqual({ count: '2' });
    expect(seen).toEqual([{}, { count: '1' }, { count: '2' }]);
    expect(Object.isFrozen(inst.state)).toBe(true);
  });

  it('wraps a throwing handler in StrategyHandlerError with the cause, changing nothing', () => {
    const boom = new RangeError('boom');
    const inst = probe({
      onTimer: () => {
        throw boom;
      },
    });
    try {
      inst.onTimer(emptyCtx());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StrategyHandlerError);
      expect(e).toMatchObject({ code: 'STRATEGY_HANDLER_FAILED', handler: 'onTimer', strategy: 'probe', cause: boom });
    }
  });

  it('checks every draft against the Intent contract and its own instruments', () => {
    const returning = (draft: IntentDraft) => probe({ onTimer: () => [draft] });
    const issues = (draft: IntentDraft) => {
      try {
        returning(draft).onTimer(emptyCtx());
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidIntentError);
        return (e as InvalidIntentError).issues.map((i) => i.path);
      }
    };
    expect(issues({ ...buy, style: 'limit' })).toEqual(['price']);
    expect(issues({ ...buy, qty: '0.1', quoteQty: '5' })).toEqual(['quoteQty']);
    expect(issues({ ...buy, qty: '1e-3' })).toEqual(['qty']);
    expect(issues({ ...buy, instrument: 'ETH/USDT' })).toEqual(['instrument']);
    expect(issues({ ...buy, expiresAt: clock.now() })).toEqual(['expiresAt']);
    const [draft] = returning(buy).onTimer(emptyCtx());
    expect(Object.isFrozen(draft)).toBe(true);
    expect(Object.isFrozen(draft!.inputs)).toBe(true);
  });
});

describe('StrategyContext', () => {
  const spec = spotInstrument(SYMBOL, 'binance', 'BTCUSDT', { tickSize: dec('0.01') });
  const quote = {
    v: 1,
    venue: 'binance',
    instrument: SYMBOL,
    bidPrice: '1',
    bidQty: '1',
    askPrice: '2',
    askQty: '1',
    receivedAt: 5,
  } as Quote;

  it('reads time from the injected clock and hands out frozen copies', () => {
    const source = {
      clock,
      quotes: new Map([[SYMBOL, { ...quote }]]),
    };
    const ctx: StrategyContext = createStrategyContext({
      clock: source.clock,
      quote: (s) => source.quotes.get(s),
      position: (s) => (s === SYMBOL ? { qty: '-0.5', avgPrice: '101' } : undefined),
      openOrders: () => [
        {
          clientOrderId: 'a',
          instrument: SYMBOL,
          side: 'BUY',
          style: 'limit',
          qty: '1',
          filledQty: '0',
          price: '1',
          status: 'new',
        },
        {
          clientOrderId: 'b',
          instrument: 'ETH/USDT',
          side: 'SELL',
          style: 'market',
          qty: '1',
          filledQty: '0',
          status: 'pending-new',
        },
      ],
      equity: () => '1000',
      instrument: (s) => (s === SYMBOL ? spec : undefined),
    });
    clock.time = 42;
    expect(ctx.now).toBe(42);
    clock.time = 43;
    expect(ctx.now).toBe(43);
    expect(ctx.position(SYMBOL)).toEqual({ instrument: SYMBOL, qty: '-0.5', avgPrice: '101' });
    expect(ctx.position('ETH/USDT')).toEqual({ instrument: 'ETH/USDT', qty: '0' });
    expect(ctx.openOrders(SYMBOL).map((o) => o.clientOrderId)).toEqual(['a']);
    expect(ctx.openOrders()).toHaveLength(2);
    expect([ctx.equity, ctx.cash]).toEqual(['1000', undefined]);
    expect(ctx.instrument(SYMBOL)?.tickSize?.toString()).toBe('0.01');

    const q = ctx.quote(SYMBOL)!;
    expect(() => ((q as { bidPrice: string }).bidPrice = '9')).toThrow(TypeError);
    expect(source.quotes.get(SYMBOL)!.bidPrice).toBe('1');
    expect(() => (ctx.openOrders() as unknown[]).push(1)).toThrow(TypeError);
    expect(() => ((ctx.position(SYMBOL) as { qty: string }).qty = '5')).toThrow(TypeError);
    expect(() => ((ctx as { now: number }).now = 1)).toThrow(TypeError);
    expect(() => ((ctx.state as Record<string, string>).x = '1')).toThrow(TypeError);
  });

  it('offers reading only: no member that could send, publish or store', () => {
    expect(Object.keys(emptyCtx()).sort()).toEqual(
      ['cash', 'equity', 'instrument', 'now', 'openOrders', 'position', 'quote', 'state'].sort(),
    );
  });
});

describe('maxDecisionAgeMs', () => {
  const spec = (maxDecisionAgeMs?: unknown) => ({
    name: 'aged',
    version: '0.1.0',
    params: z.strictObject({}),
    timeframes: ['1m'],
    evaluation: { mode: 'poll', intervalMs: 500 } as const,
    ...(maxDecisionAgeMs !== undefined ? { maxDecisionAgeMs: maxDecisionAgeMs as { market: number } } : {}),
    create: () => ({}),
  });
  const instance = (maxDecisionAgeMs?: unknown) =>
    defineStrategy(spec(maxDecisionAgeMs)).instantiate({ params: {}, instruments: [SYMBOL] });

  it('defaults by order style: seconds for market orders, longer for resting limits', () => {
    expect(instance().maxDecisionAgeMs).toEqual(DEFAULT_MAX_DECISION_AGE_MS);
    expect(DEFAULT_MAX_DECISION_AGE_MS.market).toBeLessThanOrEqual(10_000);
    expect(DEFAULT_MAX_DECISION_AGE_MS.limit).toBeGreaterThan(DEFAULT_MAX_DECISION_AGE_MS.market);
  });

  it("takes the strategy's own bounds over the defaults, style by style", () => {
    expect(instance({ market: 2_000 }).maxDecisionAgeMs).toEqual({ ...DEFAULT_MAX_DECISION_AGE_MS, market: 2_000 });
  });

  it('refuses a bound that is not a whole number of ms in range, or an unknown style, naming the path', () => {
    expect(() => instance({ market: 0 })).toThrow(/maxDecisionAgeMs\.market/);
    expect(() => instance({ market: 1.5 })).toThrow(InvalidStrategyDefinitionError);
    expect(() => instance({ iceberg: 1_000 })).toThrow(/maxDecisionAgeMs/);
  });
});

describe('completeIntent', () => {
  const meta = { id: 'i-1', strategyId: 'sma-btc', strategyVersion: '1.0.0', venue: 'binance', createdAt: 1_000 };

  it('fills in the runner-owned fields and returns a contract-valid Intent', () => {
    const intent = completeIntent({ instrument: SYMBOL, side: 'SELL', quoteQty: '250.5', style: 'market' }, meta);
    expect(intent).toEqual({
      v: 1,
      ...meta,
      instrument: SYMBOL,
      side: 'SELL',
      quoteQty: '250.5',
      style: 'market',
      reduceOnly: false,
      inputs: {},
    });
    expect(Intent.safeParse(intent).success).toBe(true);
    expect('qty' in intent).toBe(false);
  });

  it("ends the intent at decision time + the bound, or at the draft's own earlier expiry", () => {
    const market = { instrument: SYMBOL, side: 'BUY', qty: '1', style: 'market' } as const;
    expect(completeIntent(market, { ...meta, maxDecisionAgeMs: 5_000 }).expiresAt).toBe(6_000);
    expect(completeIntent({ ...market, expiresAt: 2_000 }, { ...meta, maxDecisionAgeMs: 5_000 }).expiresAt).toBe(2_000);
    expect(completeIntent({ ...market, expiresAt: 9_000 }, { ...meta, maxDecisionAgeMs: 5_000 }).expiresAt).toBe(6_000);
    expect(completeIntent(market, meta).expiresAt).toBeUndefined();
  });

  it('throws InvalidIntentError naming the path for a bad draft or bad meta', () => {
    expect(() => completeIntent({ ...buy, style: 'stop' }, meta)).toThrow(/stopPrice: is required for style stop/);
    expect(() => completeIntent(buy, { ...meta, strategyId: 'Bad Id' })).toThrow(/strategyId:/);
  });
});

describe('builtinStrategies', () => {
  it('lists the four built-ins by name and refuses an unknown name', () => {
    expect(Object.keys(builtinStrategies).sort()).toEqual(
      ['bollinger-mean-reversion', 'market-maker', 'rsi-threshold', 'sma-cross'].sort(),
    );
    for (const [name, def] of Object.entries(builtinStrategies)) expect(def.name).toBe(name);
    expect(() => builtinStrategy('macd')).toThrow(UnknownStrategyError);
    expect(() => builtinStrategy('toString')).toThrow(/known: /);
  });
});
