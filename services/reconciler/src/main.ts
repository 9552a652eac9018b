// Process entry of the reconciler: configuration, telemetry, the ops server (ready once a start
// run has completed), PostgreSQL (its own migrations), NATS, the venue (connected with retries:
// a venue that is down at start must not crash the process), then the service. SIGTERM/SIGINT
// stop triggers first, let a run in progress finish, then drain NATS and close the pool.

import { connectBus } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { createPool, ensureDatabase, ensureSchema, namespaceSchema, redactDatabaseUrl } from '@bourse/store';
import {
  createLogger,
  createMetrics,
  installShutdown,
  watchParent,
  ReadinessGate,
  startOpsServer,
  startTelemetry,
  type Logger,
} from '@bourse/telemetry';
import {
  BinanceVenueClient,
  createBinanceMetrics,
  loadApiCredentials,
  openRateBudget,
  type BinanceMetrics,
  type OpenedRateBudget,
} from '@bourse/venue-binance';
import { loadConfig, ReconcilerConfigError, type ReconcilerProcessConfig } from './config.js';
import { describe } from './shell/errors.js';
import { OmsOurSide } from './shell/our-side.js';
import { ReconcilerService } from './shell/reconciler-service.js';
import { migrateReconcilerStore } from './store/schema.js';

const SERVICE = 'reconciler';
const VERSION = '0.1.0';
const VENUE_RETRY_MS = 5_000;

async function main(): Promise<void> {
  let config: ReconcilerProcessConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ReconcilerConfigError) {
      console.error(`${SERVICE}: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  const telemetry = startTelemetry({ serviceName: SERVICE, serviceVersion: VERSION });
  const logger = createLogger({ service: SERVICE, version: VERSION, level: config.logLevel });
  const metrics = createMetrics({ service: SERVICE });
  const readiness = new ReadinessGate({ startup: 'connecting and running the start reconciliation' });
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    registry: metrics.registry,
    ready: readiness.check,
  });
  logger.debug({ url: ops.url }, 'ops server listening');

  const clock = { now: () => Date.now() };
  await ensureDatabase(config.databaseUrl, { logger });
  const schema = namespaceSchema(config.namespace);
  const pool = createPool(config.databaseUrl, { logger, applicationName: SERVICE, max: 3, schema });
  if (schema !== undefined) await ensureSchema(pool, schema);
  const { applied } = await migrateReconcilerStore(pool, logger);
  if (applied.length > 0) logger.debug({ applied: applied.map((m) => m.version) }, 'reconciler schema migrated');

  const bus = await connectBus({
    service: SERVICE,
    subjects: createSubjects(config.namespace),
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

  let service: ReconcilerService | undefined;
  let venue: BinanceVenueClient | undefined;
  let rateBudget: OpenedRateBudget | undefined;
  let stopping = false;
  const installed = installShutdown({
    logger,
    timeoutMs: 15_000,
    steps: [
      { name: 'not-ready', run: () => readiness.block('shutdown', 'shutting down') },
      {
        name: 'stop-triggers',
        run: async () => {
          stopping = true;
          await service?.stop();
        },
      },
      { name: 'close-venue', run: async () => void (await venue?.close()) },
      { name: 'close-rate-budget', run: async () => void (await rateBudget?.close()) },
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
    const binanceMetrics = createBinanceMetrics(metrics.registry);
    rateBudget = await openRateBudget(config.rateBudget, {
      redisUrl: config.redisUrl,
      venue: 'binance',
      metrics: binanceMetrics,
      logger,
    });
    venue = await connectVenue(config, logger, binanceMetrics, rateBudget, () => stopping);
    if (!venue) return;
    service = new ReconcilerService({
      bus,
      pool,
      venue,
      instruments: venue.instruments.list(),
      ours: new OmsOurSide(pool),
      config: config.reconciler,
      logger,
      metrics,
      clock,
      intervalMs: config.intervalMs,
      resetDebounceMs: config.resetDebounceMs,
      startRetryMs: config.startRetryMs,
      corrections: { timeoutMs: config.correctionsTimeoutMs, attempts: config.correctionsAttempts },
      activateOnFirstPass: config.activateOnFirstPass,
      driftAction: config.driftAction,
    });
    void service.whenStarted().then((outcome) => {
      readiness.unblock('startup');
      logger.info({ runId: outcome.runId, ops: ops.url }, 'reconciler ready');
    });
    await service.start();
  } catch (err) {
    logger.fatal({ err, database: redactDatabaseUrl(config.databaseUrl) }, 'reconciler failed to start');
    installed.uninstall();
    await installed.shutdown.run('start failed');
    logger.flush();
    process.exit(1);
  }
}

/** Connects to the venue, retrying while it does not answer (a failed start run would change nothing). */
async function connectVenue(
  config: ReconcilerProcessConfig,
  logger: Logger,
  binanceMetrics: BinanceMetrics,
  rateBudget: OpenedRateBudget,
  stopping: () => boolean,
): Promise<BinanceVenueClient | undefined> {
  const credentials = loadApiCredentials({
    target: config.target,
    env: config.credentials.env,
    ...(config.credentials.secretFile === undefined ? {} : { secretFile: config.credentials.secretFile }),
  });
  for (let attempt = 1; !stopping(); attempt++) {
    try {
      return await BinanceVenueClient.connect({
        options: {
          target: config.target === 'sim' ? { name: 'sim', endpoints: config.simEndpoints } : { name: config.target },
        },
        credentials,
        rateBudget: rateBudget.backend,
        metrics: binanceMetrics,
        logger,
      });
    } catch (err) {
      logger.error({ attempt, err: describe(err) }, 'venue not reachable; trying again');
      await new Promise((resolve) => setTimeout(resolve, VENUE_RETRY_MS));
    }
  }
  return undefined;
}

main().catch((err: unknown) => {
  console.error(`${SERVICE}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
