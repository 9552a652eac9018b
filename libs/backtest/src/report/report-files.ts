import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacktestResult } from '../run/spec.js';
import { htmlReport } from './html-report.js';
import { jsonReport } from './json-report.js';
import type { RunInfo } from './run-info.js';
import { equityCurveSvg } from './svg.js';
import { tradesToCsv } from './trades-csv.js';

/** The files `--report <dir>` writes, by name. */
export const REPORT_FILES = ['trades.csv', 'report.json', 'report.html', 'equity.svg'] as const;

/**
 * Writes trades.csv, report.json (the --json object plus the run's inputs, the execution assumptions,
 * where an open position was closed and the run's warnings), report.html and equity.svg into `dir`,
 * creating it.
 */
export async function writeReportFiles(dir: string, run: RunInfo, result: BacktestResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { stats, trades, curve } = result;
  const title = `${run.strategy} on ${run.data}`;
  await writeFile(join(dir, 'trades.csv'), tradesToCsv(trades));
  const json = {
    ...jsonReport(stats, trades),
    run,
    execution: result.execution,
    closeout:
      result.closeout === undefined ? null : { ...result.closeout, time: new Date(result.closeout.time).toISOString() },
    warnings: result.warnings,
  };
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(
    join(dir, 'report.html'),
    htmlReport({
      stats,
      trades,
      curve,
      run,
      ...(result.closeout !== undefined ? { closeout: result.closeout } : {}),
      warnings: result.warnings,
    }),
  );
  await writeFile(join(dir, 'equity.svg'), equityCurveSvg(curve, { title }));
}

/** The execution assumptions and the closeout, as printed under the stats table. */
export function describeExecution(result: BacktestResult): string[] {
  const e = result.execution;
  const lines = [
    `execution: fill ${e.fill}, commission maker ${e.makerFeeRate} taker ${e.takerFeeRate}, spread ${e.spreadBps} bps, ` +
      `slippage ${e.slippageBps} bps + ${e.slippageImpact} × size/volume, latency ${e.latencyMs} ms, lot ${e.lot}, tick ${e.tick}`,
  ];
  if (result.closeout !== undefined) {
    lines.push(
      `open position of ${result.closeout.qty} closed at ${result.closeout.priceSource}, ${result.closeout.price} (${new Date(result.closeout.time).toISOString()})`,
    );
  }
  return lines;
}
