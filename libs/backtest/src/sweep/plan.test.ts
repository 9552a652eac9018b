import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStrategy, smaCross, TimeframeLabel } from '@bourse/strategy';
import { specFor, type BacktestPlan } from './plan.js';

// specFor: a built-in gets the flags' timeframe, sizing and mode as always; a user's strategy gets its
// own --params as given and the flags' shared params only where its schema takes them.

const own = defineStrategy({
  name: 'own',
  version: '0.1.0',
  params: z.strictObject({
    period: z.number().int().default(10),
    mode: z.enum(['fast', 'slow']).default('fast'),
    timeframe: TimeframeLabel.default('1m'),
  }),
  timeframes: (p) => [p.timeframe],
  evaluation: { mode: 'event', throttleMs: 0 },
  create: () => ({}),
});

const plan = (strategy: BacktestPlan['strategy']): BacktestPlan => ({
  strategy,
  dataPath: 'bars.csv',
  input: 'bars',
  symbol: 'ASSET/USD',
  cash: '10000',
  execution: {},
  longShort: false,
  barMs: 86_400_000,
  baseParams: { timeframe: '1d', sizing: { kind: 'fraction', fraction: '1' }, mode: 'long-only' },
  axes: [],
});

describe('specFor', () => {
  const module = plan({ kind: 'module', module: './own.ts', baseDir: '/tmp' });

  it("gives a user's strategy the shared params its schema takes, and drops the ones it refuses", () => {
    // sizing: an unknown key of the strict schema; mode: not one of its values; timeframe: taken.
    expect(specFor(module, { period: 5 }, own).params).toEqual({ timeframe: '1d', period: 5 });
    expect(own.parseParams(specFor(module, { period: 5 }, own).params)).toEqual({
      period: 5,
      mode: 'fast',
      timeframe: '1d',
    });
  });

  it("keeps a user's --param of the same name as a shared param", () => {
    expect(specFor(module, { mode: 'slow', timeframe: '4h' }, own).params).toEqual({ mode: 'slow', timeframe: '4h' });
  });

  it('gives a built-in the flags’ timeframe, sizing and mode as before', () => {
    expect(specFor(plan({ kind: 'builtin', name: 'sma-cross' }), { fast: 2, slow: 5 }, smaCross).params).toEqual({
      timeframe: '1d',
      fast: 2,
      slow: 5,
      sizing: { kind: 'fraction', fraction: '1' },
      mode: 'long-only',
    });
  });
});
