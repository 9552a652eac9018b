import { builtinStrategy, type BarPrice } from '@bourse/strategy';
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
  readonly strategyName: string;
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

/** The spec of one run of the plan with `params` (one combination of the grid). */
export function specFor(plan: BacktestPlan, params: Readonly<Record<string, ParamValue>>): BacktestSpec {
  return {
    strategy: builtinStrategy(plan.strategyName),
    // The flags' params first, so `--param timeframe=4h` wins over the timeframe found in the data;
    // sizing and mode come from their own flags and win over a `--param` of the same name.
    params: {
      timeframe: plan.baseParams['timeframe'],
      ...params,
      sizing: plan.baseParams['sizing'],
      mode: plan.baseParams['mode'],
    },
    symbol: plan.symbol,
    cash: plan.cash,
    execution: plan.execution,
    longShort: plan.longShort,
    barMs: plan.barMs,
    ...(plan.barPrice !== undefined ? { barPrice: plan.barPrice } : {}),
  };
}
