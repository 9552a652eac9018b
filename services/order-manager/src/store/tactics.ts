// Durable tactics (migration 0003): one row per limit chase, keyed by the parent's client order id.
// Written before acting on it: the row is committed before the parent's ORDERS message is acked,
// so a crash before the first quote no longer loses the chase; `finishTactic` when it is done. Its
// children (tactic-children.ts) carry the rest of its progress. Restart reads `listActiveTactics`.

import { OrderRequest } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { listTacticChildren, type StoredTacticChild } from './tactic-children.js';
import { checked, msOf, optionalMsOf, parsedRow, timeParam, undefinedIfNull } from './values.js';

export const TACTIC_OUTCOMES = ['filled', 'stopped', 'rejected'] as const;
export type TacticOutcome = (typeof TACTIC_OUTCOMES)[number];
export type TacticStatus = 'active' | 'done';

export interface StoredTactic {
  readonly parentClientOrderId: string;
  readonly kind: 'limit-chase';
  readonly parent: OrderRequest;
  /** Epoch ms; the chase's window runs from here. */
  readonly startedAt: number;
  /** Decimal string; undefined until the first child was priced. */
  readonly arrivalMid: string | undefined;
  readonly nextChildSeq: number;
  readonly status: TacticStatus;
  readonly outcome: TacticOutcome | undefined;
  readonly reason: string | undefined;
  readonly finishedAt: number | undefined;
  readonly updatedAt: number;
  /** In the order they were placed. */
  readonly children: readonly StoredTacticChild[];
}

interface TacticRow {
  parent_client_order_id: string;
  kind: 'limit-chase';
  parent: unknown;
  started_at: Date;
  arrival_mid: string | null;
  next_child_seq: number;
  status: TacticStatus;
  outcome: TacticOutcome | null;
  reason: string | null;
  finished_at: Date | null;
  updated_at: Date;
}

const COLUMNS =
  'parent_client_order_id, kind, parent, started_at, arrival_mid, next_child_seq, status, outcome, reason, finished_at, updated_at';

function toTactic(row: TacticRow, children: readonly StoredTacticChild[]): StoredTactic {
  return {
    parentClientOrderId: row.parent_client_order_id,
    kind: row.kind,
    parent: parsedRow('tactic parent', row.parent_client_order_id, OrderRequest, row.parent),
    startedAt: msOf(row.started_at),
    arrivalMid: undefinedIfNull(row.arrival_mid),
    nextChildSeq: row.next_child_seq,
    status: row.status,
    outcome: undefinedIfNull(row.outcome),
    reason: undefinedIfNull(row.reason),
    finishedAt: optionalMsOf(row.finished_at),
    updatedAt: msOf(row.updated_at),
    children,
  };
}

async function withChildren(db: Queryable, rows: readonly TacticRow[]): Promise<StoredTactic[]> {
  const children = await listTacticChildren(
    db,
    rows.map((r) => r.parent_client_order_id),
  );
  return rows.map((r) => toTactic(r, children.get(r.parent_client_order_id) ?? []));
}

/**
 * Stores a new active limit chase for `parent`, its window starting at `startedAt`. Returns false
 * when the same parent request is stored already (a redelivered message); throws TACTIC_CONFLICT
 * when its client order id is stored for another request.
 */
export async function insertTactic(db: Queryable, parent: OrderRequest, startedAt: number): Promise<boolean> {
  const valid = checked('tactic parent', OrderRequest, parent);
  const at = timeParam('startedAt', startedAt);
  const inserted = await db.query(
    `INSERT INTO tactics (parent_client_order_id, kind, parent, started_at, next_child_seq, status, updated_at)
     VALUES ($1, 'limit-chase', $2, $3, 1, 'active', $3)
     ON CONFLICT (parent_client_order_id) DO NOTHING`,
    [valid.clientOrderId, JSON.stringify(valid), at],
  );
  if (inserted.rowCount === 1) return true;
  const same = await db.query<{ same: boolean }>(
    'SELECT parent = $2::jsonb AS same FROM tactics WHERE parent_client_order_id = $1',
    [valid.clientOrderId, JSON.stringify(valid)],
  );
  if (same.rows[0]?.same === true) return false;
  throw new OrderStoreError(
    OrderStoreErrorCode.TACTIC_CONFLICT,
    `a tactic for parent ${valid.clientOrderId} is stored for a different request; client order ids must never be reused`,
    valid.clientOrderId,
  );
}

export async function loadTactic(db: Queryable, parentClientOrderId: string): Promise<StoredTactic | undefined> {
  const result = await db.query<TacticRow>(`SELECT ${COLUMNS} FROM tactics WHERE parent_client_order_id = $1`, [
    parentClientOrderId,
  ]);
  const [tactic] = await withChildren(db, result.rows);
  return tactic;
}

/** Whether a tactic is stored for this parent (active or done): an ORDERS redelivery is then a duplicate. */
export async function tacticExists(db: Queryable, parentClientOrderId: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM tactics WHERE parent_client_order_id = $1', [parentClientOrderId]);
  return result.rowCount === 1;
}

/** Active tactics with their children, oldest first: what a restart resumes. */
export async function listActiveTactics(db: Queryable): Promise<StoredTactic[]> {
  // The predicate repeats the partial index's literally so the planner can use it.
  const result = await db.query<TacticRow>(
    `SELECT ${COLUMNS} FROM tactics WHERE status = 'active' ORDER BY started_at, parent_client_order_id`,
  );
  return withChildren(db, result.rows);
}

export interface FinishTacticOptions {
  readonly outcome: TacticOutcome;
  readonly reason: string;
  /** The caller's clock, epoch ms. */
  readonly at: number;
}

/**
 * Marks a tactic done. Returns false when it was done already: the first outcome stays (an abort is
 * recorded when the operator asks, before the chase's own end arrives). Throws TACTIC_NOT_FOUND.
 */
export async function finishTactic(
  db: Queryable,
  parentClientOrderId: string,
  options: FinishTacticOptions,
): Promise<boolean> {
  if (!TACTIC_OUTCOMES.includes(options.outcome)) {
    throw new OrderStoreError(
      OrderStoreErrorCode.INVALID_VALUE,
      `tactic outcome ${String(options.outcome)} is not one of ${TACTIC_OUTCOMES.join(', ')}`,
      { field: 'outcome', value: options.outcome },
    );
  }
  const at = timeParam('at', options.at);
  const updated = await db.query(
    `UPDATE tactics
        SET status = 'done', outcome = $2, reason = $3, finished_at = $4,
            -- A clock stepping back must not fail the write; updated_at only moves forward.
            updated_at = GREATEST(updated_at, $4)
      WHERE parent_client_order_id = $1 AND status = 'active'`,
    [parentClientOrderId, options.outcome, options.reason, at],
  );
  if (updated.rowCount === 1) return true;
  if (await tacticExists(db, parentClientOrderId)) return false;
  throw notFound(parentClientOrderId);
}

function notFound(parentClientOrderId: string): OrderStoreError {
  return new OrderStoreError(
    OrderStoreErrorCode.TACTIC_NOT_FOUND,
    `no tactic stored for parent ${parentClientOrderId}`,
    parentClientOrderId,
  );
}
