// The trace context an order was submitted in (migration 0006): written when the order is journaled,
// read back at start for the orders still open (@bourse/ledger's reads), so updates after a restart
// join the order's trace.

import type { OrderTrace } from '@bourse/ledger';
import type { Queryable } from '@bourse/store';
import { timeParam } from './values.js';

/** Stores the context once; a second write for the same order (a redelivery) keeps the first. */
export async function saveOrderTrace(
  db: Queryable,
  clientOrderId: string,
  trace: OrderTrace,
  at: number,
): Promise<void> {
  await db.query(
    `INSERT INTO order_traces (client_order_id, traceparent, tracestate, recorded_at)
     VALUES ($1, $2, $3, $4) ON CONFLICT (client_order_id) DO NOTHING`,
    [clientOrderId, trace.traceparent, trace.tracestate ?? null, timeParam('recordedAt', at)],
  );
}
