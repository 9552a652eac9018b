// The order's trace survives a restart: the context an order is journaled in is stored (order_traces)
// and a fresh OrderTraces — as after a restart — puts later work for the still-open order in that
// trace, as a child of the span it was journaled in. Real PostgreSQL; spans kept in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSpans, type SpanRecorder } from '@bourse/bus/testing';
import { createLogger, withSpan } from '@bourse/telemetry';
import type { TestDatabase } from '@bourse/store/testing';
import { OrderTracker } from '@bourse/execution';
import { loadOrderTrace, upsertOrder } from '../store/index.js';
import { T0, orderManagerDatabase, orderRecord } from '../store/test-support.js';
import { OrderTraces } from './order-traces.js';

let db: TestDatabase;
let recorder: SpanRecorder;
const clock = { now: () => T0 };
const logger = createLogger({ service: 'order-traces-test', level: 'silent' });

beforeAll(async () => {
  recorder = recordSpans();
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db?.drop();
  await recorder?.stop();
});

describe('OrderTraces', () => {
  it('joins the stored trace of an open order after a restart, and forgets closed orders', async () => {
    const before = new OrderTraces(db.pool, new OrderTracker(), clock, logger);
    const journaled = await withSpan('order.submit', {}, async (span) => {
      await before.record('trace-open');
      await before.record('trace-closed');
      return span.spanContext();
    });
    expect((await loadOrderTrace(db.pool, 'trace-open'))?.traceparent).toBe(
      `00-${journaled.traceId}-${journaled.spanId}-01`,
    );
    // A second record (a redelivered request in another trace) keeps the first context.
    await withSpan('other', {}, () => before.record('trace-open'));
    expect((await loadOrderTrace(db.pool, 'trace-open'))?.traceparent).toContain(journaled.traceId);

    await upsertOrder(db.pool, orderRecord('trace-open', { status: 'new' }), 0);
    await upsertOrder(
      db.pool,
      orderRecord('trace-closed', {
        status: 'canceled',
      }),
      0,
    );

    // The restart: a new instance, only what the store holds.
    const after = new OrderTraces(db.pool, new OrderTracker(), clock, logger);
    expect(await after.load()).toBe(1);
    const report = after.inOrder('order.execution_report', 'trace-open', { 'bourse.execution_type': 'TRADE' }, (s) =>
      s.spanContext(),
    );
    expect(report.traceId).toBe(journaled.traceId);
    const ended = recorder.spans().find((s) => s.spanContext().spanId === report.spanId);
    expect(ended?.parentSpanContext?.spanId).toBe(journaled.spanId);
    expect(ended?.attributes).toMatchObject({
      'bourse.client_order_id': 'trace-open',
      'bourse.execution_type': 'TRADE',
    });

    // A closed order is not held in memory; asked for (a late cancel, a correction), it is read back.
    const late = after.inOrder('order.cancel', 'trace-closed', {}, (s) => s.spanContext());
    expect(late.traceId).not.toBe(journaled.traceId);
    await after.recall('trace-closed');
    expect(after.inOrder('order.cancel', 'trace-closed', {}, (s) => s.spanContext()).traceId).toBe(journaled.traceId);
  });
});
