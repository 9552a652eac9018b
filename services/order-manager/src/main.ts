// Process entry of the order manager: configuration, the service base (telemetry, logger, metrics,
// the ops server — ready only once state is restored, the outbox settled and the consumer runs),
// PostgreSQL, NATS, the venue adapter, then the service; SIGTERM/SIGINT stop intake first, let
// in-flight work finish, then close everything.

import { randomInt } from 'node:crypto';
import { makeInstanceTag } from '@bourse/domain';
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
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials, openRateBudget } from '@bourse/venue-binance';
import { safeHorizonMs } from '@bourse/execution';
import { Redis } from 'ioredis';
import { loadConfig } from './config.js';
import { RedisBookDepth } from './shell/book-depth.js';
import { RedisMarks } from './shell/marks.js';
import { OrderManagerService } from './shell/order-manager-service.js';

const SERVICE = 'order-manager';
const VERSION = '0.1.0';

async function main(): Promise<void> {
  const config = configOrExit(SERVICE, () => loadConfig());
  const base = await startServiceBase({
    service: SERVICE,
    version: VERSION,
    logLevel: config.logLevel,
    ops: { port: config.opsPort, host: config.opsHost },
    startup: { startup: 'restoring state, settling the outbox and starting consumers' },
  });
  const { logger, metrics, clock, readiness, ops } = base;
  const pool = await openServicePool(base, {
    databaseUrl: config.databaseUrl,
    namespace: config.namespace,
    max: 4,
    create: true,
  });
  const bus = await connectServiceBus(base, { natsUrl: config.natsUrl, namespace: config.namespace });

  const { venue: v } = config;
  const credentials = loadApiCredentials({
    target: v.target,
    env: v.credentials.env,
    ...(v.credentials.secretFile !== undefined ? { secretFile: v.credentials.secretFile } : {}),
  });
  const venueMetrics = createBinanceMetrics(metrics.registry);
  const venueLogger = logger.child({ component: 'venue' });
  const rateBudget = await openRateBudget(v.rateBudget, {
    redisUrl: config.redisUrl,
    venue: 'binance',
    metrics: venueMetrics,
    logger: venueLogger,
  });
  const venue = await BinanceVenueClient.connect({
    options: {
      target: v.target === 'sim' ? { name: 'sim', endpoints: v.simEndpoints } : { name: v.target },
      orderPath: v.orderPath,
      requestTimeoutMs: v.requestTimeoutMs,
      recvWindowMs: v.recvWindowMs,
    },
    credentials,
    clock,
    rateBudget: rateBudget.backend,
    metrics: venueMetrics,
    logger: venueLogger,
  });
  logger.debug({ target: v.target, credentials: credentials.source, orderPath: v.orderPath }, 'venue connected');

  // Redis is read for the gateway's book only: the market fallback's guards and the unrealised P&L
  // gauge's marks. No offline queue: while Redis is unreachable a read fails at once (the guards see
  // the touch size on the quote, the gauge has no series); a tactic never waits on a reconnect.
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err: unknown) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis error'),
  );
  const service = new OrderManagerService({
    bus,
    pool,
    venue,
    logger,
    metrics,
    clock,
    safeHorizonMs: safeHorizonMs(v.recvWindowMs, config.unknownMarginMs),
    chase: config.chase,
    instanceTag: makeInstanceTag(config.instance, randomInt(36 * 36)),
    reconRetryMs: config.reconRetryMs,
    execRepublishMs: config.execRepublishMs,
    bookDepth: new RedisBookDepth({ redis, prefix: config.mdRedisPrefix }),
    marks: new RedisMarks({ redis, prefix: config.mdRedisPrefix }),
  });

  const shutdown = installServiceShutdown(base, {
    timeoutMs: 20_000,
    steps: [
      { name: 'stop-intake', run: () => service.stop() },
      { name: 'close-venue', run: () => venue.close() },
      { name: 'close-rate-budget', run: () => rateBudget.close() },
      { name: 'close-redis', run: () => redis.disconnect() },
      drainBus(bus),
      closePool(pool),
    ],
  });

  await startOrExit(
    base,
    shutdown,
    async () => {
      await bus.ensureStreams();
      await service.start();
    },
    { failure: 'order manager failed to start', context: { database: redactDatabaseUrl(config.databaseUrl) } },
  );
  readiness.unblock('startup');
  logger.info({ namespace: config.namespace || undefined, venue: v.target, ops: ops.url }, 'order manager ready');
}

runMain(SERVICE, main);
