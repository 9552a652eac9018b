import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { headers as natsHeaders, Match } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';

/** Lets the registered OpenTelemetry propagator write `traceparent`/`tracestate` into NATS headers. */
export const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/** Reads trace headers back; NATS keeps header case as sent, so match without case. */
export const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys(carrier) {
    return carrier ? carrier.keys() : [];
  },
  get(carrier, key) {
    if (!carrier || !carrier.has(key, Match.IgnoreCase)) return undefined;
    const values = carrier.values(key, Match.IgnoreCase);
    return values.length === 1 ? values[0] : values;
  },
};

/** Headers for an outgoing message holding only the caller's extras (a send span adds its own context). */
export function plainHeaders(extra?: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  if (extra) for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
}

/** Headers for an outgoing message: the caller's extras plus the active trace context. */
export function outgoingHeaders(extra?: Readonly<Record<string, string>>): MsgHdrs {
  const h = plainHeaders(extra);
  propagation.inject(context.active(), h, natsHeaderSetter);
  return h;
}

/**
 * The context a received message was sent in. Starts from the root context: a handler must continue
 * the sender's trace, not whatever happened to be active in the subscription loop.
 */
export function incomingContext(h: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, h, natsHeaderGetter);
}

/** Header values by name (first value of each) for handlers and dead letters. */
export function headerRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, values] of h) {
    const first = values[0];
    if (first !== undefined) out[k] = first;
  }
  return out;
}

/** Every header value, for a dead letter that must carry the original headers unchanged. */
export function headerLists(h: MsgHdrs | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!h) return out;
  for (const [k, values] of h) out[k] = [...values];
  return out;
}
