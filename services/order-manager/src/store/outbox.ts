// The outbox: each order request journaled BEFORE the venue is called. The protocol the OMS follows:
//   1. insertOutbox (state `pending`) and commit;
//   2. markOutbox `submitting` (attempts + 1) and commit, then call the venue;
//   3. markOutbox `sent` on an acknowledgement, `failed` on a definite rejection, `unknown` on a timeout.
// So a `pending` row after a crash was never sent and may be sent; a `submitting` or `unknown` row
// may have reached the venue and is resolved by querying the venue by client order id first
// (DESIGN principle 7), ending `resolved` (found, or known absent and resubmitted) or `failed`.
// The states and their allowed moves, the entry's shape and the reads (`loadOutbox`,
// `listUnresolvedOutbox`) are @bourse/ledger's.

import { OrderRequest } from '@bourse/contracts';
import {
  OUTBOX_COLUMNS,
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  outboxEntryOf,
  type OutboxEntry,
  type OutboxRow,
  type OutboxState,
} from '@bourse/ledger';
import type { Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { checked, timeParam } from './values.js';

/**
 * Journals a request as `pending`. Returns false when this client order id is already journaled with
 * the same request (a redelivered message); throws OUTBOX_CONFLICT when it was journaled with another.
 */
export async function insertOutbox(db: Queryable, request: OrderRequest, at: number): Promise<boolean> {
  const valid = checked('order request', OrderRequest, request);
  const when = timeParam('at', at);
  const inserted = await db.query(
    `INSERT INTO outbox (client_order_id, request, state, attempts, created_at, updated_at)
     VALUES ($1, $2, 'pending', 0, $3, $3)
     ON CONFLICT (client_order_id) DO NOTHING`,
    [valid.clientOrderId, JSON.stringify(valid), when],
  );
  if (inserted.rowCount === 1) return true;
  const same = await db.query<{ same: boolean }>(
    'SELECT request = $2::jsonb AS same FROM outbox WHERE client_order_id = $1',
    [valid.clientOrderId, JSON.stringify(valid)],
  );
  if (same.rows[0]?.same === true) return false;
  throw new OrderStoreError(
    OrderStoreErrorCode.OUTBOX_CONFLICT,
    `client order id ${valid.clientOrderId} is already journaled for a different request; client order ids must never be reused`,
    valid.clientOrderId,
  );
}

export interface MarkOutboxOptions {
  /** The caller's clock, epoch ms. */
  readonly at: number;
  /** Why (a venue error, a timeout); kept as the row's last error. */
  readonly error?: string;
}

/**
 * Moves a journaled request to `state`, atomically checking the move is allowed from the state it is
 * in. Entering `submitting` counts an attempt. Returns the updated entry.
 */
export async function markOutbox(
  db: Queryable,
  clientOrderId: string,
  state: OutboxState,
  options: MarkOutboxOptions,
): Promise<OutboxEntry> {
  if (!OUTBOX_STATES.includes(state)) {
    throw new OrderStoreError(
      OrderStoreErrorCode.INVALID_VALUE,
      `outbox state ${String(state)} is not one of ${OUTBOX_STATES.join(', ')}`,
      state,
    );
  }
  const from = OUTBOX_STATES.filter((s) => OUTBOX_TRANSITIONS[s].includes(state));
  const updated = await db.query<OutboxRow>(
    `UPDATE outbox
        SET state = $2,
            attempts = attempts + CASE WHEN $2 = 'submitting' THEN 1 ELSE 0 END,
            last_error = COALESCE($3, last_error),
            -- A clock stepping back must not fail the write; updated_at only moves forward.
            updated_at = GREATEST(updated_at, $4)
      WHERE client_order_id = $1 AND state = ANY($5::text[])
      RETURNING ${OUTBOX_COLUMNS}`,
    [clientOrderId, state, options.error ?? null, timeParam('at', options.at), from],
  );
  const row = updated.rows[0];
  if (row !== undefined) return outboxEntryOf(row);
  const current = await db.query<{ state: OutboxState }>('SELECT state FROM outbox WHERE client_order_id = $1', [
    clientOrderId,
  ]);
  const found = current.rows[0];
  if (found === undefined) {
    throw new OrderStoreError(
      OrderStoreErrorCode.OUTBOX_NOT_FOUND,
      `no outbox entry for client order id ${clientOrderId}`,
      clientOrderId,
    );
  }
  throw new OrderStoreError(
    OrderStoreErrorCode.OUTBOX_TRANSITION,
    `outbox entry ${clientOrderId} cannot go from ${found.state} to ${state}`,
    { clientOrderId, from: found.state, to: state },
  );
}
