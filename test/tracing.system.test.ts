// Issue 20 part 1, with real processes: one trace per decision, across every process. The test runs an
// OTLP/HTTP receiver of its own (protobuf and JSON bodies), starts the platform exporting to it — some
// services with http/protobuf, some with http/json — waits for a fill, and asserts that the filled
// order's spans come from the strategy runner, the risk gate, the order manager and the exchange
// simulator, share one trace id, form one tree (every parent present, one root: the decision), carry
// the trading attributes, and that no exported byte holds the API key or secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { Platform, type ServiceName } from './support/platform.js';

let platform: Platform;
let receiver: OtlpReceiver;

/** JSON for these two, protobuf (the default) for the rest: both encodings reach the receiver. */
const JSON_SERVICES: ReadonlySet<ServiceName> = new Set(['risk-gate', 'reconciler']);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      const services = (['strategy-runner', 'risk-gate', 'order-manager'] as const)
        .map((s) => `--- ${s}\n${platform.logs(s, 10)}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}\n${services}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const describeSpan = (s: ReceivedSpan) => `${s.service} ${s.name} ${s.spanId}<-${s.parentSpanId ?? 'root'}`;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  platform = await Platform.create({
    configure: (config) => {
      // Short averages and a livelier sim, so crosses (and trades) come every few seconds.
      const strategies = (config.strategies as { list: Array<{ params: Record<string, unknown> }> }).list;
      for (const s of strategies) Object.assign(s.params, { fast: 2, slow: 5 });
      Object.assign((config.sim as { activity: Record<string, unknown> }).activity, { volatility: 0.002 });
    },
    env: (service) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: JSON_SERVICES.has(service) ? 'http/json' : 'http/protobuf',
      // Spans leave each process within half a second rather than five.
      OTEL_BSP_SCHEDULE_DELAY: '500',
    }),
  });
  await platform.startAll();
}, 180_000);

afterAll(async () => {
  await platform?.close();
  await receiver?.close();
}, 120_000);

describe('one trace per decision, across every process', () => {
  it('a filled order’s spans from runner, risk gate, order manager and sim form one tree in one trace', async () => {
    const { clientOrderId, traceId } = await waitFor(
      'a fill of a traced order',
      async () => {
        const { rows } = await platform.db.pool.query<{ client_order_id: string; traceparent: string }>(
          `SELECT f.client_order_id, t.traceparent FROM fills f JOIN order_traces t USING (client_order_id)
            ORDER BY f.venue_time LIMIT 1`,
        );
        const row = rows[0];
        return row === undefined
          ? undefined
          : { clientOrderId: row.client_order_id, traceId: row.traceparent.split('-')[1] as string };
      },
      150_000,
    );

    // Everything about this order has arrived once the fill is applied in the OMS and the tree is whole.
    const spans = await waitFor(
      `the spans of order ${clientOrderId} (trace ${traceId})`,
      async () => {
        const trace = receiver.trace(traceId);
        const ids = new Set(trace.map((s) => s.spanId));
        const whole = trace.every((s) => s.parentSpanId === undefined || ids.has(s.parentSpanId));
        const services = new Set(trace.map((s) => s.service));
        const filled = trace.some((s) => s.name === 'order.fill');
        const fourProcesses = ['strategy-runner', 'risk-gate', 'order-manager', 'exchange-sim'].every((s) =>
          services.has(s),
        );
        return whole && filled && fourProcesses ? trace : undefined;
      },
      30_000,
    );

    // One tree: a single root (the decision), every parent present in the trace.
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => s.parentSpanId === undefined);
    expect(roots.map(describeSpan)).toEqual([expect.stringMatching(/^strategy-runner strategy\.evaluate /)]);
    for (const span of spans) {
      if (span.parentSpanId !== undefined) expect(ids.has(span.parentSpanId), describeSpan(span)).toBe(true);
    }

    const named = (service: string, name: string | RegExp): ReceivedSpan => {
      const found = spans.find(
        (s) => s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name)),
      );
      expect(found, `${service} ${String(name)} in\n${spans.map(describeSpan).join('\n')}`).toBeDefined();
      return found as ReceivedSpan;
    };
    const evaluate = named('strategy-runner', 'strategy.evaluate');
    const intentSend = named('strategy-runner', /^send .*intent\./);
    const intentProcess = named('risk-gate', /^process .*intent\./);
    const decide = named('risk-gate', 'risk.decide');
    const requestSend = named('risk-gate', /^send .*order\.request\./);
    const requestProcess = named('order-manager', /^process .*order\.request\./);
    const submit = named('order-manager', 'order.submit');
    named('order-manager', 'order.outbox.write');
    const venueCall = spans.find((s) => s.service === 'order-manager' && s.kind === 3);
    const placement = spans.find((s) => s.service === 'exchange-sim' && s.kind === 2);
    const fill = named('order-manager', 'order.fill');
    // The report that carried the fill (a NEW report may come before it).
    const report = spans.find((s) => s.spanId === fill.parentSpanId) as ReceivedSpan;

    // The causal chain, parent by parent, across four processes.
    expect(intentSend.parentSpanId).toBe(evaluate.spanId);
    expect(intentProcess.parentSpanId).toBe(intentSend.spanId);
    expect(decide.parentSpanId).toBe(intentProcess.spanId);
    expect(requestSend.parentSpanId).toBe(decide.spanId);
    expect(requestProcess.parentSpanId).toBe(requestSend.spanId);
    expect(submit.parentSpanId).toBe(requestProcess.spanId);
    expect(venueCall, 'a client span for the venue call').toBeDefined();
    expect(placement, 'a server span in the simulator').toBeDefined();
    expect(placement?.parentSpanId).toBe(venueCall?.spanId);
    // Execution reports join the order's trace through the context stored with the order.
    expect(report?.name).toBe('order.execution_report');
    expect(report.parentSpanId).toBe(submit.spanId);
    expect(report.attributes['bourse.execution_type']).toBe('TRADE');

    // Messaging spans follow the OpenTelemetry messaging conventions.
    expect(intentSend.kind).toBe(4);
    expect(intentProcess.kind).toBe(5);
    expect(intentSend.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': intentSend.name.slice('send '.length),
    });
    expect(intentProcess.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
    });
    expect(intentProcess.attributes['messaging.nats.stream']).toMatch(/INTENTS$/);

    // Trading attributes.
    const strategy = {
      'bourse.strategy.id': expect.any(String),
      'bourse.strategy.version': expect.any(String),
      'bourse.instrument': expect.any(String),
      'bourse.intent.id': expect.any(String),
    };
    expect(evaluate.attributes).toMatchObject(strategy);
    const intentId = evaluate.attributes['bourse.intent.id'];
    for (const span of [decide, submit, report, fill]) {
      expect(span.attributes, describeSpan(span)).toMatchObject({
        ...strategy,
        'bourse.intent.id': intentId,
        'bourse.client_order_id': clientOrderId,
      });
    }
    const { rows } = await platform.db.pool.query<{ venue_order_id: string }>(
      'SELECT venue_order_id FROM orders WHERE client_order_id = $1',
      [clientOrderId],
    );
    const venueOrderId = rows[0]?.venue_order_id;
    expect(venueOrderId).toBeTruthy();
    for (const span of [submit, report, fill, placement as ReceivedSpan])
      expect(span.attributes['bourse.venue_order_id'], describeSpan(span)).toBe(venueOrderId);

    // The venue call names method and path only; never a signature, key or query string.
    const callAttributes = JSON.stringify(venueCall?.attributes);
    expect(callAttributes).not.toMatch(/signature|timestamp=|apiKey/i);

    // Both encodings were used, and every Bourse process plus the sim exported something.
    expect(receiver.errors).toEqual([]);
    expect([...(receiver.encodings.get('risk-gate') ?? [])]).toEqual(['application/json']);
    expect([...(receiver.encodings.get('order-manager') ?? [])]).toEqual(['application/x-protobuf']);
    for (const span of spans) expect(span.resource['service.name']).toBe(span.service);

    // No secret leaves any process, in any span of any trace: searched in the raw export bodies.
    const { apiKey, apiSecret } = platform.simCredentials;
    for (const body of receiver.rawBodies) {
      expect(body.includes(apiKey)).toBe(false);
      expect(body.includes(apiSecret)).toBe(false);
    }
    for (const span of receiver.spans) {
      const text = JSON.stringify([span.attributes, span.resource]);
      expect(text.includes(apiKey) || text.includes(apiSecret), describeSpan(span)).toBe(false);
    }

    // Log lines written inside a span lead to it: trace_id and span_id (pino mixin), in two processes.
    const lineOf = (service: ServiceName, msg: string) =>
      platform
        .logs(service, 4_000)
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === msg && l.clientOrderId === clientOrderId);
    expect(lineOf('order-manager', 'order placed')).toMatchObject({ trace_id: traceId, span_id: submit.spanId });
    expect(lineOf('risk-gate', 'risk decision')).toMatchObject({ trace_id: traceId, span_id: decide.spanId });

    // The operator finds the trace from the order: `bourse orders --all`, `bourse fills`, `bourse trace`.
    const orders = await platform.bourse(['orders', '--all', '--json']);
    expect(orders.code, orders.stderr).toBe(0);
    const listed = (JSON.parse(orders.stdout) as Array<{ clientOrderId: string; traceId: string | null }>).find(
      (o) => o.clientOrderId === clientOrderId,
    );
    expect(listed?.traceId).toBe(traceId);
    const fills = await platform.bourse(['fills', '--json']);
    expect(fills.code, fills.stderr).toBe(0);
    expect(
      (JSON.parse(fills.stdout) as Array<{ clientOrderId: string; traceId: string | null }>).find(
        (f) => f.clientOrderId === clientOrderId,
      )?.traceId,
    ).toBe(traceId);
    const shown = await platform.bourse(['trace', clientOrderId], { BOURSE_JAEGER_URL: 'http://127.0.0.1:9/' });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`trace ${traceId}\njaeger http://127.0.0.1:9/trace/${traceId}\n`);
    // Pointed at something that answers Jaeger's API (the receiver, from the spans it got), it prints
    // the tree: the decision at the root, every other span indented under its parent. README's
    // walk-through shows this output.
    const tree = await platform.bourse(['trace', clientOrderId], { BOURSE_JAEGER_URL: receiver.endpoint });
    expect(tree.code, tree.stderr).toBe(0);
    const lines = tree.stdout.split('\n').filter((l) => l !== '');
    expect(lines.slice(0, 2)).toEqual([`trace ${traceId}`, `jaeger ${receiver.endpoint}/trace/${traceId}`]);
    expect(lines[2]).toMatch(/^strategy-runner strategy\.evaluate \(\d+\.\d ms\)$/);
    const indented = lines.slice(3);
    expect(indented.length).toBeGreaterThanOrEqual(spans.length - 1);
    for (const line of indented) expect(line).toMatch(/^ {2,}\S+ .+ \(\d+\.\d ms\)$/);
    expect(indented.some((l) => /^ +order-manager order\.fill /.test(l))).toBe(true);
    expect(indented.some((l) => /^ +exchange-sim /.test(l))).toBe(true);
    if (process.env.BOURSE_PRINT_TRACE === '1') console.log(tree.stdout);
  }, 300_000);
});
