// The operator's audit trail in PostgreSQL: each act (kill, resume, cancel-all, limits reload,
// apply-corrections, book-transfer) is written as `pending` before it takes effect, then given its outcome.
// Who may act is the NATS server's decision (only the operator user may write the trading state
// or send commands); this records who tried, from where, what, why, and what came of it.
// `bourse audit [--since]` lists the rows.
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureSchema, migrate, namespaceSchema, type MigrateResult } from '@bourse/store';
import type pg from 'pg';
import { CommandFailedError } from '../errors.js';
import type { OperatorContext } from './context.js';
import { describe, formatJson, formatTable } from './format.js';

export const CLI_MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
/** The CLI shares the order manager's database; its own table and lock keep the two schemas apart. */
export const CLI_MIGRATIONS_TABLE = 'cli_schema_migrations';
/** Advisory lock key of the CLI's migrations ("cli1" in ASCII). */
export const CLI_LOCK_KEY = 0x636c6931;

export const OPERATOR_ACTIONS = [
  'kill',
  'resume',
  'cancel-all',
  'reload-limits',
  'apply-corrections',
  'book-transfer',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];
export type ActionOutcome = 'done' | 'refused' | 'failed';

export function migrateCliStore(pool: pg.Pool): Promise<MigrateResult> {
  return migrate(pool, { directory: CLI_MIGRATIONS, table: CLI_MIGRATIONS_TABLE, lockKey: CLI_LOCK_KEY });
}

export interface ActionRequest {
  readonly action: OperatorAction;
  /** What it applies to: `global`, `instrument BTCUSDT`, `strategy sma`. */
  readonly target: string;
  readonly reason?: string;
  readonly detail?: Record<string, unknown>;
}

export interface AuditRow {
  readonly id: string;
  readonly requestedAt: Date;
  readonly operator: string;
  readonly natsUser: string | null;
  readonly host: string;
  readonly action: string;
  readonly target: string;
  readonly reason: string | null;
  readonly detail: Record<string, unknown>;
  readonly outcome: 'pending' | ActionOutcome;
  readonly outcomeDetail: string | null;
  readonly finishedAt: Date | null;
}

const migrated = new WeakSet<pg.Pool>();

async function ready(ctx: OperatorContext): Promise<pg.Pool> {
  const pool = ctx.pool();
  if (!migrated.has(pool)) {
    // The pool works in the namespace's schema; an act may come before any service has made it.
    const schema = namespaceSchema(ctx.config.namespace);
    if (schema !== undefined) await ensureSchema(pool, schema);
    await migrateCliStore(pool);
    migrated.add(pool);
  }
  return pool;
}

