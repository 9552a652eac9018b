// What every service starts right after its configuration, in this order: telemetry (so the
// standard OTEL variables apply), the logger, the metrics registry, the readiness gate, the ops
// server (/healthz /readyz /metrics), and the wall clock.

import type { Clock } from '@bourse/domain';
import {
  createLogger,
  createMetrics,
  ReadinessGate,
  startOpsServer,
  startTelemetry,
  type Logger,
  type LogLevel,
  type Metrics,
  type OpsServer,
  type TelemetryHandle,
} from '@bourse/telemetry';
import { systemClock } from '../clock.js';

export interface ServiceBaseOptions {
  /** The service's name: in logs, metrics, traces and the NATS connection name. */
  readonly service: string;
  readonly version: string;
  readonly logLevel: LogLevel;
  readonly ops: { readonly port: number; readonly host: string };
  /** Readiness blockers at start: name → the reason /readyz shows until the service unblocks it. */
  readonly startup: Readonly<Record<string, string>>;
}

export interface ServiceBase {
  readonly service: string;
  readonly telemetry: TelemetryHandle;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: ReadinessGate;
  readonly ops: OpsServer;
  readonly clock: Clock;
}

export async function startServiceBase(options: ServiceBaseOptions): Promise<ServiceBase> {
  const { service, version } = options;
  const telemetry = startTelemetry({ serviceName: service, serviceVersion: version });
  const logger = createLogger({ service, version, level: options.logLevel });
  const metrics = createMetrics({ service });
  const readiness = new ReadinessGate(options.startup);
  const ops = await startOpsServer({
    port: options.ops.port,
    host: options.ops.host,
    registry: metrics.registry,
    ready: readiness.check,
  });
  logger.debug({ url: ops.url }, 'ops server listening');
  return { service, telemetry, logger, metrics, readiness, ops, clock: systemClock };
}
