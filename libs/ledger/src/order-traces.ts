// The trace context an order was submitted in (migration 0006), written by the order manager when it
// journals the order: read back at its start for the orders still open, and by the operator's views.

import type { Queryable } from '@bourse/store';

export interface OrderTrace {
  readonly traceparent: string;
  readonly tracestate?: string;
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

/** The OpenTelemetry trace id (from the `traceparent`) of each of these orders that was traced. */
export async function loadTraceIds(db: Queryable, clientOrderIds: readonly string[]): Promise<Map<string, string>> {
  if (clientOrderIds.length === 0) return new Map();
  const { rows } = await db.query<{ client_order_id: string; traceparent: string }>(
    'SELECT client_order_id, traceparent FROM order_traces WHERE client_order_id = ANY($1)',
    [clientOrderIds],
  );
  return new Map(rows.map((r) => [r.client_order_id, r.traceparent.split('-')[1] ?? '']));
}
