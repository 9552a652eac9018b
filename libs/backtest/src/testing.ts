import { readBarsCsv, type Bar } from './data/bars.js';
import { textSource } from './data/source.js';
import {
  defineStrategy,
  type Bar as StrategyBar,
  type IntentDraft,
  type StrategyContext,
  type StrategyDefinition,
} from '@bourse/strategy';
import { z } from 'zod';
import type { BacktestSpec } from './run/spec.js';

// Test-only helpers for the engine tests and benchmarks: small bar sets, a strategy that follows a
// script, a quote-driven one.

export const DAY = 86_400_000;
export const D1 = Date.UTC(2024, 0, 1);

/** Daily bars from `[open, high, low, close, volume]` rows, starting 2024-01-01, read by the real CSV reader. */
export async function dailyBars(rows: readonly (readonly [number, number, number, number, number])[]): Promise<Bar[]> {
  const lines = rows.map(
    ([o, h, l, c, v], i) => `${new Date(D1 + i * DAY).toISOString().slice(0, 10)},${o},${h},${l},${c},${v}`,
  );
  const { rows: bars } = await readBarsCsv(
    textSource(['date,open,high,low,close,volume', ...lines].join('\n')),
  ).toArray();
  return bars;
}

/** What the scripted strategy does on its n-th closed bar (0-based): drafts without the instrument. */
export type ScriptStep = (ctx: StrategyContext, bar: StrategyBar) => Omit<IntentDraft, 'instrument'>[];

/** Every closed bar the scripted strategy saw, with the context's clock and quote at that moment. */
export interface SeenBar {
  readonly bar: StrategyBar;
  readonly now: number;
  readonly bid: string | undefined;
  readonly ask: string | undefined;
}

/** A strategy that emits `script[n]` on its n-th closed bar, recording what it saw into `seen`. */
export function scriptedStrategy(
  script: Readonly<Record<number, ScriptStep>>,
  seen: SeenBar[] = [],
): StrategyDefinition<{ timeframe: string }> {
  return defineStrategy({
    name: 'scripted',
    version: '1.0.0',
    params: z.strictObject({ timeframe: z.string().default('1d') }),
    timeframes: (p) => [p.timeframe],
    evaluation: { mode: 'event', throttleMs: 0 },
    create() {
      let n = 0;
      return {
        onBar(bar, ctx) {
          const q = ctx.quote(bar.symbol);
          seen.push({ bar, now: ctx.now, bid: q?.bidPrice, ask: q?.askPrice });
          const step = script[n++];
          return step === undefined ? [] : step(ctx, bar).map((d) => ({ ...d, instrument: bar.symbol }));
        },
      };
    },
  });
}

/** A market order of a fixed quantity. */
export const market =
  (side: 'BUY' | 'SELL', qty: string): ScriptStep =>
  () => [{ side, qty, style: 'market' }];

/** A backtest spec over the scripted strategy with everything at its neutral default. */
export function scriptedSpec(
  script: Readonly<Record<number, ScriptStep>>,
  overrides: Partial<BacktestSpec> = {},
  seen?: SeenBar[],
): BacktestSpec {
  return {
    strategy: scriptedStrategy(script, seen) as StrategyDefinition,
    params: { timeframe: '1d' },
    symbol: 'TEST/USD',
    cash: '10000',
    execution: { tick: '0.01', lot: '1' },
    longShort: false,
    barMs: DAY,
    ...overrides,
  };
}

/** A quote-driven strategy that buys and sells 0.01 in turn on every `every`-th quote (benchmarks). */
export function quoteFlipper(every: number): StrategyDefinition {
  return defineStrategy({
    name: 'quote-flipper',
    version: '1.0.0',
    params: z.strictObject({}),
    timeframes: [],
    evaluation: { mode: 'event', throttleMs: 0 },
    create() {
      let n = 0;
      let long = false;
      return {
        onQuote(q) {
          if (++n % every !== 0) return [];
          long = !long;
          return [{ instrument: q.instrument, side: long ? 'BUY' : 'SELL', qty: '0.01', style: 'market' }];
        },
      };
    },
  }) as StrategyDefinition;
}
