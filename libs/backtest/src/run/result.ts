import type { ExecutionConfig } from '../engine/execution.js';
import { computeStats } from '../stats/compute-stats.js';
import type { ClosedTrade, EquityPoint } from '../types.js';
import type { BacktestResult, Closeout, DataHeld } from './spec.js';

// A finished run's result: the statistics over its equity curve and round trips, what the run assumed
// and met on the way, and its warnings.

export interface FinishedRun {
  readonly curve: EquityPoint[];
  readonly trades: ClosedTrade[];
  /** Commission paid on every fill, in the quote asset. */
  readonly feesPaid: string;
  readonly execution: ExecutionConfig;
  readonly closeout: Closeout | undefined;
  readonly rejections: string[];
  readonly events: number;
  readonly dataHeld: DataHeld;
  /** Why the strategy received none of the events it asked for, if it did not. */
  readonly starved: string | undefined;
}

export function backtestResult(run: FinishedRun): BacktestResult {
  const { curve, trades } = run;
  const stats = computeStats({ curve, trades, feesPaid: run.feesPaid });
  return {
    stats,
    trades,
    curve,
    execution: run.execution,
    closeout: run.closeout,
    rejections: run.rejections,
    events: run.events,
    dataHeld: { ...run.dataHeld },
    warnings: run.starved === undefined ? [] : [run.starved],
  };
}
