import type { ExecutionConfig } from '../engine/execution.js';

/**
 * What a backtest was run on and with, so a report can be reproduced: the strategy and every
 * parameter, the data file and its SHA-256, the account and every execution assumption, and the
 * Bourse version that ran it.
 */
export interface RunInfo {
  readonly strategy: string;
  readonly strategyVersion: string;
  /**
   * The hash of the strategy's code (the loader's `codeHash`: the module and what it imports from the
   * user's folder, or a built-in's source), the one the run's intents carry; absent when not known.
   */
  readonly codeHash?: string;
  /** The parameters the strategy ran with (sizing, mode and timeframe included). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The data path as given. */
  readonly data: string;
  /** SHA-256 of the data's bytes (hex); a directory: of its files' names and hashes, sorted. */
  readonly dataSha256: string;
  /** bars, quotes, trades or capture. */
  readonly dataKind: string;
  readonly symbol: string;
  readonly cash: string;
  readonly longShort: boolean;
  /** Ticks: what the strategy's bars were built from (last = trades; mid, bid, ask = quotes). */
  readonly barPrice?: string;
  readonly execution: ExecutionConfig;
  readonly bourseVersion: string;
}

/** A position still open when the data ended, and the price it was closed at. */
export interface CloseoutInfo {
  readonly time: number;
  readonly price: string;
  readonly qty: string;
  readonly side: 'BUY' | 'SELL';
  /** In words: "the last bar's close", "the last quote's bid", ... */
  readonly priceSource: string;
}

/** The run's inputs as labelled rows, in the order the report shows them. */
export function runInputRows(run: RunInfo): [string, string][] {
  const e = run.execution;
  const rows: [string, string][] = [
    ['Strategy', `${run.strategy} ${run.strategyVersion}`],
    ...(run.codeHash !== undefined ? [['Code SHA-256', run.codeHash] as [string, string]] : []),
    ['Parameters', formatParams(run.params)],
    ['Data', run.data],
    ['Data SHA-256', run.dataSha256],
    ['Data kind', run.barPrice === undefined ? run.dataKind : `${run.dataKind} (bars from ${run.barPrice})`],
    ['Instrument', run.symbol],
    ['Cash', run.cash],
    ['Positions', run.longShort ? 'long and short' : 'long only'],
    ['Fill', e.fill],
    [
      'Commission',
      e.makerFeeRate === e.takerFeeRate ? e.takerFeeRate : `maker ${e.makerFeeRate}, taker ${e.takerFeeRate}`,
    ],
    ['Spread [bps]', e.spreadBps],
    ['Slippage', `${e.slippageBps} bps + ${e.slippageImpact} × size / volume`],
    ['Latency [ms]', String(e.latencyMs)],
    ['Lot', e.lot],
    ['Tick', e.tick],
    ['Bourse', run.bourseVersion],
  ];
  return rows;
}

/** `fast=10, slow=30, sizing={"kind":"fraction","fraction":"1"}`: scalars bare, objects as JSON. */
export function formatParams(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** The decimals of a price step: money in the quote asset is shown to this precision (0.01 → 2). */
export function decimalsOf(step: string): number {
  const dot = step.indexOf('.');
  if (dot < 0) return 0;
  return step.slice(dot + 1).replace(/0+$/, '').length;
}
