// OpenTelemetry tracing for one service process: W3C trace context across processes, the
// AsyncLocalStorage (async-hooks) context manager inside one, and OTLP/HTTP export only when an
// endpoint is configured. Without an endpoint a tracer provider still runs (spans get real ids,
// logs carry them, headers carry them to the next service) but nothing leaves the process.
//
// Never put a secret in a span attribute, event or name: spans leave the process unmasked.
// Attribute values are ids, symbols, statuses and sizes; never keys, signatures, URLs with
// credentials or raw request bodies.

import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { envDetector, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { core, NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { TelemetryError, TelemetryErrorCode } from './errors.js';
import { maskSecrets } from './secrets.js';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /**
   * Where the `OTEL_EXPORTER_OTLP_*` endpoint, protocol and headers are read from; `process.env` by
   * default. The sampler (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`) is read by the SDK from
   * `process.env`; unset, it is parent-based always-on.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** An extra exporter fed span by span (tests pass an `InMemorySpanExporter`). */
  spanExporter?: SpanExporter;
}

export interface TelemetryHandle {
  /** The OTLP/HTTP traces URL spans are sent to, with any credentials masked; undefined when not exporting. */
  readonly otlpTracesUrl: string | undefined;
  /** Flushes pending spans and unregisters the global tracer, context manager and propagator. */
  shutdown(): Promise<void>;
}

let started = false;

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TelemetryError(
      TelemetryErrorCode.INVALID_OPTION,
      `startTelemetry: \`${name}\` must be a non-empty string`,
      value,
    );
  }
  return value;
}

/** The OTLP/HTTP traces URL from the standard variables, or undefined when tracing export is off. */
export function otlpTracesUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const signalUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const baseUrl = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // The signal-specific variable is used as is; the base one gets the signal path appended (OTLP spec).
  const [variable, url] = signalUrl
    ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', signalUrl]
    : baseUrl
      ? ['OTEL_EXPORTER_OTLP_ENDPOINT', `${baseUrl.replace(/\/+$/, '')}/v1/traces`]
      : [undefined, undefined];
  if (variable === undefined || url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TelemetryError(TelemetryErrorCode.INVALID_OPTION, `${variable} is not a valid URL`, maskSecrets(url), {
      cause,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TelemetryError(TelemetryErrorCode.INVALID_OPTION, `${variable} must be an http(s) URL`, maskSecrets(url));
  }
  return url;
}

export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

/**
 * The OTLP protocol the standard variables ask for: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf` (the specification's default). gRPC is refused:
 * only the HTTP transports are built in.
 */
export function otlpProtocolFromEnv(env: Readonly<Record<string, string | undefined>>): OtlpHttpProtocol {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim();
  const base = env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim();
  const [variable, value] = signal
    ? ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', signal]
    : base
      ? ['OTEL_EXPORTER_OTLP_PROTOCOL', base]
      : [undefined, 'http/protobuf'];
  if (value === 'http/protobuf' || value === 'http/json') return value;
  throw new TelemetryError(
    TelemetryErrorCode.INVALID_OPTION,
    `${variable ?? 'OTEL_EXPORTER_OTLP_PROTOCOL'} must be http/protobuf or http/json`,
    value,
  );
}

/**
 * Export headers from `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (the latter
 * wins per key): `key=value` pairs separated by commas, values percent-decoded (W3C baggage format).
 */
export function otlpHeadersFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const variable of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'] as const) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    for (const pair of raw.split(',')) {
      const at = pair.indexOf('=');
      const key = (at < 0 ? '' : pair.slice(0, at)).trim();
      if (key === '') {
        // The pair may hold a token: name the variable, never the value.
        throw new TelemetryError(TelemetryErrorCode.INVALID_OPTION, `${variable} holds a pair without a key`);
      }
      let value = pair.slice(at + 1).trim();
      try {
        value = decodeURIComponent(value);
      } catch {
        // Not percent-encoded after all: used as written.
      }
      headers[key] = value;
    }
  }
  return headers;
}

