import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Trade, type TradingState } from '@bourse/contracts';
import { defineStrategy } from '../sdk/define-strategy.js';
import { builtinStrategy } from '../builtin/registry.js';
import type { InstrumentRef, StrategyConfig } from './types.js';
import { RunnerCore, unitKey } from './runner-core.js';

// The runner core with a strategy that trades two instruments as one unit: one instance (one host)
// over both legs, its own desks, intents for both legs, suppressed while either leg's data is missing.

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const ETH: InstrumentRef = { venue: 'binance', symbol: 'ETH/USDT', venueSymbol: 'ETHUSDT' };
const T0 = 1_700_000_000_000;

const pair = defineStrategy({
  name: 'pair',
  version: '1.0.0',
  unit: { minInstruments: 2, maxInstruments: 2 },
  params: z.strictObject({}),
  timeframes: ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(_p, setup) {
    const [a, b] = setup.instruments as [string, string];
    return {
      onBars(window, ctx) {
        const n = Number(ctx.state['n'] ?? '0') + 1;
        const ratio = window.bars[a]!.close / window.bars[b]!.close;
        return {
          intents: [
            { instrument: a, side: 'BUY', qty: '1', style: 'market', inputs: { ratio: String(ratio) } },
            { instrument: b, side: 'SELL', qty: '10', style: 'market' },
          ],
          state: { n: String(n) },
        };
      },
    };
  },
});

const unitConfig: StrategyConfig = {
  id: 'pair',
  definition: pair,
  version: '1.0.0',
  params: {},
  instruments: [BTC, ETH],
};
const single: StrategyConfig = {
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

function trade(ref: InstrumentRef, price: string, venueTime: number): Trade {
  return Trade.parse({
    v: 1,
    venue: ref.venue,
    instrument: ref.symbol,
    venueTradeId: `${ref.venueSymbol}-${venueTime}`,
    price,
    qty: '1',
    aggressor: 'BUY',
    venueTime,
    receivedAt: venueTime,
  });
}

function core() {
  let now = T0;
  let n = 0;
  const c = new RunnerCore({
    strategies: [unitConfig, single],
    clock: { now: () => now },
    ids: { next: () => `i-${++n}` },
    staleAfterMs: 10_000,
    requireReconciliation: false,
  });
  c.onTradingState('global', active);
  return { core: c, set: (t: number) => (now = t) };
}

describe('RunnerCore with a unit strategy', () => {
  it('shares out the unit as one lease unit, apart from the instruments of per-instrument strategies', () => {
    const { core: c } = core();
    expect(c.configuredUnits()).toEqual([{ strategyId: 'pair', instruments: [BTC, ETH] }]);
    expect(c.configuredInstruments()).toEqual([BTC]);
    expect(unitKey('pair')).toBe('unit:pair');
  });

  it('runs one instance over both legs and emits intents for both, once both legs closed a bar', () => {
    const { core: c, set } = core();
    c.addUnit('pair');
    expect(c.ownedUnits()).toEqual(['pair']);
    expect(c.ownedInstruments()).toEqual([]);
    const intents = [];
    const changes = [];
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * 1000 + 5;
      set(t);
      for (const out of [c.onTrade(trade(BTC, String(100 + i), t)), c.onTrade(trade(ETH, String(10 + i), t))]) {
        intents.push(...out.intents);
        changes.push(...out.stateChanges);
      }
    }
    set(T0 + 3000 + 1);
    const closed = c.onClock();
    intents.push(...closed.intents);
    changes.push(...closed.stateChanges);
    // Window 0 opened before the first trade (T0 + 5): incomplete, dropped. Windows 1 and 2 each give
    // one decision of two legs.
    expect(intents).toHaveLength(4);
    expect(new Set(intents.map((i) => i.instrument))).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));
    expect(intents.every((i) => i.strategyId === 'pair')).toBe(true);
    // One instance: its state counts decisions across both legs, kept under the first leg.
    expect(changes.map((s) => s.state['n'])).toEqual(
      Array.from({ length: intents.length / 2 }, (_, k) => String(k + 1)),
    );
    expect(changes.every((s) => s.ref.symbol === 'BTC/USDT')).toBe(true);
  });

  it('suppresses the unit while one leg has no market data, naming the leg', () => {
    const { core: c, set } = core();
    c.addUnit('pair');
    const notices = [];
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * 1000 + 5;
      set(t);
      notices.push(...c.onTrade(trade(BTC, String(100 + i), t)).notices);
    }
    set(T0 + 3001);
    notices.push(...c.onClock().notices);
    // No ETH bar: no window completes, nothing is decided.
    expect(notices.filter((n) => n.kind === 'suppressed')).toEqual([]);
    c.removeUnit('pair');
    expect(c.ownedUnits()).toEqual([]);
  });

  it('starts the unit from its restored state (by strategy id), and refuses an unusable one', () => {
    const { core: c, set } = core();
    const stored = { format: 1, state: { n: '7' }, seq: 3, strategyVersion: '1.0.0', savedAt: T0 };
    expect(c.addUnit('pair', undefined, new Map([['pair', stored]])).notices).toEqual([]);
    const changes = [];
    for (let i = 0; i < 2; i++) {
      const t = T0 + i * 1000 + 5;
      set(t);
      changes.push(...c.onTrade(trade(BTC, '100', t)).stateChanges, ...c.onTrade(trade(ETH, '10', t)).stateChanges);
    }
    set(T0 + 2001);
    changes.push(...c.onClock().stateChanges);
    expect(changes[0]).toMatchObject({ strategyId: 'pair', state: { n: '8' }, seq: 4 });
    const corrupt = { format: 9, state: {}, seq: 1, strategyVersion: '1.0.0', savedAt: T0 };
    const refused = core().core.addUnit('pair', undefined, new Map([['pair', corrupt]]));
    expect(refused.notices.map((n) => n.kind)).toEqual(['state-refused']);
  });
});
