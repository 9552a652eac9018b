// The order's trace in the order manager beyond its submission: an operator's cancel, the steps of a
// limit chase (its child orders, their cancels, the market fallback) and a reconciliation run's
// correction are spans of the trace the order request arrived in, found through the context stored
// with the order. Real parts (test-support.ts): the simulator, the Binance adapter, NATS, PostgreSQL;
// every span the process ends is kept in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordSpans, type SpanRecorder } from '@bourse/bus/testing';
import {
  CancelCommand,
  CancelExecutionReply,
  FillEvent,
  OrderRequest,
  VenueCorrections,
  VenueCorrectionsApplied,
  operatorReplyOf,
} from '@bourse/contracts';
import { withSpan } from '@bourse/telemetry';
import { loadOrder } from '../store/index.js';
import { clock, orderRequest, startHarness, startQuoteFeed, waitFor, type Harness } from './test-support.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
let recorder: SpanRecorder;
let h: Harness;

beforeAll(async () => {
  recorder = recordSpans();
  h = await startHarness();
  await h.setMode('ACTIVE');
  await h.startService(await h.connectVenue());
}, 30_000);

afterAll(async () => {
  await h?.close();
  await recorder?.stop();
}, 30_000);

/** Publishes the request inside a root span of its own, as the risk gate does: the order's trace. */
function publishTraced(request: OrderRequest): Promise<string> {
  return withSpan('test.decision', { root: true }, async (span) => {
    await h.bus.publishDurable(h.subjects.orderRequest(request.venueSymbol), OrderRequestContract, request, {
      msgId: request.clientOrderId,
    });
    return span.spanContext().traceId;
  });
}

async function orderStatus(id: string, status: string): Promise<void> {
  await waitFor(`order ${id} ${status} in Postgres`, async () =>
    (await loadOrder(h.db.pool, id))?.status === status ? true : undefined,
  );
}

const spans = (): ReadableSpan[] => recorder.spans();
const named = (name: string, clientOrderId: string): ReadableSpan[] =>
  spans().filter((s) => s.name === name && s.attributes['bourse.client_order_id'] === clientOrderId);
const childrenOf = (parent: ReadableSpan | undefined): ReadableSpan[] =>
  spans().filter((s) => parent !== undefined && s.parentSpanContext?.spanId === parent.spanContext().spanId);

