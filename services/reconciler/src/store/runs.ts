// Reconciliation runs: one row per run, passing, halting or failed, with the report as published.

import { ReconciliationReport, type ReconciliationTrigger } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { ReconcilerStoreError } from './errors.js';

/** `failed-to-run`: the run could not read both sides or carry out its effects; no report was published. */
export type RunVerdict = 'ok' | 'drift-halted' | 'failed-to-run';

export interface RunRecord {
  readonly runId: string;
  readonly venue: string;
  readonly trigger: ReconciliationTrigger;
  readonly verdict: RunVerdict;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The report (absent when a failed run never reached one). */
  readonly report?: ReconciliationReport | undefined;
  /** Signed P&L drift in the valuation asset, as a decimal string. */
  readonly pnlDrift?: string | undefined;
  /** Set exactly when the verdict is `failed-to-run`. */
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

interface RunRow {
  run_id: string;
  venue: string;
  trigger: ReconciliationTrigger;
  verdict: RunVerdict;
  started_at: Date;
  finished_at: Date;
  report: unknown;
  pnl_drift: string | null;
  error_code: string | null;
  error_message: string | null;
}

const COLUMNS =
  'run_id, venue, trigger, verdict, started_at, finished_at, report, pnl_drift, error_code, error_message';

/** Inserts the run; a run id already stored is left as it is (returns false). */
export async function insertRun(db: Queryable, run: RunRecord): Promise<boolean> {
  if ((run.verdict === 'failed-to-run') !== (run.error !== undefined)) {
    throw new ReconcilerStoreError('error', run.runId, 'a run carries an error exactly when it failed to run');
  }
  const result = await db.query(
    `INSERT INTO reconciliation_runs (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (run_id) DO NOTHING`,
    [
      run.runId,
      run.venue,
      run.trigger,
      run.verdict,
      new Date(run.startedAt),
      new Date(run.finishedAt),
      run.report === undefined ? null : JSON.stringify(run.report),
      run.pnlDrift ?? null,
      run.error?.code ?? null,
      run.error?.message ?? null,
    ],
  );
  return result.rowCount === 1;
}

export interface RunFilter {
  readonly venue?: string;
  /** Only runs with this verdict (e.g. the last passing run). */
  readonly verdict?: RunVerdict;
  /** Newest first; default 20. */
  readonly limit?: number;
}

/** Runs, newest first. */
export async function listRuns(db: Queryable, filter: RunFilter = {}): Promise<RunRecord[]> {
  const result = await db.query<RunRow>(
    `SELECT ${COLUMNS} FROM reconciliation_runs
      WHERE ($1::text IS NULL OR venue = $1) AND ($2::text IS NULL OR verdict = $2)
      ORDER BY finished_at DESC, run_id DESC
      LIMIT $3`,
    [filter.venue ?? null, filter.verdict ?? null, filter.limit ?? 20],
  );
  return result.rows.map(fromRow);
}

/** The newest run of a venue (any verdict), or undefined before the first one. */
export async function latestRun(db: Queryable, venue: string): Promise<RunRecord | undefined> {
  return (await listRuns(db, { venue, limit: 1 }))[0];
}

function fromRow(row: RunRow): RunRecord {
  let report: ReconciliationReport | undefined;
  if (row.report !== null) {
    const parsed = ReconciliationReport.safeParse(row.report);
    if (!parsed.success) {
      throw new ReconcilerStoreError('report', row.run_id, `stored report does not parse: ${parsed.error.message}`);
    }
    report = parsed.data;
  }
  return {
    runId: row.run_id,
    venue: row.venue,
    trigger: row.trigger,
    verdict: row.verdict,
    startedAt: row.started_at.getTime(),
    finishedAt: row.finished_at.getTime(),
    report,
    pnlDrift: row.pnl_drift ?? undefined,
    error: row.error_code === null ? undefined : { code: row.error_code, message: row.error_message ?? row.error_code },
  };
}
