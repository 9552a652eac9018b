// Process entry of the risk gate: configuration, the service base (telemetry, logger, metrics, the
// ops server — ready only once the state is rebuilt and the consumers run), the order manager's
// tables, NATS, then the service; SIGTERM/SIGINT stop intake first, then drain NATS and close the pool.

import { randomInt } from 'node:crypto';
import { busCredentialsFromEnv, natsAuthOptions } from '@bourse/bus';
import { makeInstanceTag } from '@bourse/domain';
import { connect } from '@nats-io/transport-node';
import {
  closePool,
  configOrExit,
  connectServiceBus,
  drainBus,
  installServiceShutdown,
  openServicePool,
  runMain,
  startOrExit,
  startServiceBase,
} from '@bourse/service';
import { redactDatabaseUrl } from '@bourse/store';
import { loadConfig } from './config.js';
import { JetStreamDecisionHistory } from './shell/decision-history.js';
import { LimitsFile } from './shell/limits-file.js';
import { OmsStartupSource } from './shell/oms-startup-source.js';
import { RiskGateService } from './shell/risk-gate-service.js';

const SERVICE = 'risk-gate';
const VERSION = '0.1.0';

async function main(): Promise<void> {
  const config = configOrExit(SERVICE, () => loadConfig());
  const base = await startServiceBase({
    service: SERVICE,
    version: VERSION,
    logLevel: config.logLevel,
    ops: { port: config.opsPort, host: config.opsHost },
    startup: { startup: 'rebuilding state and starting consumers' },
  });
  const { logger, metrics, clock, readiness, ops } = base;
  // The order manager's tables of this namespace (its schema; `public` without a namespace): read only.
  const pool = await openServicePool(base, {
    databaseUrl: config.databaseUrl,
    namespace: config.namespace,
    max: 2,
    create: false,
  });
  const bus = await connectServiceBus(base, { natsUrl: config.natsUrl, namespace: config.namespace });

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
    history: new JetStreamDecisionHistory(historyConnection, bus.subjects),
    decisionRecallMs: config.decisionRecallMs,
    inFlightExpiryMs: config.inFlightExpiryMs,
  });

  const shutdown = installServiceShutdown(base, {
    timeoutMs: 15_000,
    steps: [{ name: 'stop-intake', run: () => service.stop() }, drainBus(bus), closePool(pool)],
  });

  await startOrExit(
    base,
    shutdown,
    async () => {
      await bus.ensureStreams();
      await service.start();
    },
    {
      failure:
        'risk gate failed to start (the order manager must have created its tables; the limits file must be valid)',
      context: { database: redactDatabaseUrl(config.databaseUrl) },
      onFailure: () => historyConnection.close(),
    },
  );
  await historyConnection.close();
  readiness.unblock('startup');
  logger.info({ venue: config.venue, namespace: config.namespace || undefined, ops: ops.url }, 'risk gate ready');
}

runMain(SERVICE, main);
