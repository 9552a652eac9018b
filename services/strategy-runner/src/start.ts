// The strategy runner process, started by main.ts: config, the service base (telemetry, logger, metrics, the ops server /healthz /readyz
// /metrics), connections (PostgreSQL for strategies' own state, migrated here), the runner, and a
// graceful shutdown that gives every lease back.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { natsReplicas, busCredentialsFromEnv, natsAuthOptions } from '@bourse/bus';
import {
  closePool,
  connectServiceBus,
  installServiceShutdown,
  openServicePool,
  startServiceBase,
} from '@bourse/service';
import { loadConfig } from './config.js';
import { describeError, isRunnerError } from './errors.js';
import { openVenueReads } from './instrument-specs.js';
import { openKvLeaseStore } from './leases/kv-lease-store.js';
import { leaseBucketName } from './leases/lease-store.js';
import { RedisQuoteSnapshots } from './market-snapshots.js';
import { StrategyRunner } from './runner.js';
import { checkStrategyCode, reportStrategyCode } from './state/code-versions.js';
import { migrateRunnerStore, PgStateStore } from './state/pg-state-store.js';
import { loadStrategiesFile, reportRefused } from './strategies-config.js';
import type { StrategyConfig } from './types.js';

export const SERVICE = 'strategy-runner';
const VERSION = '0.1.0';

/** Runs the runner until a signal stops it. */
export async function runStrategyRunner(): Promise<void> {
  // A config error is not caught here: it ends in main.ts's runMain (exit 1, with its code and variable).
  const config = loadConfig();
  const base = await startServiceBase({
    service: SERVICE,
    version: VERSION,
    logLevel: config.logLevel,
    ops: { port: config.opsPort, host: config.opsHost },
    startup: { bus: 'connecting', leases: 'not claiming instruments yet' },
  });
  const { logger, metrics, clock, readiness: ready, ops } = base;

  let strategies: StrategyConfig[] = [];
  if (config.strategiesFile === undefined) {
    logger.warn('STRATEGIES_FILE is not set: running no strategies');
  } else {
    // A strategy that cannot be loaded is refused on its own (logged, counted); the others run.
    const loaded = await loadStrategiesFile(config.strategiesFile);
    reportRefused(loaded.refused, logger, metrics.registry);
    strategies = loaded.strategies;
  }

  // The runner's readiness has its own `bus` blocker (lifted once the lease store is open), and a
  // NATS that is down at start fails the start.
  const bus = await connectServiceBus(base, {
    natsUrl: config.natsUrl,
    namespace: config.namespace,
    waitOnFirstConnect: false,
    readiness: false,
  });
  const nc = await connect({
    servers: config.natsUrl,
    name: `${SERVICE}-side`,
    maxReconnectAttempts: -1,
    ...natsAuthOptions(busCredentialsFromEnv(process.env)),
  });
  // Strategies' own states: loaded before an instrument starts, so PostgreSQL is needed to trade.
  const pool = await openServicePool(base, {
    databaseUrl: config.databaseUrl,
    namespace: config.namespace,
    max: 3,
    create: true,
  });
  const { applied } = await migrateRunnerStore(pool, logger);
  if (applied.length > 0) logger.debug({ applied: applied.map((m) => m.version) }, 'runner schema migrated');
  // Versions that cannot drift: a strategy whose code changed under an unchanged version is refused
  // (logged, counted) and the others run; RUNNER_ALLOW_CHANGED_CODE=true runs it and records the new hash.
  const codeCheck = await checkStrategyCode(pool, strategies, { allowChanged: config.allowChangedCode });
  reportStrategyCode(codeCheck, strategies, logger, metrics.registry);
  strategies = codeCheck.admitted;
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', (err: unknown) => logger.warn({ err: describeError(err) }, 'redis error'));
  // The lease bucket is replicated like the bus's streams and KV (BOURSE_NATS_REPLICAS).
  const leaseStore = await openKvLeaseStore({
    nc,
    bucket: leaseBucketName(bus.subjects),
    ttlMs: config.leaseTtlMs,
    replicas: natsReplicas(process.env),
  });
  ready.unblock('bus');

  const venueReads = await openVenueReads(config, logger, metrics.registry);
  const instruments = venueReads?.instruments;
  const runner = new StrategyRunner({
    bus,
    nc,
    leaseStore,
    stateStore: new PgStateStore(pool),
    strategies,
    replicaId: config.replicaId,
    session: randomUUID(),
    leaseRenewMs: config.leaseRenewMs,
    leaseMarginMs: config.leaseMarginMs,
    staleAfterMs: config.staleAfterMs,
    logger,
    registry: metrics.registry,
    ids: { next: () => `i-${randomUUID()}` },
    clock,
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

  installServiceShutdown(base, {
    timeoutMs: 20_000,
    steps: [
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
      closePool(pool),
    ],
  });

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

/** How a failed start is told on the way out. */
export function describeStartFailure(err: unknown): string {
  return `${isRunnerError(err) ? `${err.code}: ` : ''}${describeError(err)}`;
}
