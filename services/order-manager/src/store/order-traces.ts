// The trace context an order was submitted in (migration 0006): written when the order is journaled,
// read back at start for the orders still open, so updates after a restart join the order's trace.

import type { Queryable } from '@bourse/store';
import { timeParam } from './values.js';

export interface OrderTrace {
  readonly traceparent: string;
  readonly tracestate?: string;
}

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

export async function loadOrderTrace(db: Queryable, clientOrderId: string): Promise<OrderTrace | undefined> {
  const { rows } = await db.query<{ traceparent: string; tracestate: string | null }>(
    'SELECT traceparent, tracestate FROM order_traces WHERE client_order_id = $1',
    [clientOrderId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return { traceparent: row.traceparent, ...(row.tracestate !== null ? { tracestate: row.tracestate } : {}) };
}

/** The trace of every order not yet in a final state (and of orders whose row is not written yet). */
export async function loadOpenOrderTraces(db: Queryable): Promise<Map<string, OrderTrace>> {
  const { rows } = await db.query<{ client_order_id: string; traceparent: string; tracestate: string | null }>(
    `SELECT t.client_order_id, t.traceparent, t.tracestate
       FROM order_traces t LEFT JOIN orders o USING (client_order_id)
      WHERE o.client_order_id IS NULL
         OR o.status NOT IN ('filled', 'canceled', 'rejected', 'expired')`,
  );
  return new Map(
    rows.map((r) => [
      r.client_order_id,
      { traceparent: r.traceparent, ...(r.tracestate !== null ? { tracestate: r.tracestate } : {}) },
    ]),
  );
}
