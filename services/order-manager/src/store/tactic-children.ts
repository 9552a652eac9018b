// The children of a durable tactic (migration 0003): every order a chase placed, recorded with the
// counter its id was made from BEFORE the order is journaled in the outbox, so a restart continues
// the counter and never makes an id the venue may have seen. The child id is the table's key, so
// the database itself refuses an id made twice. A cancel's reason is recorded before the cancel is
// sent, so a resumed chase knows whether a replacement, the fallback, or nothing was meant to follow.

import type { Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { decimalParam, msOf, timeParam, undefinedIfNull } from './values.js';

export const TACTIC_CHILD_ROLES = ['first', 'replacement', 'fallback'] as const;
export type TacticChildRole = (typeof TACTIC_CHILD_ROLES)[number];
export const TACTIC_CANCEL_REASONS = ['replace', 'window-end', 'abort'] as const;
export type TacticCancelReason = (typeof TACTIC_CANCEL_REASONS)[number];

export interface TacticChildRecord {
  readonly clientOrderId: string;
  readonly role: TacticChildRole;
  /** The counter the id was made from; undefined for the first child (it keeps the parent's id). */
  readonly seq: number | undefined;
  /** Epoch ms: when the chase placed it (its request's createdAt). */
  readonly placedAt: number;
  /** With the first child: the mid it was priced at (decimal string), the fallback's slippage reference. */
  readonly arrivalMid?: string;
}

export interface StoredTacticChild {
  readonly clientOrderId: string;
  readonly role: TacticChildRole;
  readonly seq: number | undefined;
  readonly placedAt: number;
  readonly cancelReason: TacticCancelReason | undefined;
}

interface ChildRow {
  client_order_id: string;
  parent_client_order_id: string;
  role: TacticChildRole;
  seq: number | null;
  placed_at: Date;
  cancel_reason: TacticCancelReason | null;
}

function invalid(field: string, value: unknown, detail: string): OrderStoreError {
  return new OrderStoreError(OrderStoreErrorCode.INVALID_VALUE, `${field} ${String(value)} ${detail}`, {
    field,
    value,
  });
}

function checkShape(parentClientOrderId: string, child: TacticChildRecord): void {
  if (!TACTIC_CHILD_ROLES.includes(child.role)) {
    throw invalid('role', child.role, `is not one of ${TACTIC_CHILD_ROLES.join(', ')}`);
  }
  if (child.role === 'first') {
    if (child.seq !== undefined) throw invalid('seq', child.seq, 'must be absent for the first child');
    if (child.clientOrderId !== parentClientOrderId) {
      throw invalid('clientOrderId', child.clientOrderId, `must be the parent's id ${parentClientOrderId}`);
    }
    return;
  }
  if (child.seq === undefined || !Number.isSafeInteger(child.seq) || child.seq < 1) {
    throw invalid('seq', child.seq, `must be a whole number of one or more for a ${child.role} child`);
  }
  if (child.arrivalMid !== undefined) throw invalid('arrivalMid', child.arrivalMid, 'is stored with the first child');
}

/**
 * Records a child of an active tactic and moves the tactic's counter past its `seq`, in one
 * statement. Returns true when recorded now, false for a first child recorded before (the process
 * died before journaling it, so the resumed chase places it again under the parent's id).
 * Throws TACTIC_NOT_FOUND, TACTIC_NOT_ACTIVE, TACTIC_CHILD_SEQ (the counter would go back) or
 * TACTIC_CHILD_REUSED (the id is recorded already); the child and the counter are not written then.
 */
export async function recordTacticChild(
  db: Queryable,
  parentClientOrderId: string,
  child: TacticChildRecord,
  at: number,
): Promise<boolean> {
  checkShape(parentClientOrderId, child);
  const when = timeParam('at', at);
  const placedAt = timeParam('placedAt', child.placedAt);
  const mid = child.arrivalMid === undefined ? null : decimalParam('arrivalMid', child.arrivalMid);
  // The tactic's UPDATE and the child's INSERT are one statement: a refused insert (a unique
  // violation) rolls the counter back with it, and a tactic that is done or ahead inserts nothing.
  const sql =
    child.role === 'first'
      ? `WITH chase AS (
           UPDATE tactics SET arrival_mid = COALESCE($4::numeric, arrival_mid), updated_at = GREATEST(updated_at, $5)
            WHERE parent_client_order_id = $1 AND status = 'active'
           RETURNING parent_client_order_id)
         INSERT INTO tactic_children (client_order_id, parent_client_order_id, role, seq, placed_at)
         SELECT $2, parent_client_order_id, 'first', NULL, $3 FROM chase
         ON CONFLICT (client_order_id) DO UPDATE SET placed_at = EXCLUDED.placed_at
           WHERE tactic_children.parent_client_order_id = EXCLUDED.parent_client_order_id
             AND tactic_children.role = 'first'
         RETURNING (xmax = 0) AS inserted`
      : `WITH chase AS (
           UPDATE tactics SET next_child_seq = $4::int + 1, updated_at = GREATEST(updated_at, $5)
            WHERE parent_client_order_id = $1 AND status = 'active' AND next_child_seq <= $4::int
           RETURNING parent_client_order_id)
         INSERT INTO tactic_children (client_order_id, parent_client_order_id, role, seq, placed_at)
         SELECT $2, parent_client_order_id, $6, $4::int, $3 FROM chase
         RETURNING true AS inserted`;
  const params =
    child.role === 'first'
      ? [parentClientOrderId, child.clientOrderId, placedAt, mid, when]
      : [parentClientOrderId, child.clientOrderId, placedAt, child.seq, when, child.role];
  let rows: { inserted: boolean }[];
  try {
    rows = (await db.query<{ inserted: boolean }>(sql, params)).rows;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw reused(child.clientOrderId, err);
    throw err;
  }
  const [row] = rows;
  if (row !== undefined) return row.inserted;
  const found = await db.query<{ status: string; next_child_seq: number }>(
    'SELECT status, next_child_seq FROM tactics WHERE parent_client_order_id = $1',
    [parentClientOrderId],
  );
  const chase = found.rows[0];
  if (chase === undefined) throw notFound(parentClientOrderId);
  if (chase.status !== 'active') {
    throw new OrderStoreError(
      OrderStoreErrorCode.TACTIC_NOT_ACTIVE,
      `tactic ${parentClientOrderId} is ${chase.status}; it places no child ${child.clientOrderId}`,
      { parent: parentClientOrderId, clientOrderId: child.clientOrderId },
    );
  }
  if (child.seq !== undefined && child.seq < chase.next_child_seq) {
    throw new OrderStoreError(
      OrderStoreErrorCode.TACTIC_CHILD_SEQ,
      `child counter ${child.seq} of tactic ${parentClientOrderId} is below the next unused one (${chase.next_child_seq})`,
      { parent: parentClientOrderId, seq: child.seq, nextChildSeq: chase.next_child_seq },
    );
  }
  throw reused(child.clientOrderId, undefined);
}

/** Records why the chase is canceling a child, before the cancel is sent. Throws TACTIC_CHILD_NOT_FOUND. */
export async function recordChildCancel(
  db: Queryable,
  parentClientOrderId: string,
  clientOrderId: string,
  reason: TacticCancelReason,
  at: number,
): Promise<void> {
  if (!TACTIC_CANCEL_REASONS.includes(reason)) {
    throw invalid('cancel reason', reason, `is not one of ${TACTIC_CANCEL_REASONS.join(', ')}`);
  }
  const updated = await db.query(
    `WITH child AS (
       UPDATE tactic_children SET cancel_reason = $3
        WHERE parent_client_order_id = $1 AND client_order_id = $2
       RETURNING parent_client_order_id)
     UPDATE tactics SET updated_at = GREATEST(updated_at, $4)
      WHERE parent_client_order_id IN (SELECT parent_client_order_id FROM child)`,
    [parentClientOrderId, clientOrderId, reason, timeParam('at', at)],
  );
  if (updated.rowCount === 1) return;
  throw new OrderStoreError(
    OrderStoreErrorCode.TACTIC_CHILD_NOT_FOUND,
    `no child ${clientOrderId} recorded for tactic ${parentClientOrderId}`,
    { parent: parentClientOrderId, clientOrderId },
  );
}

/** The children of each parent, in the order they were placed (the first, then by counter). */
export async function listTacticChildren(
  db: Queryable,
  parentClientOrderIds: readonly string[],
): Promise<Map<string, StoredTacticChild[]>> {
  const byParent = new Map<string, StoredTacticChild[]>();
  if (parentClientOrderIds.length === 0) return byParent;
  const result = await db.query<ChildRow>(
    `SELECT client_order_id, parent_client_order_id, role, seq, placed_at, cancel_reason
       FROM tactic_children WHERE parent_client_order_id = ANY($1::text[])
      ORDER BY parent_client_order_id, seq NULLS FIRST`,
    [parentClientOrderIds],
  );
  for (const row of result.rows) {
    const list = byParent.get(row.parent_client_order_id) ?? [];
    list.push({
      clientOrderId: row.client_order_id,
      role: row.role,
      seq: undefinedIfNull(row.seq),
      placedAt: msOf(row.placed_at),
      cancelReason: undefinedIfNull(row.cancel_reason),
    });
    byParent.set(row.parent_client_order_id, list);
  }
  return byParent;
}

function notFound(parentClientOrderId: string): OrderStoreError {
  return new OrderStoreError(
    OrderStoreErrorCode.TACTIC_NOT_FOUND,
    `no tactic stored for parent ${parentClientOrderId}`,
    parentClientOrderId,
  );
}

function reused(clientOrderId: string, cause: unknown): OrderStoreError {
  return new OrderStoreError(
    OrderStoreErrorCode.TACTIC_CHILD_REUSED,
    `child client order id ${clientOrderId} is recorded already; client order ids must never be reused`,
    clientOrderId,
    cause === undefined ? undefined : { cause },
  );
}
