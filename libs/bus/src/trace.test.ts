import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context, ContextManager } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Collector, NATS_URL, PingContract, testBus } from './test-helpers.js';
import { removeTestNamespace, testSubjects } from './testing.js';
import type { Bus } from './types.js';

/** The smallest real context manager: AsyncLocalStorage, as the Node SDK uses. */
class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}

const subjects = testSubjects();
let bus: Bus;
const provider = new BasicTracerProvider();
const tracer = provider.getTracer('bus-trace-test');

beforeAll(async () => {
  context.setGlobalContextManager(new AlsContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  ({ bus } = await testBus(subjects, 'trace-test'));
  await bus.ensureStreams();
});

afterAll(async () => {
  await bus?.drain();
  await removeTestNamespace(subjects, NATS_URL);
  trace.disable();
  propagation.disable();
  context.disable();
});

interface Seen {
  traceId: string | undefined;
  parentSpanId: string | undefined;
  traceparent: string | undefined;
}

const seenNow = (traceparent: string | undefined): Seen => {
  const sc = trace.getSpanContext(context.active());
  return { traceId: sc?.traceId, parentSpanId: sc?.spanId, traceparent };
};

describe('W3C trace context over NATS headers', () => {
  it('crosses a core publish: the handler runs in the sender’s trace', async () => {
    const seen = new Collector<Seen>();
    const sub = bus.subscribe(subjects.md.quote('sim', 'BTCUSDT'), PingContract, (_m, meta) =>
      seen.push(seenNow(meta.headers.traceparent)),
    );
    await bus.flush();
    const span = tracer.startSpan('tick');
    await context.with(trace.setSpan(context.active(), span), () => {
      bus.publish(subjects.md.quote('sim', 'BTCUSDT'), PingContract, { version: 1, id: 't1', qty: '1' });
    });
    span.end();
    const [got] = await seen.until(1);
    expect(got?.traceId).toBe(span.spanContext().traceId);
    expect(got?.parentSpanId).toBe(span.spanContext().spanId);
    expect(got?.traceparent).toContain(span.spanContext().traceId);
    await sub.unsubscribe();
  });

  it('crosses a JetStream publish and a durable consume', async () => {
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
    const span = tracer.startSpan('intent');
    await context.with(trace.setSpan(context.active(), span), () =>
      bus.publishDurable(
        subjects.intent('s1', 'BTCUSDT'),
        PingContract,
        { version: 1, id: 't2', qty: '1' },
        { msgId: 't2' },
      ),
    );
    span.end();
    const [got] = await seen.until(1);
    expect(got?.traceId).toBe(span.spanContext().traceId);
    expect(got?.parentSpanId).toBe(span.spanContext().spanId);
    await handle.stop();
  });

  it('gives a handler the root context when the message carries no trace', async () => {
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
    await bus.publishDurable(
      subjects.riskDecision('s1'),
      PingContract,
      { version: 1, id: 't3', qty: '1' },
      { msgId: 't3' },
    );
    const [got] = await seen.until(1);
    expect(got?.traceId).toBeUndefined();
    expect(got?.traceparent).toBeUndefined();
    await handle.stop();
  });
});
