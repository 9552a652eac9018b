// Process entry of the risk gate: configuration, telemetry, the ops server (ready only once the
// state is rebuilt and the consumers run), then the service; SIGTERM/SIGINT stop intake first,
// then drain NATS and close the pool.

import { randomInt } from 'node:crypto';
import { connectBus, busCredentialsFromEnv, natsAuthOptions } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { makeInstanceTag } from '@bourse/domain';
import { connect } from '@nats-io/transport-node';
import { createPool, namespaceSchema, redactDatabaseUrl } from '@bourse/store';
import {
  createLogger,
  createMetrics,
  installShutdown,
  watchParent,
  ReadinessGate,
  startOpsServer,
  startTelemetry,
} from '@bourse/telemetry';
import { loadConfig, RiskGateConfigError } from './config.js';
import { JetStreamDecisionHistory } from './shell/decision-history.js';
import { LimitsFile } from './shell/limits-file.js';
import { OmsStartupSource } from './shell/oms-startup-source.js';
import { RiskGateService } from './shell/risk-gate-service.js';

const SERVICE = 'risk-gate';
const VERSION = '0.1.0';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof RiskGateConfigError) {
      console.error(`${SERVICE}: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  const telemetry = startTelemetry({ serviceName: SERVICE, serviceVersion: VERSION });
  const logger = createLogger({ service: SERVICE, version: VERSION, level: config.logLevel });
  const metrics = createMetrics({ service: SERVICE });
  const readiness = new ReadinessGate({ startup: 'rebuilding state and starting consumers' });
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    registry: metrics.registry,
    ready: readiness.check,
  });
  logger.debug({ url: ops.url }, 'ops server listening');

  const clock = { now: () => Date.now() };
  // The order manager's tables of this namespace (its schema; `public` without a namespace).
  const pool = createPool(config.databaseUrl, {
    logger,
    applicationName: SERVICE,
    max: 2,
    schema: namespaceSchema(config.namespace),
  });
  const subjects = createSubjects(config.namespace);
  const bus = await connectBus({
    service: SERVICE,
    subjects,
    logger,
    registry: metrics.registry,
    servers: config.natsUrl,
    clock,
    waitOnFirstConnect: true,
  });
  bus.onStatus((type) => {
    if (type === 'disconnect') readiness.block('nats', 'disconnected from NATS');
    if (type === 'reconnect') readiness.unblock('nats');
  });

  // A second, short-lived connection reads the gate's recent decisions back at start (the bus has no
  // history read); closed once the service has started.
  const historyConnection = await connect({
    servers: config.natsUrl,
    name: `${SERVICE}-recall`,
    ...natsAuthOptions(busCredentialsFromEnv(process.env)),
  });
  const service = new RiskGateService({
    bus,
    startup: new OmsStartupSource(pool),
    limits: new LimitsFile(config.limitsFile, config.limitsPollMs),
    logger,
    metrics,
    clock,
    venue: config.venue,
    instanceTag: makeInstanceTag(config.instance, randomInt(36 * 36)),
    history: new JetStreamDecisionHistory(historyConnection, subjects),
    decisionRecallMs: config.decisionRecallMs,
    inFlightExpiryMs: config.inFlightExpiryMs,
  });

  const installed = installShutdown({
    logger,
    timeoutMs: 15_000,
    steps: [
      { name: 'not-ready', run: () => readiness.block('shutdown', 'shutting down') },
      { name: 'stop-intake', run: () => service.stop() },
      { name: 'drain-nats', run: () => bus.drain() },
      { name: 'close-pool', run: () => pool.end() },
      { name: 'close-ops', run: () => ops.close() },
      { name: 'telemetry', run: () => telemetry.shutdown() },
    ],
  });
  // Started by `bourse start`: stop (through the shutdown above) once the launcher is gone.
  watchParent();

  try {
    await bus.ensureStreams();
    await service.start();
  } catch (err) {
    await historyConnection.close();
    logger.fatal(
      { err, database: redactDatabaseUrl(config.databaseUrl) },
      'risk gate failed to start (the order manager must have created its tables; the limits file must be valid)',
    );
    installed.uninstall();
    await installed.shutdown.run('start failed');
    logger.flush();
    process.exit(1);
  }
  await historyConnection.close();
  readiness.unblock('startup');
  logger.info({ venue: config.venue, namespace: config.namespace || undefined, ops: ops.url }, 'risk gate ready');
}

main().catch((err: unknown) => {
  console.error(`${SERVICE}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
