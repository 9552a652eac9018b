// Process entry of the reconciler: configuration, the service base (telemetry, logger, metrics, the
// ops server — ready once a start run has completed), PostgreSQL (its own migrations), NATS, the
// venue (connected with retries:
// a venue that is down at start must not crash the process), then the service. SIGTERM/SIGINT
// stop triggers first, let a run in progress finish, then drain NATS and close the pool.

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
import type { Logger } from '@bourse/telemetry';
import {
  BinanceVenueClient,
  createBinanceMetrics,
  loadApiCredentials,
  openRateBudget,
  type BinanceMetrics,
  type OpenedRateBudget,
} from '@bourse/venue-binance';
import { loadConfig, type ReconcilerProcessConfig } from './config.js';
import { describe } from './shell/errors.js';
import { OmsOurSide } from './shell/our-side.js';
import { ReconcilerService } from './shell/reconciler-service.js';
import { migrateReconcilerStore } from '@bourse/ledger';

const SERVICE = 'reconciler';
const VERSION = '0.1.0';
const VENUE_RETRY_MS = 5_000;

async function main(): Promise<void> {
  const config = configOrExit(SERVICE, () => loadConfig());
  const base = await startServiceBase({
    service: SERVICE,
    version: VERSION,
    logLevel: config.logLevel,
    ops: { port: config.opsPort, host: config.opsHost },
    startup: { startup: 'connecting and running the start reconciliation' },
  });
  const { logger, metrics, clock, readiness, ops } = base;
  const pool = await openServicePool(base, {
    databaseUrl: config.databaseUrl,
    namespace: config.namespace,
    max: 3,
    create: true,
  });
  const { applied } = await migrateReconcilerStore(pool, logger);
  if (applied.length > 0) logger.debug({ applied: applied.map((m) => m.version) }, 'reconciler schema migrated');

  const bus = await connectServiceBus(base, { natsUrl: config.natsUrl, namespace: config.namespace });

  let service: ReconcilerService | undefined;
  let venue: BinanceVenueClient | undefined;
  let rateBudget: OpenedRateBudget | undefined;
  let stopping = false;
  const shutdown = installServiceShutdown(base, {
    timeoutMs: 15_000,
    steps: [
      {
        name: 'stop-triggers',
        run: async () => {
          stopping = true;
          await service?.stop();
        },
      },
      { name: 'close-venue', run: async () => void (await venue?.close()) },
      { name: 'close-rate-budget', run: async () => void (await rateBudget?.close()) },
      drainBus(bus),
      closePool(pool),
    ],
  });

  await startOrExit(
    base,
    shutdown,
    async () => {
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
    },
    { failure: 'reconciler failed to start', context: { database: redactDatabaseUrl(config.databaseUrl) } },
  );
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

runMain(SERVICE, main);