describe('spans of the order trace', () => {
  it('an operator cancel is a span of the order trace, under the span the order was journaled in', async () => {
    const req = orderRequest({ strategyId: 'span-cx', price: '21000' });
    const traceId = await publishTraced(req);
    await orderStatus(req.clientOrderId, 'new');
    const venueOrderId = (await loadOrder(h.db.pool, req.clientOrderId))?.venueOrderId;
    // The command comes in a trace of its own (the operator's); the cancel still joins the order's.
    const reply = await h.bus.request(
      h.subjects.command('order-manager', 'cancel'),
      { name: 'CancelCommand', schema: CancelCommand },
      { v: 1, command: 'cancel', requestedBy: 'test', requestedAt: clock.now(), clientOrderId: req.clientOrderId },
      { name: 'CancelExecutionReply', schema: CancelExecutionReply },
    );
    expect(reply.ok && reply.result.canceled).toEqual([req.clientOrderId]);

    const [submit] = named('order.submit', req.clientOrderId);
    const [cancel] = named('order.cancel', req.clientOrderId);
    expect(submit?.spanContext().traceId).toBe(traceId);
    expect(cancel?.spanContext().traceId).toBe(traceId);
    expect(cancel?.parentSpanContext?.spanId).toBe(submit?.spanContext().spanId);
    expect(cancel?.attributes).toMatchObject({
      'bourse.strategy.id': 'span-cx',
      'bourse.strategy.version': '1.0.0',
      'bourse.instrument': 'BTC/USDT',
      'bourse.intent.id': req.intentId,
      'bourse.venue_order_id': venueOrderId,
    });
    // The venue call is the cancel's child: a client span with the method and path, no query string.
    const [call] = childrenOf(cancel);
    expect(call?.name).toBe('DELETE /api/v3/order');
    expect(call?.attributes['url.path']).toBe('/api/v3/order');
  }, 30_000);

  it('every step of a limit chase, its child orders and their cancels are in the parent order trace', async () => {
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30010', quantity: '0.01' });
    const req = orderRequest({
      strategyId: 'span-chase',
      price: '30010',
      constraints: { limitWindowMs: 400, marketFallback: true, maxSlippageBps: '20' },
    });
    const feed = startQuoteFeed(h, '30000', '30010');
    let traceId: string;
    try {
      traceId = await publishTraced(req);
      await waitFor('the market fallback filled', async () => {
        const rows = await h.db.pool.query<{ status: string }>(
          "SELECT status FROM orders WHERE strategy_id = 'span-chase' AND style = 'market'",
        );
        return rows.rows[0]?.status === 'filled' ? true : undefined;
      });
    } finally {
      feed.stop();
    }

    // A step's span ends once its effects are carried out, which can be after the fill is stored.
    const steps = await waitFor('the chase steps ended', () => {
      const ended = named('order.chase.step', req.clientOrderId);
      return ended.length >= 3 ? ended : undefined;
    });
    for (const step of steps) expect(step.spanContext().traceId).toBe(traceId);
    const effects = steps.map((s) => String(s.attributes['bourse.chase.effects']));
    // The resting child, its cancel at the end of the window, then the market order.
    expect(effects.filter((e) => e.split(',').includes('submit')).length).toBeGreaterThanOrEqual(2);
    expect(effects.some((e) => e.split(',').includes('cancel'))).toBe(true);
    expect(steps[0]?.attributes).toMatchObject({
      'bourse.strategy.id': 'span-chase',
      'bourse.intent.id': req.intentId,
    });

    // Each child's submission is a child of a chase step, and the limit child's cancel is in the trace too.
    const children = (
      await h.db.pool.query<{ client_order_id: string; style: string }>(
        "SELECT client_order_id, style FROM orders WHERE strategy_id = 'span-chase' ORDER BY created_at",
      )
    ).rows;
    expect(children.map((c) => c.style)).toEqual(['limit', 'market']);
    const stepIds = new Set(steps.map((s) => s.spanContext().spanId));
    for (const child of children) {
      const [submit] = named('order.submit', child.client_order_id);
      expect(submit?.spanContext().traceId).toBe(traceId);
      expect(stepIds.has(submit?.parentSpanContext?.spanId ?? '')).toBe(true);
    }
    const [limitCancel] = named('order.cancel', children[0]?.client_order_id ?? '');
    expect(limitCancel?.spanContext().traceId).toBe(traceId);
    // The venue side of the market child: the simulator's server span, in the same trace.
    const placed = spans().find(
      (s) => s.attributes['bourse.client_order_id'] === children[1]?.client_order_id && s.kind === 1 /* SERVER */,
    );
    expect(placed?.spanContext().traceId).toBe(traceId);
  }, 30_000);

  it("a correction is an order.correction span of the order trace, linked both ways with the run's trace", async () => {
    const req = orderRequest({ strategyId: 'span-recon', qty: '0.01', price: '22000' });
    const traceId = await publishTraced(req);
    await orderStatus(req.clientOrderId, 'new');
    const row = await loadOrder(h.db.pool, req.clientOrderId);
    const fill = FillEvent.parse({
      v: 1,
      type: 'fill',
      eventId: 'binance:fill:BTCUSDT:span-recon-1',
      venue: 'binance',
      venueFillId: 'span-recon-1',
      clientOrderId: req.clientOrderId,
      venueOrderId: row?.venueOrderId,
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.002',
      price: '22000',
      fee: '0',
      feeAsset: 'USDT',
      liquidity: 'maker',
      venueTime: clock.now(),
    });
    // The reconciler's run, played here: the corrections request goes out inside its root span.
    const runTraceId = await withSpan('reconcile.run', { root: true }, async (span) => {
      const applied = await h.bus.request(
        h.subjects.command('order-manager', 'apply-corrections'),
        { name: 'VenueCorrections', schema: VenueCorrections },
        { v: 1, runId: 'run-span-1', venue: 'binance', fills: [fill], orderUpdates: [] },
        { name: 'Reply', schema: operatorReplyOf(VenueCorrectionsApplied) },
      );
      expect(applied.ok && applied.result.fillsApplied).toBe(1);
      return span.spanContext().traceId;
    });

    const [submit] = named('order.submit', req.clientOrderId);
    const [correction] = named('order.correction', req.clientOrderId);
    expect(correction?.spanContext().traceId).toBe(traceId);
    expect(correction?.parentSpanContext?.spanId).toBe(submit?.spanContext().spanId);
    expect(correction?.attributes).toMatchObject({
      'bourse.recon.run_id': 'run-span-1',
      'bourse.strategy.id': 'span-recon',
      'bourse.venue_order_id': row?.venueOrderId,
    });
    // From the order to the run …
    expect(correction?.links.map((l) => l.context.traceId)).toEqual([runTraceId]);
    // … and from the run's side (the order manager's handling of the request) to the order.
    const handled = spans().find(
      (s) =>
        s.spanContext().traceId === runTraceId &&
        s.name === `process ${h.subjects.command('order-manager', 'apply-corrections')}`,
    );
    expect(handled?.links.map((l) => [l.context.traceId, l.attributes?.['bourse.client_order_id']])).toEqual([
      [traceId, req.clientOrderId],
    ]);
  }, 30_000);
});
