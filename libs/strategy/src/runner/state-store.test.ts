import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Trade, type TradingState } from '@bourse/contracts';
import type { Bar } from '../bars/bar.js';
import { builtinStrategy } from '../builtin/registry.js';
import { defineStrategy } from '../sdk/define-strategy.js';
import { StoredStateError } from './errors.js';
import type { CoreOutput } from './notices.js';
import { RunnerCore } from './runner-core.js';
import { MemoryStateStore, StateKeeper, STATE_FORMAT, stateKeyOf, type StoredState } from './state-store.js';
import type { InstrumentRef, StrategyConfig } from './types.js';

// A strategy's own state across a restart and a hand-over, on the pure core and the StateKeeper with
// the in-memory store (the same rules as the runner's PostgreSQL store, which is tested against the
// real server in services/strategy-runner/src/state/pg-state-store.test.ts).

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const SEC = 1_000;
const T0 = 1_700_000_000_000;
const active: TradingState = {
  v: 1,
  scope: { kind: 'global' },
  mode: 'ACTIVE',
  reason: 'open',
  setBy: 't',
  updatedAt: T0,
};

/**
 * Enters once (a BUY, state `phase: in`), counts the bars it holds, and exits (a reduce-only SELL)
 * after `hold` bars. Its position intent lives only in its state: the runner's position stays flat
 * here (no fills), so a strategy that forgot its state would enter again and never exit.
 */
const entryOnce = defineStrategy({
  name: 'entry-once',
  version: '1.0.0',
  params: z.strictObject({ hold: z.number().int().min(1).default(3), warm: z.number().int().min(1).optional() }),
  timeframes: ['1s'],
  warmup: (p) => (p.warm === undefined ? [] : [{ timeframe: '1s', bars: p.warm }]),
  evaluation: { mode: 'event', throttleMs: 0 },
  create: (p) => ({
    onBar(bar, ctx) {
      const s = ctx.state;
      const draft = (side: 'BUY' | 'SELL', held: string) => ({
        instrument: bar.symbol,
        side,
        qty: '1',
        style: 'market' as const,
        ...(side === 'SELL' ? { reduceOnly: true } : {}),
        inputs: { held, barTime: String(bar.openTime) },
      });
      if (s.phase === undefined) return { intents: [draft('BUY', '0')], state: { phase: 'in', held: '0' } };
      if (s.phase !== 'in') return [];
      const held = Number(s.held) + 1;
      if (held >= p.hold)
        return { intents: [draft('SELL', String(held))], state: { phase: 'out', held: String(held) } };
      return { intents: [], state: { phase: 'in', held: String(held) } };
    },
  }),
});

const strategy = (params: object = {}): StrategyConfig => ({
  id: 'once',
  definition: entryOnce,
  version: '1.0.0',
  params,
  instruments: [BTC],
});

function clock(start: number) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}

function newCore(strategies: StrategyConfig[], c: ReturnType<typeof clock>, warmupFromHistory = false) {
  let n = 0;
  const rc = new RunnerCore({
    strategies,
    clock: c,
    ids: { next: () => `i-${++n}` },
    staleAfterMs: 60_000,
    requireReconciliation: false,
    warmupFromHistory,
  });
  rc.onTradingState('global', active);
  return rc;
}

const bar = (i: number, close = 100): Bar => ({
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
});

function feed(rc: RunnerCore, c: ReturnType<typeof clock>, i: number, close = 100): CoreOutput {
  c.set(T0 + (i + 1) * SEC);
  return rc.onBar(BTC, bar(i, close));
}

/** What the shell does with an output: every state change written (in order) before the intents go out. */
async function persist(keeper: StateKeeper, out: CoreOutput) {
  return Promise.all(out.stateChanges.map((ch) => keeper.save(ch)));
}

