// OpenTelemetry tracing for one service process: W3C trace context across processes, the
// AsyncLocalStorage (async-hooks) context manager inside one, and OTLP/HTTP export only when an
// endpoint is configured. Without an endpoint a tracer provider still runs (spans get real ids,
// logs carry them, headers carry them to the next service) but nothing leaves the process.
//
// Never put a secret in a span attribute, event or name: spans leave the process unmasked.
// Attribute values are ids, symbols, statuses and sizes; never keys, signatures, URLs with
// credentials or raw request bodies.

import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
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
   * Where `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is read from;
   * `process.env` by default. The exporter still reads `OTEL_EXPORTER_OTLP_HEADERS` from `process.env`.
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
  const url = otlpTracesUrlFromEnv(options.env ?? process.env);

  const spanProcessors: SpanProcessor[] = [];
  if (url !== undefined) spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
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
