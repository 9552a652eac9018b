// Process entry of the strategy runner: config, telemetry, connections, the runner, the ops server
// (/healthz /readyz /metrics), and a graceful shutdown that gives every lease back.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { connectBus, natsReplicas, busCredentialsFromEnv, natsAuthOptions } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import {
  ReadinessGate,
  createLogger,
  createMetrics,
  installShutdown,
  watchParent,
  startOpsServer,
  startTelemetry,
} from '@bourse/telemetry';
import { loadConfig } from './config.js';
import { describeError, isRunnerError } from './errors.js';
import { openVenueReads } from './instrument-specs.js';
import { openKvLeaseStore } from './leases/kv-lease-store.js';
import { leaseBucketName } from './leases/lease-store.js';
import { RedisQuoteSnapshots } from './market-snapshots.js';
import { StrategyRunner } from './runner.js';
import { loadStrategiesFile } from './strategies-config.js';
import type { StrategyConfig } from './types.js';

const SERVICE = 'strategy-runner';
const VERSION = '0.1.0';

async function main(): Promise<void> {
  const config = loadConfig();
  const telemetry = startTelemetry({ serviceName: SERVICE, serviceVersion: VERSION });
  const logger = createLogger({ service: SERVICE, version: VERSION, level: config.logLevel });
  const metrics = createMetrics({ service: SERVICE });
  const ready = new ReadinessGate({ bus: 'connecting', leases: 'not claiming instruments yet' });
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    registry: metrics.registry,
    ready: ready.check,
  });

  let strategies: StrategyConfig[] = [];
  if (config.strategiesFile === undefined) {
    logger.warn('STRATEGIES_FILE is not set: running no strategies');
  } else {
    strategies = loadStrategiesFile(config.strategiesFile);
  }

  const subjects = createSubjects(config.namespace);
  const bus = await connectBus({
    service: SERVICE,
    subjects,
    logger,
    registry: metrics.registry,
    servers: config.natsUrl,
  });
  const nc = await connect({
    servers: config.natsUrl,
    name: `${SERVICE}-side`,
    maxReconnectAttempts: -1,
    ...natsAuthOptions(busCredentialsFromEnv(process.env)),
  });
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', (err: unknown) => logger.warn({ err: describeError(err) }, 'redis error'));
  // The lease bucket is replicated like the bus's streams and KV (BOURSE_NATS_REPLICAS).
  const leaseStore = await openKvLeaseStore({
    nc,
    bucket: leaseBucketName(subjects),
    ttlMs: config.leaseTtlMs,
    replicas: natsReplicas(process.env),
  });
  ready.unblock('bus');

  const wall = { now: () => Date.now() };
  const venueReads = await openVenueReads(config, logger, metrics.registry);
  const instruments = venueReads?.instruments;
  const runner = new StrategyRunner({
    bus,
    nc,
    leaseStore,
    strategies,
    replicaId: config.replicaId,
    session: randomUUID(),
    leaseRenewMs: config.leaseRenewMs,
    leaseMarginMs: config.leaseMarginMs,
    staleAfterMs: config.staleAfterMs,
    logger,
    registry: metrics.registry,
    ids: { next: () => `i-${randomUUID()}` },
    clock: wall,
    monotonic: { now: () => performance.now() },
    requireReconciliation: config.requireReconciliation,
    barPrice: config.barPrice,
    ...(venueReads !== undefined ? { klines: venueReads.klines } : {}),
    ...(instruments !== undefined
      ? {
          instrumentSpec: (venue: string, symbol: string) =>
            venue === instruments.venue ? instruments.get(symbol) : undefined,
        }
      : {}),
    snapshots: new RedisQuoteSnapshots(redis, config.mdRedisPrefix, (key, reason) =>
      logger.warn({ key, reason }, 'quote snapshot ignored'),
    ),
  });

  installShutdown({
    logger,
    timeoutMs: 20_000,
    steps: [
      { name: 'not-ready', run: () => ready.block('shutdown', 'shutting down') },
      { name: 'release-leases', run: () => runner.stop() },
      {
        name: 'close-nats',
        run: async () => {
          await bus.drain();
          await nc.drain();
        },
      },
      { name: 'close-venue-reads', run: async () => void (await venueReads?.close()) },
      { name: 'close-redis', run: async () => void (await redis.quit()) },
      { name: 'close-ops', run: () => ops.close() },
      { name: 'flush-telemetry', run: () => telemetry.shutdown() },
    ],
  });
  // Started by `bourse start`: stop (through the shutdown above) once the launcher is gone.
  watchParent();

  await runner.start();
  ready.unblock('leases');
  logger.info(
    {
      replica: config.replicaId,
      strategies: strategies.map((s) => s.id),
      ops: ops.url,
      takeoverBoundMs: runner.takeoverBoundMs,
    },
    'strategy-runner ready',
  );
  console.log('strategy-runner: ready');
}

main().catch((err: unknown) => {
  const where = isRunnerError(err) ? `${err.code}: ` : '';
  console.error(`strategy-runner: failed to start: ${where}${describeError(err)}`);
  process.exit(1);
});
