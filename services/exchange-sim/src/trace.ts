// The venue side of a trace: an order placement that arrives with W3C trace context (the `traceparent`
// header on REST, a `traceparent` field of the request frame on the WS API) is handled inside a server
// span of that trace. A request without one makes no span: the simulator starts no traces of its own.

import { contextFromCarrier, SpanKind, withSpan } from '@bourse/telemetry';

export interface IncomingTrace {
  readonly traceparent?: unknown;
  readonly tracestate?: unknown;
}

/** Runs `place` in a SERVER span named `name` when `incoming` carries a trace; the answer's ids become attributes. */
export function inPlacementSpan<T>(
  incoming: IncomingTrace,
  name: string,
  attributes: Record<string, string | number>,
  place: () => T,
): T {
  if (typeof incoming.traceparent !== 'string') return place();
  const parent = contextFromCarrier({
    traceparent: incoming.traceparent,
    ...(typeof incoming.tracestate === 'string' ? { tracestate: incoming.tracestate } : {}),
  });
  return withSpan(
    name,
    { kind: SpanKind.SERVER, attributes },
    (span) => {
      const result = place();
      const answer = result as { symbol?: unknown; clientOrderId?: unknown; orderId?: unknown } | undefined;
      if (typeof answer?.clientOrderId === 'string') span.setAttribute('bourse.client_order_id', answer.clientOrderId);
      if (typeof answer?.orderId === 'number') span.setAttribute('bourse.venue_order_id', String(answer.orderId));
      if (typeof answer?.symbol === 'string') span.setAttribute('bourse.venue_symbol', answer.symbol);
      return result;
    },
    parent,
  );
}
