// Each order's trace (DESIGN 10): the context an order request arrived in is stored with the order
// when it is journaled (table order_traces), kept in memory while the order is open and read back at
// start, so every later step — the venue's answer, execution reports, fills, cancels, chase steps —
// is a span of the order's trace, even after a restart. Tracing never stops trading: a context that
// cannot be stored is logged and the order goes on.

import type { OrderRequest } from '@bourse/contracts';
import {
  activeSpan,
  contextFromCarrier,
  spanContextOfCarrier,
  currentTraceCarrier,
  tradingAttributes,
  withSpan,
  type Logger,
  type Span,
} from '@bourse/telemetry';
import type { Queryable } from '@bourse/store';
import type { Clock, OrderTracker } from '@bourse/execution';
import { loadOpenOrderTraces, loadOrderTrace, saveOrderTrace, type OrderTrace } from '../store/index.js';

export class OrderTraces {
  readonly #open = new Map<string, OrderTrace>();

  constructor(
    private readonly db: Queryable,
    private readonly tracker: OrderTracker,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The traces of the orders still open, read once at start. */
  async load(): Promise<number> {
    const loaded = await loadOpenOrderTraces(this.db);
    for (const [id, trace] of loaded) this.#open.set(id, trace);
    return loaded.size;
  }

  /** Stores the active context as the order's (called inside the order's span, when it is journaled). */
  async record(clientOrderId: string): Promise<void> {
    const carrier = currentTraceCarrier();
    if (carrier.traceparent === undefined) return;
    const trace: OrderTrace = {
      traceparent: carrier.traceparent,
      ...(carrier.tracestate !== undefined ? { tracestate: carrier.tracestate } : {}),
    };
    this.#open.set(clientOrderId, trace);
    try {
      await saveOrderTrace(this.db, clientOrderId, trace, this.clock.now());
    } catch (err) {
      this.log.warn(
        { clientOrderId, err },
        'trace context of the order not stored; later updates start their own trace',
      );
    }
  }

  /** Looks the order's trace up in the store when memory lacks it (an order closed before a restart). */
  async recall(clientOrderId: string): Promise<void> {
    if (this.#open.has(clientOrderId)) return;
    try {
      const trace = await loadOrderTrace(this.db, clientOrderId);
      if (trace !== undefined) this.#open.set(clientOrderId, trace);
    } catch (err) {
      this.log.warn({ clientOrderId, err }, 'trace context of the order not read');
    }
  }

  /** Drops a closed order's context from memory (the store keeps it). */
  forget(clientOrderId: string): void {
    this.#open.delete(clientOrderId);
  }

  /** The `bourse.*` attributes of a followed order. */
  attributes(clientOrderId: string, request?: OrderRequest): Record<string, string> {
    const tracked = this.tracker.get(clientOrderId);
    const r = request ?? tracked?.request;
    return tradingAttributes({
      clientOrderId,
      strategyId: r?.strategyId,
      strategyVersion: r?.strategyVersion,
      instrument: r?.instrument,
      intentId: r?.intentId,
      venueOrderId: tracked?.order.venueOrderId,
    });
  }

  /** Runs `fn` in a span `name` of the order's trace (a trace of its own when the order has none stored). */
  inOrder<T>(
    name: string,
    clientOrderId: string,
    attributes: Record<string, string | number | boolean>,
    fn: (span: Span) => T,
  ): T {
    const parent = contextFromCarrier(this.#open.get(clientOrderId));
    return withSpan(name, { attributes: { ...this.attributes(clientOrderId), ...attributes } }, fn, parent);
  }

  /**
   * A correction for this order arrived from a reconciliation run (whose trace is active): a span in the
   * order's trace marks it, and the two traces link each other.
   */
  correction(clientOrderId: string, runId: string): void {
    const run = activeSpan();
    const order = spanContextOfCarrier(this.#open.get(clientOrderId));
    if (order !== undefined) run?.addLink({ context: order, attributes: { 'bourse.client_order_id': clientOrderId } });
    const parent = contextFromCarrier(this.#open.get(clientOrderId));
    withSpan(
      'order.correction',
      {
        attributes: { ...this.attributes(clientOrderId), 'bourse.recon.run_id': runId },
        ...(run !== undefined ? { links: [{ context: run.spanContext() }] } : {}),
      },
      () => undefined,
      parent,
    );
  }
}
