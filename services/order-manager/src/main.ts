// Process entry of the order manager: configuration, telemetry, the ops server (ready only once
// state is restored, the outbox settled and the consumer runs), the venue adapter, then the
// service; SIGTERM/SIGINT stop intake first, let in-flight work finish, then close everything.

import { randomInt } from 'node:crypto';
import { connectBus } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import { makeInstanceTag } from '@bourse/domain';
import { createPool, ensureDatabase, ensureSchema, namespaceSchema, redactDatabaseUrl } from '@bourse/store';
import {
  createLogger,
  createMetrics,
  installShutdown,
  watchParent,
  ReadinessGate,
  startOpsServer,
  startTelemetry,
} from '@bourse/telemetry';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials, openRateBudget } from '@bourse/venue-binance';
import { loadConfig, OrderManagerConfigError, type OrderManagerConfig } from './config.js';
import { safeHorizonMs } from '@bourse/execution';
import { Redis } from 'ioredis';
import { RedisBookDepth } from './shell/book-depth.js';
import { OrderManagerService } from './shell/order-manager-service.js';

const SERVICE = 'order-manager';
const VERSION = '0.1.0';

async function main(): Promise<void> {
  let config: OrderManagerConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof OrderManagerConfigError) {
      console.error(`${SERVICE}: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  const telemetry = startTelemetry({ serviceName: SERVICE, serviceVersion: VERSION });
  const logger = createLogger({ service: SERVICE, version: VERSION, level: config.logLevel });
  const metrics = createMetrics({ service: SERVICE });
  const readiness = new ReadinessGate({ startup: 'restoring state, settling the outbox and starting consumers' });
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    registry: metrics.registry,
    ready: readiness.check,
  });
  logger.debug({ url: ops.url }, 'ops server listening');

  const clock = { now: () => Date.now() };
  await ensureDatabase(config.databaseUrl);
  // A namespace keeps its tables in a schema of its own, created here before the migrations run.
  const schema = namespaceSchema(config.namespace);
  const pool = createPool(config.databaseUrl, { logger, applicationName: SERVICE, max: 4, schema });
  if (schema !== undefined) await ensureSchema(pool, schema);
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

  // Only the market fallback's guards read Redis (the gateway's book). No offline queue: while Redis
  // is unreachable a read fails at once and the guards see the touch size on the quote; a tactic
  // never waits on a reconnect.
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
  });

  const installed = installShutdown({
    logger,
    timeoutMs: 20_000,
    steps: [
      { name: 'not-ready', run: () => readiness.block('shutdown', 'shutting down') },
      { name: 'stop-intake', run: () => service.stop() },
      { name: 'close-venue', run: () => venue.close() },
      { name: 'close-rate-budget', run: () => rateBudget.close() },
      { name: 'close-redis', run: () => redis.disconnect() },
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
    logger.fatal({ err, database: redactDatabaseUrl(config.databaseUrl) }, 'order manager failed to start');
    installed.uninstall();
    await installed.shutdown.run('start failed');
    logger.flush();
    process.exit(1);
  }
  readiness.unblock('startup');
  logger.info({ namespace: config.namespace || undefined, venue: v.target, ops: ops.url }, 'order manager ready');
}

main().catch((err: unknown) => {
  console.error(`${SERVICE}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