/**
 * Starts the OpenTelemetry Node SDK for this process (once; a second call throws until the first
 * handle is shut down). Metrics and logs stay with prom-client and pino: the SDK runs traces only.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  const serviceName = requireText('serviceName', options.serviceName);
  const serviceVersion = requireText('serviceVersion', options.serviceVersion);
  if (started) {
    throw new TelemetryError(
      TelemetryErrorCode.ALREADY_STARTED,
      'startTelemetry: telemetry is already started in this process',
    );
  }
  const env = options.env ?? process.env;
  const url = otlpTracesUrlFromEnv(env);

  const spanProcessors: SpanProcessor[] = [];
  if (url !== undefined) {
    const config = { url, headers: otlpHeadersFromEnv(env) };
    const exporter =
      otlpProtocolFromEnv(env) === 'http/json' ? new OtlpJsonTraceExporter(config) : new OtlpProtoTraceExporter(config);
    spanProcessors.push(new BatchSpanProcessor(exporter));
  }
  if (options.spanExporter) spanProcessors.push(new SimpleSpanProcessor(options.spanExporter));
  // The SDK registers no tracer provider without a processor, and then spans would have no ids.
  if (spanProcessors.length === 0) spanProcessors.push(new NoopSpanProcessor());

  const sdk = new NodeSDK({
    serviceName,
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: serviceVersion }),
    // No process detector: it records the command line, where a key passed as an argument would leak.
    resourceDetectors: [envDetector, hostDetector],
    textMapPropagator: new core.W3CTraceContextPropagator(),
    // contextManager left unset: the SDK registers its AsyncLocalStorage (async-hooks) manager.
    spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  started = true;

  let stopping: Promise<void> | undefined;
  return {
    otlpTracesUrl: url === undefined ? undefined : maskSecrets(url),
    shutdown() {
      stopping ??= sdk.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
        started = false;
      });
      return stopping;
    },
  };
}

/** A tracer from the global provider (a no-op one until `startTelemetry` runs). */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

/** Writes the current (or given) context's `traceparent`/`tracestate` through `setHeader`, e.g. into NATS headers. */
export function injectTraceContext(
  setHeader: (name: string, value: string) => void,
  ctx: Context = context.active(),
): void {
  propagation.inject(ctx, undefined, { set: (_carrier, name, value) => setHeader(name, value) });
}

/** The context carried by incoming headers, to start the receiving span under: `context.with(ctx, …)`. */
export function extractTraceContext(
  getHeader: (name: string) => string | undefined,
  base: Context = context.active(),
): Context {
  return propagation.extract(base, undefined, {
    get: (_carrier, name) => getHeader(name),
    keys: () => [],
  });
}

/** Attribute names every trading span carries (as far as they are known at that point). */
export const TradingAttr = {
  strategyId: 'bourse.strategy.id',
  strategyVersion: 'bourse.strategy.version',
  instrument: 'bourse.instrument',
  clientOrderId: 'bourse.client_order_id',
  venueOrderId: 'bourse.venue_order_id',
  intentId: 'bourse.intent.id',
} as const;

export interface TradingFacts {
  readonly strategyId?: string | undefined;
  readonly strategyVersion?: string | number | undefined;
  readonly instrument?: string | undefined;
  readonly clientOrderId?: string | undefined;
  readonly venueOrderId?: string | undefined;
  readonly intentId?: string | undefined;
}

/** The `bourse.*` span attributes for what is known; absent facts are left out, never written empty. */
export function tradingAttributes(facts: TradingFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(TradingAttr) as Array<[keyof TradingFacts, string]>) {
    const value = facts[key];
    if (value !== undefined && value !== '') out[name] = String(value);
  }
  return out;
}

/** The active span's trace id, or undefined when no (valid) span is active. */
export function activeTraceId(): string | undefined {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc !== undefined && isSpanContextValid(sc) ? sc.traceId : undefined;
}

/**
 * The active context as a `traceparent` (plus `tracestate`) record, for storing with an order so that
 * work done for it later, even after a restart, joins its trace. Empty when nothing is active.
 */
export function currentTraceCarrier(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** A stored W3C trace context. */
export interface TraceCarrier {
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
}

/** The context a stored carrier (see `currentTraceCarrier`) names, on top of `base`. */
export function contextFromCarrier(carrier: TraceCarrier | null | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!carrier || carrier.traceparent === undefined) return base;
  return propagation.extract(base, carrier);
}

const BOURSE_TRACER = 'bourse';

/**
 * Runs `fn` inside a new active span (child of `parent`, by default the active context), ending it when
 * `fn` returns or its promise settles; a throw or rejection is recorded on the span and passed on.
 */
export function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => T,
  parent: Context = context.active(),
): T {
  const span = trace.getTracer(BOURSE_TRACER).startSpan(name, options, parent);
  const failed = (err: unknown) => {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    span.end();
  };
  let out: T;
  try {
    out = context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    failed(err);
    throw err;
  }
  if (out instanceof Promise) {
    return out.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        failed(err);
        throw err;
      },
    ) as T;
  }
  span.end();
  return out;
}

/** Adds attributes to the active span, if there is one (so a core's result can be named on its span). */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active span, if any (to link it from another trace). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** The span context a stored carrier names, for a link; undefined when it names none. */
export function spanContextOfCarrier(carrier: TraceCarrier | null | undefined): SpanContext | undefined {
  const sc = trace.getSpanContext(contextFromCarrier(carrier));
  return sc !== undefined && isSpanContextValid(sc) ? sc : undefined;
}
