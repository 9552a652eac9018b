import { describe, it, expect, expectTypeOf } from 'vitest';
import { decodeMessage } from './decode.js';
import type { TradingStateScope as SubjectsScope } from './subjects.js';
import { tradingStateKey } from './subjects.js';
import { TradingState, TradingStateScope } from './trading-state.js';
import { violationPaths } from './test-support.js';

const halted = {
  v: 1,
  scope: { kind: 'instrument', symbol: 'BTCUSDT' },
  mode: 'HALTED',
  reason: 'reconciliation drift 12.5 USDT over tolerance 10',
  setBy: 'reconciler',
  updatedAt: 1_700_000_000_000,
};

describe('TradingStateScope', () => {
  it('has the same shape as the scope subjects.ts keys by', () => {
    expectTypeOf<TradingStateScope>().toEqualTypeOf<SubjectsScope>();
  });

  it.each([
    { kind: 'global' },
    { kind: 'instrument', symbol: 'BTCUSDT' },
    { kind: 'strategy', strategyId: 'sma-cross' },
  ])('decodes %j into a scope tradingStateKey accepts', (scope) => {
    const decoded = decodeMessage('TradingStateScope', TradingStateScope, scope);
    expect(() => tradingStateKey(decoded)).not.toThrow();
  });

  it('rejects a symbol that cannot be a key token', () => {
    expect(violationPaths(TradingStateScope, { kind: 'instrument', symbol: 'BTC.USDT' })).toEqual(['symbol']);
    expect(violationPaths(TradingStateScope, { kind: 'strategy', strategyId: '*' })).toEqual(['strategyId']);
    expect(violationPaths(TradingStateScope, { kind: 'venue' })).toEqual(['kind']);
  });
});

describe('TradingState', () => {
  it('accepts a halted instrument', () => {
    expect(decodeMessage('TradingState', TradingState, halted)).toEqual(halted);
  });

  it.each([
    ['an unknown mode', { ...halted, mode: 'PAUSED' }, ['mode']],
    ['a lower-case mode', { ...halted, mode: 'halted' }, ['mode']],
    ['an empty reason', { ...halted, reason: '' }, ['reason']],
    ['a scope missing its symbol', { ...halted, scope: { kind: 'instrument' } }, ['scope.symbol']],
    ['a missing setBy', { ...halted, setBy: undefined }, ['setBy']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(TradingState, value)).toEqual(paths);
  });
});
