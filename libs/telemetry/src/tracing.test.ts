import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { isTelemetryError } from './errors.js';
import { createLogger } from './logger.js';
import { captureLogs } from './testing.js';
import {
  extractTraceContext,
  getTracer,
  injectTraceContext,
  otlpTracesUrlFromEnv,
  startTelemetry,
  type TelemetryHandle,
} from './tracing.js';

/** An in-memory exporter that says when spans arrive. */
class NotifyingExporter extends InMemorySpanExporter {
  private waiters: Array<() => void> = [];
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  override export(...args: Parameters<InMemorySpanExporter['export']>): void {
    super.export(...args);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

function inSpan<T>(name: string, fn: (span: Span) => T): T {
  return getTracer('test').startActiveSpan(name, (span) => {
    try {
      return fn(span);
    } finally {
      span.end();
    }
  });
}

describe('startTelemetry', () => {
  it('without an endpoint exports nothing, yet spans get ids that logs and headers carry', () => {
    handle = startTelemetry({ serviceName: 'risk-gate', serviceVersion: '0.1.0', env: {} });
    expect(handle.otlpTracesUrl).toBeUndefined();
    const logs = captureLogs();
    const logger = createLogger({ service: 'risk-gate', destination: logs.destination });

    const headers: Record<string, string> = {};
    const published = inSpan('publish intent', (span) => {
      logger.info('publishing');
      injectTraceContext((name, value) => (headers[name] = value));
      return span.spanContext();
    });
    expect(published.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(published.traceId).not.toBe('0'.repeat(32));
    expect(headers.traceparent).toBe(`00-${published.traceId}-${published.spanId}-01`);

    // The receiving side: a span under the extracted context continues the same trace.
    const received = extractTraceContext((name) => headers[name], ROOT_CONTEXT);
    const consumed = getTracer('test').startActiveSpan('consume intent', {}, received, (span) => {
      logger.info('consuming');
      span.end();
      return span.spanContext();
    });
    expect(consumed.traceId).toBe(published.traceId);
    expect(consumed.spanId).not.toBe(published.spanId);

    const [first, second] = logs.entries();
    expect(first).toMatchObject({ trace_id: published.traceId, span_id: published.spanId });
    expect(second).toMatchObject({ trace_id: published.traceId, span_id: consumed.spanId });
  });

  it('records spans with service.name and service.version on the resource', async () => {
    const exporter = new NotifyingExporter();
    const exported = exporter.next();
    handle = startTelemetry({ serviceName: 'order-manager', serviceVersion: '2.0.1', env: {}, spanExporter: exporter });
    inSpan('submit order', (span) => span.setAttribute('bourse.symbol', 'BTCUSDT'));
    // Export waits for the resource's asynchronous attributes (host detection), so wait for it.
    await exported;
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('submit order');
    expect(span?.resource.attributes).toMatchObject({ 'service.name': 'order-manager', 'service.version': '2.0.1' });
  });

  it.each([
    { protocol: undefined, contentType: 'application/x-protobuf' },
    { protocol: 'http/protobuf', contentType: 'application/x-protobuf' },
    { protocol: 'http/json', contentType: 'application/json' },
  ])(
    'exports over OTLP/HTTP ($protocol) to OTEL_EXPORTER_OTLP_ENDPOINT with its headers, flushing on shutdown',
    async ({ protocol, contentType }) => {
      const received: Array<{ path: string | undefined; body: string; type: unknown; auth: unknown }> = [];
      let onRequest: (() => void) | undefined;
      const collector = createServer((req: IncomingMessage, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({
            path: req.url,
            body: Buffer.concat(chunks).toString('utf8'),
            type: req.headers['content-type'],
            auth: req.headers['x-tenant'],
          });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          onRequest?.();
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = collector.address() as AddressInfo;
        const arrived = new Promise<void>((resolve) => (onRequest = resolve));
        handle = startTelemetry({
          serviceName: 'reconciler',
          serviceVersion: '0.3.0',
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
            OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=desk%201',
            ...(protocol === undefined ? {} : { OTEL_EXPORTER_OTLP_PROTOCOL: protocol }),
          },
        });
        expect(handle.otlpTracesUrl).toBe(`http://127.0.0.1:${port}/v1/traces`);
        inSpan('reconcile run', () => undefined);
        await handle.shutdown();
        await arrived;
        expect(received[0]?.path).toBe('/v1/traces');
        expect(received[0]?.type).toBe(contentType);
        expect(received[0]?.auth).toBe('desk 1');
        // Both encodings hold names as plain UTF-8 bytes.
        expect(received[0]?.body).toContain('reconcile run');
        expect(received[0]?.body).toContain('reconciler');
      } finally {
        collector.closeAllConnections();
        await new Promise<void>((resolve) => collector.close(() => resolve()));
      }
    },
  );

  it('refuses an OTLP protocol it cannot speak', () => {
    expect(() =>
      startTelemetry({
        serviceName: 'a',
        serviceVersion: '1',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/);
  });

  it('refuses a second start while one runs, and bad options', () => {
    handle = startTelemetry({ serviceName: 'a', serviceVersion: '1', env: {} });
    try {
      startTelemetry({ serviceName: 'b', serviceVersion: '1', env: {} });
      expect.unreachable('second start should throw');
    } catch (err) {
      expect(isTelemetryError(err, 'ALREADY_STARTED')).toBe(true);
    }
    expect(() => startTelemetry({ serviceName: '', serviceVersion: '1', env: {} })).toThrow(/serviceName/);
  });
});

describe('otlpTracesUrlFromEnv', () => {
  it('is undefined when no endpoint is set, or set empty', () => {
    expect(otlpTracesUrlFromEnv({})).toBeUndefined();
    expect(otlpTracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
  });

  it('appends the traces path to the base endpoint and uses the traces endpoint as is', () => {
    expect(otlpTracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' })).toBe(
      'http://otel:4318/v1/traces',
    );
    expect(
      otlpTracesUrlFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom',
      }),
    ).toBe('http://tempo:4318/custom');
  });

  it('names the variable of a malformed endpoint without echoing its credentials', () => {
    try {
      otlpTracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter22@otel:21' });
      expect.unreachable('should throw');
    } catch (err) {
      expect(isTelemetryError(err, 'INVALID_OPTION')).toBe(true);
      expect((err as Error).message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
      expect(JSON.stringify((err as { value: unknown }).value)).not.toContain('hunter22');
    }
  });
});
