import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Stats } from '../types.js';
import type { BacktestPlan, ParamValue } from './plan.js';

// `--param fast=5..30:5`: every combination of the grid, run across worker threads (one backtest at a
// time per worker, jobs handed out as workers finish), then ranked by one statistic.

export interface SweepJob {
  readonly index: number;
  readonly params: Readonly<Record<string, ParamValue>>;
}

export type SweepReply =
  | { readonly index: number; readonly stats: Stats; readonly error?: undefined }
  | { readonly index: number; readonly error: string; readonly stats?: undefined };

export interface SweepRow {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly stats: Stats | undefined;
  /** Why this combination has no result (the run failed). */
  readonly error: string | undefined;
}

export interface SweepOptions {
  /** Worker threads; default: the cores available, at most one per combination. */
  readonly workers?: number;
  readonly onDone?: (done: number) => void;
}

const WORKER = new URL('./sweep-worker.ts', import.meta.url);

/**
 * Starts a sweep worker. The repo runs TypeScript without a build (tsx), and Node 20 does not carry
 * the parent's module loader into a worker thread, so a worker over a .ts file first registers tsx
 * itself, then imports the worker module.
 */
function startWorker(workerData: BacktestPlan): Worker {
  if (!WORKER.pathname.endsWith('.ts')) return new Worker(WORKER, { workerData });
  const tsx = tsxApiUrl();
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

function tsxApiUrl(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // Test runners that do not implement import.meta.resolve: Node's own resolution from here.
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  }
}

/** Runs every combination; rows come back in grid order. */
export async function runSweep(
  plan: BacktestPlan,
  grid: readonly Readonly<Record<string, ParamValue>>[],
  options: SweepOptions = {},
): Promise<SweepRow[]> {
  const rows: (SweepRow | undefined)[] = new Array(grid.length).fill(undefined);
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), grid.length));
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = startWorker(plan);
      const give = () => {
        if (next >= grid.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const index = next++;
        worker.postMessage({ index, params: grid[index]! } satisfies SweepJob);
      };
      worker.on('message', (reply: SweepReply) => {
        rows[reply.index] = { params: grid[reply.index]!, stats: reply.stats, error: reply.error };
        options.onDone?.(++done);
        give();
      });
      // A worker that dies (out of memory, a bug) fails the sweep: its job would be lost silently.
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0 && code !== 1) reject(new Error(`sweep worker exited with code ${code}`));
      });
      worker.once('online', give);
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  return rows.map((r, i) => r ?? { params: grid[i]!, stats: undefined, error: 'not run' });
}

/** Numeric statistics a sweep can be ranked by. */
export const RANKABLE = [
  'returnPct',
  'equityFinal',
  'sharpe',
  'sortino',
  'calmar',
  'maxDrawdownPct',
  'winRatePct',
  'profitFactor',
  'expectancyPct',
  'annualReturnPct',
  'avgTradePct',
] as const satisfies readonly (keyof Stats)[];
export type RankKey = (typeof RANKABLE)[number];

/** Best first (highest value; max drawdown is negative, so highest is shallowest); NaN and failures last. */
export function rankRows(rows: readonly SweepRow[], key: RankKey): SweepRow[] {
  const value = (r: SweepRow) => {
    const v = r.stats?.[key];
    return typeof v === 'number' && !Number.isNaN(v) ? v : -Infinity;
  };
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((a, b) => (a.v === b.v ? a.i - b.i : b.v > a.v ? 1 : -1))
    .map((x) => x.row);
}

const fmt = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? v.toFixed(2) : v > 0 ? 'inf' : '-inf';

/** The ranked table: rank, the swept params, then the figures one compares runs by. */
export function formatSweepTable(rows: readonly SweepRow[], paramNames: readonly string[], key: RankKey): string {
  const figures = ['returnPct', 'sharpe', 'maxDrawdownPct', 'tradeCount', 'winRatePct', 'equityFinal'] as const;
  const header = ['#', ...paramNames, ...figures.map((f) => (f === key ? `${f}*` : f))];
  if (!(figures as readonly string[]).includes(key)) header.push(`${key}*`);
  const body = rows.map((r, i) => {
    const cells = [String(i + 1), ...paramNames.map((n) => String(r.params[n] ?? ''))];
    if (r.stats === undefined) return [...cells, `error: ${r.error ?? ''}`];
    cells.push(...figures.map((f) => (f === 'tradeCount' ? String(r.stats!.tradeCount) : fmt(r.stats![f]))));
    if (!(figures as readonly string[]).includes(key)) cells.push(fmt(r.stats[key]));
    return cells;
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c < widths.length ? cell.padStart(widths[c]!) : cell)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
