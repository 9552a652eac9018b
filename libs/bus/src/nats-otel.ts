// OpenTelemetry messaging spans for nats.js v3 (`@nats-io/transport-node`, `@nats-io/jetstream`).
//
// Self-contained on purpose: it needs only `@opentelemetry/api` and the nats.js header type, so another
// nats.js user can copy this one file. It follows the OpenTelemetry messaging semantic conventions the
// way the NATS instrumentation for Java applies them:
//
// - span name `{operation} {subject}`: `send <subject>` (PRODUCER) for a publish or a request,
//   `process <subject>` (CONSUMER) for a handled message;
// - `messaging.system=nats`, `messaging.destination.name=<subject>`, `messaging.operation.name` and
//   `messaging.operation.type` (`send` / `process`), `messaging.message.body.size`;
// - JetStream: `messaging.message.id` (the `Nats-Msg-Id`), `messaging.consumer.group.name` (the
//   durable), and `messaging.nats.stream`, `messaging.nats.consumer`, `messaging.nats.sequence.stream`,
//   `messaging.nats.delivery_count` (there is no registered name for these; the prefix keeps them
//   together with the rest);
// - W3C `traceparent`/`tracestate` written into the message headers by the registered propagator, from
//   the send span's context, so the consumer's `process` span is the send span's child.
//
// The process span starts from the message's context, never from the subscription loop's: a handler
// continues the sender's trace. A message without trace headers starts a trace of its own.

import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

export const NATS_TRACER_NAME = 'nats';

export const MessagingAttr = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  bodySize: 'messaging.message.body.size',
  messageId: 'messaging.message.id',
  consumerGroup: 'messaging.consumer.group.name',
  stream: 'messaging.nats.stream',
  consumer: 'messaging.nats.consumer',
  streamSequence: 'messaging.nats.sequence.stream',
  deliveryCount: 'messaging.nats.delivery_count',
} as const;

export type NatsOperation = 'send' | 'process';

/** What is known about a message when its span starts. */
export interface NatsMessageInfo {
  readonly subject: string;
  readonly bodySize: number;
  /** JetStream `Nats-Msg-Id`. */
  readonly messageId?: string | undefined;
  readonly stream?: string | undefined;
  readonly consumer?: string | undefined;
  readonly streamSequence?: number | undefined;
  readonly deliveryCount?: number | undefined;
}

const setter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/** NATS keeps header case as sent: match without case. */
const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys(carrier) {
    return carrier ? carrier.keys() : [];
  },
  get(carrier, key) {
    if (!carrier) return undefined;
    for (const k of carrier.keys()) {
      if (k.toLowerCase() === key.toLowerCase()) {
        const values = carrier.values(k);
        return values.length === 1 ? values[0] : values;
      }
    }
    return undefined;
  },
};

export function messagingAttributes(operation: NatsOperation, info: NatsMessageInfo): Attributes {
  const a: Attributes = {
    [MessagingAttr.system]: 'nats',
    [MessagingAttr.destination]: info.subject,
    [MessagingAttr.operationName]: operation,
    [MessagingAttr.operationType]: operation,
    [MessagingAttr.bodySize]: info.bodySize,
  };
  if (info.messageId !== undefined) a[MessagingAttr.messageId] = info.messageId;
  if (info.stream !== undefined) a[MessagingAttr.stream] = info.stream;
  if (info.consumer !== undefined) {
    a[MessagingAttr.consumer] = info.consumer;
    a[MessagingAttr.consumerGroup] = info.consumer;
  }
  if (info.streamSequence !== undefined) a[MessagingAttr.streamSequence] = info.streamSequence;
  if (info.deliveryCount !== undefined) a[MessagingAttr.deliveryCount] = info.deliveryCount;
  return a;
}

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

export interface NatsTracing {
  /**
   * Runs `send` inside a PRODUCER span `send <subject>`, after writing that span's trace context into
   * `headers`. `send` may return the JetStream ack; `onResult` adds what it tells (stream, sequence).
   */
  send<T>(
    info: NatsMessageInfo,
    headers: MsgHdrs,
    send: () => T,
    onResult?: (span: Span, result: Awaited<T>) => void,
  ): T;
  /** Runs `handle` inside a CONSUMER span `process <subject>`, the child of the context in `headers`. */
  process<T>(info: NatsMessageInfo, headers: MsgHdrs | undefined, handle: () => T): T;
  /** The context carried by `headers` (on the root context), without a span of its own. */
  extract(headers: MsgHdrs | undefined): Context;
  /** Writes the active context into `headers`, without a span of its own. */
  inject(headers: MsgHdrs): void;
}

/** Messaging spans through `tracer` (by default the global provider's `nats` tracer, looked up on each use). */
export function natsTracing(tracer?: Tracer): NatsTracing {
  const t = (): Tracer => tracer ?? trace.getTracer(NATS_TRACER_NAME);

  const settle = <T>(span: Span, out: T, onResult?: (span: Span, result: Awaited<T>) => void): T => {
    if (out instanceof Promise) {
      return out.then(
        (value: Awaited<T>) => {
          onResult?.(span, value);
          span.end();
          return value;
        },
        (err: unknown) => {
          fail(span, err);
          span.end();
          throw err;
        },
      ) as T;
    }
    onResult?.(span, out as Awaited<T>);
    span.end();
    return out;
  };

  const run = <T>(span: Span, ctx: Context, body: () => T, onResult?: (span: Span, result: Awaited<T>) => void): T => {
    let out: T;
    try {
      out = context.with(ctx, body);
    } catch (err) {
      fail(span, err);
      span.end();
      throw err;
    }
    return settle(span, out, onResult);
  };

  return {
    send(info, headers, send, onResult) {
      const span = t().startSpan(`send ${info.subject}`, {
        kind: SpanKind.PRODUCER,
        attributes: messagingAttributes('send', info),
      });
      const ctx = trace.setSpan(context.active(), span);
      propagation.inject(ctx, headers, setter);
      return run(span, ctx, send, onResult);
    },
    process(info, headers, handle) {
      const parent = propagation.extract(ROOT_CONTEXT, headers, getter);
      const span = t().startSpan(
        `process ${info.subject}`,
        { kind: SpanKind.CONSUMER, attributes: messagingAttributes('process', info) },
        parent,
      );
      return run(span, trace.setSpan(parent, span), handle);
    },
    extract(headers) {
      return propagation.extract(ROOT_CONTEXT, headers, getter);
    },
    inject(headers) {
      propagation.inject(context.active(), headers, setter);
    },
  };
}