describe('strategy state in the core', () => {
  it('reports a change after each evaluation that made one, numbered, and nothing when the state stays', () => {
    const c = clock(T0);
    const rc = newCore([strategy({ hold: 3 })], c);
    rc.addInstrument(BTC);
    const first = feed(rc, c, 0);
    expect(first.intents.map((i) => i.side)).toEqual(['BUY']);
    expect(first.stateChanges).toMatchObject([{ strategyId: 'once', seq: 1, state: { phase: 'in', held: '0' } }]);
    expect(feed(rc, c, 1).stateChanges).toMatchObject([{ seq: 2, state: { held: '1' } }]);
    expect(feed(rc, c, 2).stateChanges).toMatchObject([{ seq: 3, state: { phase: 'in', held: '2' } }]);
    const exit = feed(rc, c, 3);
    expect(exit.intents.map((i) => i.side)).toEqual(['SELL']);
    expect(exit.stateChanges).toMatchObject([{ seq: 4, state: { phase: 'out', held: '3' } }]);
    // Out: the handler returns no state, so nothing to write.
    expect(feed(rc, c, 4).stateChanges).toEqual([]);
  });

  it('continues after a restart with the stored state: no second entry, the exit when it is due', async () => {
    const store = new MemoryStateStore();
    const c = clock(T0);
    const first = newCore([strategy({ hold: 3 })], c);
    const keeper1 = new StateKeeper(store, 'runner-1/a');
    first.addInstrument(BTC, undefined, await keeper1.claim(BTC, [strategy()]));
    const sides: string[] = [];
    for (const i of [0, 1]) {
      const out = feed(first, c, i);
      expect((await persist(keeper1, out)).map((r) => r.outcome)).toEqual(['saved']);
      sides.push(...out.intents.map((x) => x.side));
    }
    expect(sides).toEqual(['BUY']);

    // The process dies; a new one (or another runner) claims the instrument and restores the state.
    const second = newCore([strategy({ hold: 3 })], c);
    const keeper2 = new StateKeeper(store, 'runner-2/b');
    const restored = await keeper2.claim(BTC, [strategy()]);
    expect(restored.get('once')).toMatchObject({ state: { phase: 'in', held: '1' }, seq: 2 });
    expect(second.addInstrument(BTC, undefined, restored).notices).toEqual([]);
    const after: string[][] = [];
    for (const i of [2, 3, 4]) {
      const next = feed(second, c, i);
      // Its seq carries on from the stored one, so the store accepts it.
      expect((await persist(keeper2, next)).map((r) => r.outcome)).toEqual(next.stateChanges.map(() => 'saved'));
      after.push(...next.intents.map((x) => [x.side, String(x.inputs['held'])]));
    }
    expect(after).toEqual([['SELL', '3']]);
    expect(store.peek(stateKeyOf('once', BTC))).toMatchObject({ seq: 4, state: { phase: 'out', held: '3' } });
  });

  it("refuses the old holder's late write once another has claimed the instrument", async () => {
    const store = new MemoryStateStore();
    const c = clock(T0);
    const old = newCore([strategy({ hold: 5 })], c);
    const oldKeeper = new StateKeeper(store, 'old');
    old.addInstrument(BTC, undefined, await oldKeeper.claim(BTC, [strategy()]));
    await persist(oldKeeper, feed(old, c, 0));
    const late = feed(old, c, 1); // decided, not yet written, when the lease moves

    const fresh = newCore([strategy({ hold: 5 })], c);
    const newKeeper = new StateKeeper(store, 'new');
    fresh.addInstrument(BTC, undefined, await newKeeper.claim(BTC, [strategy()]));
    expect((await persist(oldKeeper, late)).map((r) => r.outcome)).toEqual(['fenced']);
    expect(store.peek(stateKeyOf('once', BTC))).toMatchObject({ seq: 1, state: { held: '0' } });

    const out = feed(fresh, c, 1);
    expect((await persist(newKeeper, out)).map((r) => r.outcome)).toEqual(['saved']);
    expect(store.peek(stateKeyOf('once', BTC))).toMatchObject({ seq: 2, state: { held: '1' } });
  });

  it('writes in order per key, and a write older than the stored one is refused as stale', async () => {
    const store = new MemoryStateStore();
    const keeper = new StateKeeper(store, 'one');
    await keeper.claim(BTC, [strategy()]);
    const change = (seq: number) => ({
      strategyId: 'once',
      strategyVersion: '1.0.0',
      ref: BTC,
      state: { n: String(seq) },
      seq,
      at: T0 + seq,
    });
    const results = await Promise.all([keeper.save(change(1)), keeper.save(change(3)), keeper.save(change(2))]);
    expect(results.map((r) => r.outcome)).toEqual(['saved', 'saved', 'stale']);
    expect(store.peek(stateKeyOf('once', BTC))).toMatchObject({ seq: 3, state: { n: '3' } });
    await keeper.release(BTC);
    expect((await keeper.save(change(4))).outcome).toBe('not-claimed');
  });

  it('refuses a strategy whose stored state is corrupt or of another format, and starts the others', async () => {
    const sma: StrategyConfig = {
      id: 'sma',
      definition: builtinStrategy('sma-cross'),
      version: '1.0.0',
      params: { fast: 1, slow: 2, timeframe: '1s', sizing: { kind: 'qty', qty: '1' }, mode: 'long-short' },
      instruments: [BTC],
    };
    const stored = (over: Partial<StoredState>): StoredState => ({
      format: STATE_FORMAT,
      state: {},
      seq: 4,
      strategyVersion: '1.0.0',
      savedAt: T0,
      ...over,
    });
    for (const [bad, issue] of [
      [stored({ state: { held: 3 } }), 'held'],
      [stored({ state: ['in'] }), '(root)'],
      [stored({ format: 2, state: { phase: 'in' } }), 'format 2'],
    ] as const) {
      const c = clock(T0);
      const rc = newCore([strategy(), sma], c);
      const out = rc.addInstrument(BTC, undefined, new Map([['once', bad]]));
      expect(out.notices).toHaveLength(1);
      const notice = out.notices[0];
      expect(notice).toMatchObject({ kind: 'state-refused', strategyId: 'once', venueSymbol: 'BTCUSDT' });
      const error = notice?.kind === 'state-refused' ? notice.error : undefined;
      expect(error).toBeInstanceOf(StoredStateError);
      expect((error as StoredStateError).code).toBe('STORED_STATE_INVALID');
      expect((error as StoredStateError).value).toEqual(bad.state);
      expect((error as StoredStateError).message).toContain(issue);
      // The refused strategy never runs (it would BUY on the first bar); sma-cross does (its crosses).
      const intents = [100, 110, 90, 120].flatMap((close, i) => feed(rc, c, i, close).intents);
      expect(intents.length).toBeGreaterThan(0);
      expect(intents.map((i) => i.strategyId)).toEqual(intents.map(() => 'sma'));
    }
  });

  it('undoes what warm-up history bars did to the state (their intents are dropped too)', () => {
    const c = clock(T0 + 500);
    const rc = newCore([strategy({ hold: 1, warm: 3 })], c, true);
    const restored: StoredState = {
      format: STATE_FORMAT,
      state: { phase: 'in', held: '0' },
      seq: 7,
      strategyVersion: '1.0.0',
      savedAt: T0,
    };
    rc.addInstrument(BTC, undefined, new Map([['once', restored]]));
    const trade = (price: string, at: number, n: number) =>
      Trade.parse({
        v: 1,
        venue: 'binance',
        instrument: 'BTC/USDT',
        venueTradeId: String(n),
        price,
        qty: '1',
        aggressor: 'BUY',
        venueTime: at,
        receivedAt: at,
      });
    rc.onTrade(trade('100', T0 + 500, 1));
    c.set(T0 + SEC);
    const [request] = rc.onClock().historyRequests;
    expect(request).toBeDefined();
    // Each history bar decides the exit (dropped); were its state kept, the strategy would be out, flat
    // in its own eyes while its position stays open.
    const warmed = rc.onHistory(request!, [bar(-3), bar(-2), bar(-1)]);
    expect(warmed.notices).toMatchObject([{ kind: 'warmed-up', bars: 3, droppedIntents: 3 }]);
    expect(warmed.intents).toEqual([]);
    expect(warmed.stateChanges).toEqual([]);
    // The first live bar sees the restored state, and exits for real.
    c.set(T0 + SEC + 10);
    rc.onTrade(trade('101', T0 + SEC + 10, 2));
    c.set(T0 + 2 * SEC);
    const live = rc.onClock();
    expect(live.intents.map((i) => i.side)).toEqual(['SELL']);
    expect(live.stateChanges).toMatchObject([{ seq: 8, state: { phase: 'out', held: '1' } }]);
  });
});
