// JSON logging with pino. Every line carries the service (and version), the active trace and span
// ids (`trace_id`, `span_id`, as OpenTelemetry names them in logs) when there is a span, and whatever a child logger binds (strategyId, clientOrderId).
// Secrets are removed three ways: pino's `redact` for the well-known paths, a deep walk of each
// logged object (keys at any depth, string values, errors), and a last pass over the finished JSON
// line (the message, interpolated arguments, child bindings) that masks registered values and patterns.

import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import { TelemetryError, TelemetryErrorCode } from './errors.js';
import { MASK, secretMasker } from './secrets.js';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** Service name, on every line as `service`. */
  service: string;
  /** Service version, on every line as `version` when given. */
  version?: string;
  /** Lowest level written; `info` by default. */
  level?: LogLevel;
  /** Where JSON lines go; stdout by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/**
 * Field names the platform binds on child loggers, so that every service spells them the same:
 * `logger.child({ strategyId, clientOrderId })`.
 */
export interface LogContext {
  strategyId?: string;
  clientOrderId?: string;
  instrument?: string;
  venue?: string;
}

// The names pino redacts by path; the deep walk catches the same names (and more) at any depth.
const REDACTED_NAMES = [
  'apiKey',
  'apiSecret',
  'secret',
  'password',
  'signature',
  'listenKey',
  'authorization',
  'token',
];
const REDACTED_HEADERS = [
  'headers.authorization',
  'headers.Authorization',
  'headers["x-mbx-apikey"]',
  'headers["X-MBX-APIKEY"]',
];

export const REDACT_PATHS: readonly string[] = [
  ...REDACTED_NAMES.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]),
  ...REDACTED_HEADERS.flatMap((path) => [path, `*.${path}`]),
];

function traceMixin(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

function redactRecord(value: object): Record<string, unknown> {
  return secretMasker.redact(value) as Record<string, unknown>;
}

/** A pino logger writing one JSON object per line, with secrets masked. */
export function createLogger(options: LoggerOptions): Logger {
  if (typeof options.service !== 'string' || options.service.trim() === '') {
    throw new TelemetryError(
      TelemetryErrorCode.INVALID_OPTION,
      'createLogger: `service` must be a non-empty string',
      options.service,
    );
  }
  const level = options.level ?? 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new TelemetryError(
      TelemetryErrorCode.INVALID_OPTION,
      `createLogger: unknown level "${String(level)}" (expected one of ${LOG_LEVELS.join(', ')})`,
      level,
    );
  }
  const base: Record<string, unknown> = { service: options.service, pid: process.pid, hostname: hostname() };
  if (options.version !== undefined) base.version = options.version;

  const pinoOptions: pino.LoggerOptions = {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: MASK },
    mixin: traceMixin,
    formatters: {
      level: (label) => ({ level: label }),
      // Applies to the root logger's base only; child bindings are covered by `redact` and `streamWrite`.
      bindings: redactRecord,
      log: redactRecord,
    },
    serializers: { err: (err: unknown) => secretMasker.redact(err) },
    hooks: { streamWrite: (line) => secretMasker.mask(line) },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
