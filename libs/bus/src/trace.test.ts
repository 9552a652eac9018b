import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Collector, NATS_URL, PingContract, testBus } from './test-helpers.js';
import { recordSpans, removeTestNamespace, testSubjects, type SpanRecorder } from './testing.js';
import type { Bus } from './types.js';

const subjects = testSubjects();
let bus: Bus;
let recorder: SpanRecorder;

beforeAll(async () => {
  recorder = recordSpans();
  ({ bus } = await testBus(subjects, 'trace-test'));
  await bus.ensureStreams();
});

afterAll(async () => {
  await bus?.drain();
  await removeTestNamespace(subjects, NATS_URL);
  await recorder?.stop();
});

interface Seen {
  traceId: string | undefined;
  spanId: string | undefined;
  traceparent: string | undefined;
}

const seenNow = (traceparent: string | undefined): Seen => {
  const sc = trace.getSpanContext(context.active());
  return { traceId: sc?.traceId, spanId: sc?.spanId, traceparent };
};

const tracer = () => trace.getTracer('bus-trace-test');

/** The ended span named `name`, waiting for it (a consumer's span ends after its handler returns). */
async function spanNamed(name: string, traceId?: string): Promise<ReadableSpan> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const found = recorder
      .spans()
      .find((s) => s.name === name && (traceId === undefined || s.spanContext().traceId === traceId));
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`no span ${name}; have ${recorder.spans().map((s) => s.name)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NATS messaging spans', () => {
  it('core publish: a PRODUCER send span under the caller, a CONSUMER process span under it', async () => {
    const subject = subjects.command('trace-test', 'ping');
    const seen = new Collector<Seen>();
    const sub = bus.subscribe(subject, PingContract, (_m, meta) => seen.push(seenNow(meta.headers.traceparent)));
    await bus.flush();
    const parent = tracer().startSpan('decide');
    context.with(trace.setSpan(context.active(), parent), () =>
      bus.publish(subject, PingContract, { version: 1, id: 'c1', qty: '1' }),
    );
    parent.end();
    const [got] = await seen.until(1);
    const traceId = parent.spanContext().traceId;
    const send = await spanNamed(`send ${subject}`, traceId);
    const process = await spanNamed(`process ${subject}`, traceId);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': subject,
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
    });
    expect(send.attributes['messaging.message.body.size']).toBeGreaterThan(0);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(process.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'process' });
    // The handler runs inside the process span; the header names the send span.
    expect(got).toEqual({
      traceId,
      spanId: process.spanContext().spanId,
      traceparent: `00-${traceId}-${send.spanContext().spanId}-01`,
    });
    await sub.unsubscribe();
  });

  it('JetStream publish and durable consume carry stream, consumer, sequence and message id', async () => {
    const seen = new Collector<Seen>();
    const handle = await bus.consume(
      {
        stream: 'INTENTS',
        durable: 'trace',
        deliverFrom: 'new',
        maxDeliver: 2,
        ackWaitMs: 30_000,
        nakDelaysMs: [50],
        maxAckPending: 10,
      },
      PingContract,
      (_m, meta) => seen.push(seenNow(meta.headers.traceparent)),
    );
    const subject = subjects.intent('s1', 'BTCUSDT');
    const parent = tracer().startSpan('intent');
    const ack = await context.with(trace.setSpan(context.active(), parent), () =>
      bus.publishDurable(subject, PingContract, { version: 1, id: 't2', qty: '1' }, { msgId: 't2' }),
    );
    parent.end();
    const [got] = await seen.until(1);
    const traceId = parent.spanContext().traceId;
    const send = await spanNamed(`send ${subject}`, traceId);
    const process = await spanNamed(`process ${subject}`, traceId);
    expect(send.attributes).toMatchObject({
      'messaging.message.id': 't2',
      'messaging.nats.stream': subjects.streams.INTENTS,
      'messaging.nats.sequence.stream': ack.seq,
    });
    expect(process.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      'messaging.message.id': 't2',
      'messaging.nats.stream': subjects.streams.INTENTS,
      'messaging.nats.consumer': 'trace',
      'messaging.consumer.group.name': 'trace',
      'messaging.nats.sequence.stream': ack.seq,
      'messaging.nats.delivery_count': 1,
    });
    expect(got?.spanId).toBe(process.spanContext().spanId);
    await handle.stop();
  });

  it('request and serve: the server’s process span is in the requester’s trace', async () => {
    const subject = subjects.command('trace-test', 'echo');
    const sub = bus.serve(subject, PingContract, PingContract, (m) => m);
    await bus.flush();
    const parent = tracer().startSpan('ask');
    await context.with(trace.setSpan(context.active(), parent), () =>
      bus.request(subject, PingContract, { version: 1, id: 'r1', qty: '1' }, PingContract),
    );
    parent.end();
    const traceId = parent.spanContext().traceId;
    const send = await spanNamed(`send ${subject}`, traceId);
    const process = await spanNamed(`process ${subject}`, traceId);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(process.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    await sub.unsubscribe();
  });

  it('market data gets no span per message, yet carries the context it was sent in', async () => {
    const subject = subjects.md.quote('sim', 'BTCUSDT');
    const seen = new Collector<Seen>();
    const sub = bus.subscribe(subject, PingContract, (_m, meta) => seen.push(seenNow(meta.headers.traceparent)));
    await bus.flush();
    const parent = tracer().startSpan('tick');
    context.with(trace.setSpan(context.active(), parent), () =>
      bus.publish(subject, PingContract, { version: 1, id: 'm1', qty: '1' }),
    );
    parent.end();
    const [got] = await seen.until(1);
    expect(got?.spanId).toBe(parent.spanContext().spanId);
    expect(recorder.spans().filter((s) => s.name.endsWith(subject))).toEqual([]);
    await sub.unsubscribe();
  });

  it('a message without trace headers starts a trace of its own', async () => {
    const seen = new Collector<Seen>();
    const handle = await bus.consume(
      {
        stream: 'RISK',
        durable: 'notrace',
        deliverFrom: 'new',
        maxDeliver: 2,
        ackWaitMs: 30_000,
        nakDelaysMs: [50],
        maxAckPending: 10,
      },
      PingContract,
      (_m, meta) => seen.push(seenNow(meta.headers.traceparent)),
    );
    // Published straight through the client, as another NATS user without tracing would.
    const subject = subjects.riskDecision('s1');
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: NATS_URL });
    nc.publish(subject, JSON.stringify({ version: 1, id: 't3', qty: '1' }));
    await nc.flush();
    // A core publish onto a stream subject is stored by the stream; the consumer sees it.
    const [got] = await seen.until(1);
    await nc.close();
    expect(got?.traceparent).toBeUndefined();
    const process = await spanNamed(`process ${subject}`, got?.traceId);
    expect(process.parentSpanContext).toBeUndefined();
    expect(got?.spanId).toBe(process.spanContext().spanId);
    await handle.stop();
  });
});
