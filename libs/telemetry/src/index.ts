export { TelemetryError, TelemetryErrorCode, isTelemetryError, isWorkRefused } from './errors.js';
export {
  MASK,
  MIN_SECRET_LENGTH,
  SecretMasker,
  secretMasker,
  registerSecret,
  maskSecrets,
  redactSecrets,
  isSecretKey,
} from './secrets.js';
export {
  createLogger,
  REDACT_PATHS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogContext,
} from './logger.js';
export {
  startTelemetry,
  getTracer,
  injectTraceContext,
  extractTraceContext,
  otlpTracesUrlFromEnv,
  otlpProtocolFromEnv,
  otlpHeadersFromEnv,
  TradingAttr,
  tradingAttributes,
  activeTraceId,
  currentTraceCarrier,
  contextFromCarrier,
  withSpan,
  annotateSpan,
  activeSpan,
  spanContextOfCarrier,
  type OtlpHttpProtocol,
  type TradingFacts,
  type TraceCarrier,
  type TelemetryOptions,
  type TelemetryHandle,
} from './tracing.js';
export { SpanKind, SpanStatusCode, type Link, type Span } from '@opentelemetry/api';
export { createMetrics, assertLabelNames, type Metrics, type MetricsOptions } from './metrics.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { ReadinessGate } from './readiness.js';
export { WorkTracker } from './work-tracker.js';
export {
  Shutdown,
  installShutdown,
  type ShutdownOptions,
  type InstallShutdownOptions,
  type InstalledShutdown,
  type SignalSource,
} from './shutdown.js';
export type { Check, CheckResult, ShutdownStep, ShutdownStatus, ShutdownStepResult, ShutdownOutcome } from './types.js';
export { watchParent, PARENT_PID_ENV, type ParentWatch, type ParentWatchOptions } from './parent-watch.js';
