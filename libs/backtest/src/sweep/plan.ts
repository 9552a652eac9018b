import { isStrategyError, type BarPrice, type StrategyDefinition } from '@bourse/strategy';
import type { StrategyRef } from '@bourse/strategy/loader';
import type { DataKind } from '../data/data-input.js';
import type { ExecutionConfig } from '../engine/execution.js';
import type { BacktestSpec } from '../run/spec.js';

/** A strategy parameter's value in a sweep: a number, or a word (a mode, a timeframe). */
export type ParamValue = number | string;

/** One swept parameter and the values it takes, in order. */
export interface ParamAxis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/**
 * One `bourse backtest` command line, checked and in plain data (it crosses to worker threads):
 * everything but the strategy parameters that a sweep varies.
 */
export interface BacktestPlan {
  /**
   * The strategy, as `loadStrategy` (`@bourse/strategy/loader`) finds it: a built-in or a user's module
   * (a worker thread loads it again from this reference).
   */
  readonly strategy: StrategyRef;
  readonly dataPath: string;
  /** What dataPath holds; sweeps take bars only. */
  readonly input: DataKind;
  readonly symbol: string;
  readonly cash: string;
  readonly execution: Partial<ExecutionConfig>;
  readonly longShort: boolean;
  readonly barMs: number;
  /** Ticks: what the strategy's bars are built from (absent for bar data). */
  readonly barPrice?: BarPrice;
  /** Params every run shares: timeframe, sizing and mode from the flags. */
  readonly baseParams: Readonly<Record<string, unknown>>;
  readonly axes: readonly ParamAxis[];
}

/**
 * The spec of one run of the plan with `params` (one combination of the grid), for `strategy`: the
 * definition `plan.strategy` loads to, and the hash of its code (`LoadedStrategy.codeHash`) when given,
 * which the run's intents carry.
 */
export function specFor(
  plan: BacktestPlan,
  params: Readonly<Record<string, ParamValue>>,
  strategy: StrategyDefinition,
  codeHash?: string,
): BacktestSpec {
  const base = { ...common(plan), ...(codeHash !== undefined ? { codeHash } : {}) };
  if (plan.strategy.kind !== 'builtin') {
    return { ...base, strategy, params: acceptedParams(strategy, plan.baseParams, params) };
  }
  // The flags' params first, so `--param timeframe=4h` wins over the timeframe found in the data;
  // sizing and mode come from their own flags and win over a `--param` of the same name.
  return {
    ...base,
    strategy,
    params: {
      timeframe: plan.baseParams['timeframe'],
      ...params,
      sizing: plan.baseParams['sizing'],
      mode: plan.baseParams['mode'],
    },
  };
}

function common(plan: BacktestPlan): Omit<BacktestSpec, 'strategy' | 'params'> {
  return {
    symbol: plan.symbol,
    cash: plan.cash,
    execution: plan.execution,
    longShort: plan.longShort,
    barMs: plan.barMs,
    ...(plan.barPrice !== undefined ? { barPrice: plan.barPrice } : {}),
  };
}

/**
 * A user's strategy has its own params: its `--param`s are given as they are, and the flags' timeframe,
 * sizing and mode (the built-ins' shared params) only where its schema takes them (a key it refuses is
 * dropped, so its own default applies).
 */
function acceptedParams(
  strategy: StrategyDefinition,
  base: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, ParamValue>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...given };
  for (const key of Object.keys(base)) {
    if (Object.hasOwn(given, key)) continue;
    try {
      strategy.parseParams(out);
      return out;
    } catch (err) {
      if (!isStrategyError(err) || !('issues' in err)) throw err;
      const issues = (err as { issues: readonly { path: string; message: string }[] }).issues;
      const refused = issues.some(
        (i) => i.path === key || i.path.startsWith(`${key}.`) || i.message.includes(`"${key}"`),
      );
      if (refused) delete out[key];
    }
  }
  return out;
}
