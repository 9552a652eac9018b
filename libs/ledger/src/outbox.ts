// The outbox: each order request the order manager journaled BEFORE calling the venue, with where
// its submission stands. The states and their allowed moves are the table's contract, here; the
// order manager's store moves them (checking each move in its UPDATE). The risk gate reads the
// journaled request of each open order at start; a test of the order manager's core can compare
// its own state machine with this one without importing the service.

import { OrderRequest } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { msOf, parsedRow } from './values.js';

export const OUTBOX_STATES = ['pending', 'submitting', 'sent', 'unknown', 'resolved', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** States restart recovery must look at; the partial index `outbox_unresolved` covers exactly these. */
export const UNRESOLVED_OUTBOX_STATES: readonly OutboxState[] = ['pending', 'submitting', 'unknown'];

/** Which state may follow which. `sent`, `resolved` and `failed` are final. */
export const OUTBOX_TRANSITIONS: Readonly<Record<OutboxState, readonly OutboxState[]>> = {
  pending: ['submitting', 'failed'],
  submitting: ['sent', 'unknown', 'failed'],
  // After a query: found at the venue (resolved), definitely absent and sent again (submitting), or given up.
  unknown: ['submitting', 'resolved', 'failed'],
  sent: [],
  resolved: [],
  failed: [],
};

export interface OutboxEntry {
  readonly clientOrderId: string;
  /** Re-validated against the `OrderRequest` contract on the way out. */
  readonly request: OrderRequest;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** An outbox row as pg returns it (`state` is CHECKed by the table). */
export interface OutboxRow {
  client_order_id: string;
  request: unknown;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns `outboxEntryOf` reads: the writer's `RETURNING` names them too, so both stay one shape. */
export const OUTBOX_COLUMNS = 'client_order_id, request, state, attempts, last_error, created_at, updated_at';

/** A row as an entry; a request that no longer passes its contract is CORRUPT_ROW. */
export function outboxEntryOf(row: OutboxRow): OutboxEntry {
  return {
    clientOrderId: row.client_order_id,
    request: parsedRow('outbox request', row.client_order_id, OrderRequest, row.request),
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    createdAt: msOf(row.created_at),
    updatedAt: msOf(row.updated_at),
  };
}

/** Entries still `pending`, `submitting` or `unknown`, oldest first: what restart recovery must settle. */
export async function listUnresolvedOutbox(db: Queryable): Promise<OutboxEntry[]> {
  // The predicate repeats the partial index's literally so the planner can use it.
  const result = await db.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM outbox
      WHERE state IN ('pending', 'submitting', 'unknown')
      ORDER BY created_at, client_order_id`,
  );
  return result.rows.map(outboxEntryOf);
}

export async function loadOutbox(db: Queryable, clientOrderId: string): Promise<OutboxEntry | undefined> {
  const result = await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE client_order_id = $1`, [
    clientOrderId,
  ]);
  const row = result.rows[0];
  return row === undefined ? undefined : outboxEntryOf(row);
}