/** Inserts the pending row; returns its id. Throws CommandFailedError naming PostgreSQL when it cannot. */
export async function recordAction(ctx: OperatorContext, request: ActionRequest): Promise<string> {
  try {
    const pool = await ready(ctx);
    const result = await pool.query<{ id: string }>(
      `INSERT INTO operator_actions (requested_at, operator, nats_user, host, action, target, reason, detail)
       VALUES (to_timestamp($1::double precision / 1000), $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        ctx.now(),
        ctx.operator,
        ctx.natsUser ?? null,
        hostname(),
        request.action,
        request.target,
        request.reason ?? null,
        JSON.stringify(request.detail ?? {}),
      ],
    );
    return (result.rows[0] as { id: string }).id;
  } catch (err) {
    throw new CommandFailedError(
      'audit',
      `cannot record ${request.action} ${request.target} in the audit log: ${describe(err)}`,
      { cause: err },
    );
  }
}

export async function recordOutcome(
  ctx: OperatorContext,
  id: string,
  outcome: ActionOutcome,
  detail: string | undefined,
): Promise<void> {
  const pool = await ready(ctx);
  await pool.query(
    `UPDATE operator_actions SET outcome = $2, outcome_detail = $3, finished_at = to_timestamp($4::double precision / 1000)
     WHERE id = $1`,
    [id, outcome, detail ?? null, ctx.now()],
  );
}

/** A NATS refusal (the user lacks the permission) as opposed to any other failure. */
export function outcomeOfError(err: unknown): ActionOutcome {
  const text = `${describe(err)} ${err instanceof Error && err.cause !== undefined ? describe(err.cause) : ''}`;
  return /permission|authorization violation/i.test(text) ? 'refused' : 'failed';
}

export interface AuditedOptions<T> {
  /**
   * Acts that only reduce risk (kill, cancel-all) go ahead when the audit log cannot be written,
   * with a warning: a kill switch that waits for PostgreSQL is no kill switch. Every other act is
   * refused unless its record is written first.
   */
  readonly reducesRisk?: boolean;
  /** The outcome of a result that did not throw (default: done). */
  readonly outcomeOf?: (result: T) => { outcome: ActionOutcome; detail?: string };
}

/** Records the act, runs it, records its outcome; the act's own result or error passes through unchanged. */
export async function audited<T>(
  ctx: OperatorContext,
  request: ActionRequest,
  run: () => Promise<T>,
  options: AuditedOptions<T> = {},
): Promise<T> {
  let id: string | undefined;
  try {
    id = await recordAction(ctx, request);
  } catch (err) {
    if (options.reducesRisk !== true) throw err;
    ctx.audit.warn(
      { operator: ctx.operator, action: request.action, target: request.target, err: describe(err) },
      `${request.action} ${request.target} goes ahead unrecorded: ${describe(err)}`,
    );
  }
  let result: T;
  try {
    result = await run();
  } catch (err) {
    if (id !== undefined) await recordOutcome(ctx, id, outcomeOfError(err), describe(err)).catch(() => undefined);
    throw err;
  }
  if (id !== undefined) {
    const { outcome, detail } = options.outcomeOf?.(result) ?? { outcome: 'done' as const };
    await recordOutcome(ctx, id, outcome, detail).catch((err: unknown) =>
      ctx.audit.warn({ id, err: describe(err) }, `could not record the outcome of audit entry ${id}`),
    );
  }
  return result;
}

/** Rows requested at or after `since` (epoch ms), oldest first. */
export async function listActions(ctx: OperatorContext, since: number | undefined): Promise<AuditRow[]> {
  const pool = await ready(ctx);
  const result = await pool.query<{
    id: string;
    requested_at: Date;
    operator: string;
    nats_user: string | null;
    host: string;
    action: string;
    target: string;
    reason: string | null;
    detail: Record<string, unknown>;
    outcome: AuditRow['outcome'];
    outcome_detail: string | null;
    finished_at: Date | null;
  }>(
    `SELECT id, requested_at, operator, nats_user, host, action, target, reason, detail, outcome, outcome_detail, finished_at
       FROM operator_actions
      WHERE $1::double precision IS NULL OR requested_at >= to_timestamp($1::double precision / 1000)
      ORDER BY requested_at, id`,
    [since ?? null],
  );
  return result.rows.map((r) => ({
    id: r.id,
    requestedAt: r.requested_at,
    operator: r.operator,
    natsUser: r.nats_user,
    host: r.host,
    action: r.action,
    target: r.target,
    reason: r.reason,
    detail: r.detail,
    outcome: r.outcome,
    outcomeDetail: r.outcome_detail,
    finishedAt: r.finished_at,
  }));
}

export async function runAudit(ctx: OperatorContext, options: { since?: number; json: boolean }): Promise<number> {
  let rows: AuditRow[];
  try {
    rows = await listActions(ctx, options.since);
  } catch (err) {
    throw new CommandFailedError('audit', `cannot read the audit log: ${describe(err)}`, { cause: err });
  }
  if (options.json) {
    ctx.out(formatJson(rows));
    return 0;
  }
  if (rows.length === 0) {
    ctx.out('no operator actions recorded');
    return 0;
  }
  for (const line of formatTable(
    ['WHEN', 'OPERATOR', 'NATS USER', 'HOST', 'ACTION', 'TARGET', 'REASON', 'OUTCOME'],
    rows.map((r) => [
      r.requestedAt.toISOString(),
      r.operator,
      r.natsUser ?? '-',
      r.host,
      r.action,
      r.target,
      r.reason ?? '-',
      r.outcomeDetail === null ? r.outcome : `${r.outcome}: ${r.outcomeDetail}`,
    ]),
  ))
    ctx.out(line);
  return 0;
}
