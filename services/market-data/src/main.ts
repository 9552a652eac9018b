// The market-data gateway process: wires NATS, Redis and the Binance adapter (pointed at the
// exchange simulator by default) to the gateway, serves /healthz /readyz /metrics, and shuts down
// gracefully on SIGTERM/SIGINT. The only place concrete classes are chosen.
import { Redis } from 'ioredis';
import { connectBus, type Bus } from '@bourse/bus';
import { createSubjects } from '@bourse/contracts';
import {
  createLogger,
  createMetrics,
  installShutdown,
  watchParent,
  ReadinessGate,
  registerSecret,
  startOpsServer,
  startTelemetry,
  MIN_SECRET_LENGTH,
  type OpsServer,
} from '@bourse/telemetry';
import {
  BinanceVenueClient,
  createBinanceMetrics,
  loadApiCredentials,
  openRateBudget,
  type BinanceOptionsInput,
  type OpenedRateBudget,
} from '@bourse/venue-binance';
import type { MarketDataFeed } from '@bourse/venues';
import { loadConfig, type MarketDataConfig } from './config.js';
import { MarketDataGateway } from './gateway.js';
import { resolveInstruments } from './instruments.js';
import { createMarketDataMetrics } from './shell/metrics.js';
import { FrameRecorder } from './shell/recorder.js';
import { RedisSnapshotWriter } from './shell/redis-snapshots.js';
import { captureHeaders } from './shell/recording-format.js';

const SERVICE = 'market-data';
const clock = { now: () => Date.now() };

function configOrExit(): MarketDataConfig {
  try {
    return loadConfig();
  } catch (err) {
    // No logger yet: the message names the variable and never holds a secret.
    console.error(`${SERVICE}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}

function registerSecrets(config: MarketDataConfig): void {
  const secrets = [...Object.values(config.credentials?.env ?? {})];
  for (const u of [config.natsUrl, config.redisUrl]) {
    const password = new URL(u).password;
    if (password !== '') secrets.push(decodeURIComponent(password));
  }
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) registerSecret(s);
}

async function main(): Promise<void> {
  const config = configOrExit();
  registerSecrets(config);
  // Market data is not traced per event (the bus makes no span for md.*); the venue calls the gateway
  // makes outside a trace make none either. Started so that the standard variables apply here too.
  const telemetry = startTelemetry({ serviceName: SERVICE, serviceVersion: '0.1.0' });
  const logger = createLogger({ service: SERVICE, level: config.logLevel });
  const { registry } = createMetrics({ service: SERVICE });
  const ready = new ReadinessGate({
    bus: 'connecting to NATS',
    redis: 'connecting to Redis',
    venue: 'connecting to the venue',
    feed: 'subscribing',
  });

  let ops: OpsServer | undefined;
  let bus: Bus | undefined;
  let redis: Redis | undefined;
  let client: BinanceVenueClient | undefined;
  let rateBudget: OpenedRateBudget | undefined;
  let feed: MarketDataFeed | undefined;
  let gateway: MarketDataGateway | undefined;
  let startupFailed = false;

  const shutdown = installShutdown({
    logger,
    timeoutMs: 15_000,
    exit: (code) => process.exit(startupFailed ? 1 : code),
    steps: [
      { name: 'not-ready', run: () => ready.block('shutdown', 'shutting down') },
      // Writes the last snapshots and completes the recording file.
      { name: 'stop-gateway', run: () => gateway?.stop() },
      {
        name: 'close-venue',
        run: async () => {
          await feed?.close();
          await client?.close();
          await rateBudget?.close();
        },
      },
      { name: 'close-nats', run: () => bus?.drain() },
      {
        name: 'close-redis',
        run: async () => {
          await redis?.quit();
        },
      },
      { name: 'close-ops', run: () => ops?.close() },
      { name: 'telemetry', run: () => telemetry.shutdown() },
    ],
  });
  // Started by `bourse start`: stop (through the shutdown above) once the launcher is gone.
  watchParent();

  try {
    ops = await startOpsServer({ port: config.opsPort, host: config.opsHost, registry, ready: ready.check });
    logger.debug({ url: ops.url }, 'ops server listening');

    bus = await connectBus({
      service: SERVICE,
      subjects: createSubjects(config.namespace),
      logger,
      registry,
      servers: config.natsUrl,
      waitOnFirstConnect: true,
    });
    bus.onStatus((type) => {
      if (type === 'disconnect') ready.block('bus', 'NATS disconnected');
      if (type === 'reconnect') ready.unblock('bus');
    });
    ready.unblock('bus');

    // No offline queue: while Redis is down a snapshot write fails at once (counted, retried at the
    // next flush) instead of piling up in memory.
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    let redisErrorLogged = false;
    redis.on('ready', () => {
      redisErrorLogged = false;
      ready.unblock('redis');
    });
    redis.on('close', () => ready.block('redis', 'Redis disconnected'));
    redis.on('error', (err: Error) => {
      // ioredis reports every failed reconnect attempt: one line per outage is enough.
      if (redisErrorLogged) return;
      redisErrorLogged = true;
      logger.warn({ err: err.message }, 'Redis error; snapshots wait until it is back');
    });

    const credentials =
      config.credentials === undefined
        ? undefined
        : loadApiCredentials({
            target: config.target,
            env: config.credentials.env,
            ...(config.credentials.secretFile !== undefined ? { secretFile: config.credentials.secretFile } : {}),
            onReadError: (err) => logger.warn({ err: err.message }, 'secret file re-read failed; keeping the last key'),
          });
    const target: BinanceOptionsInput['target'] =
      config.target === 'sim' ? { name: 'sim', endpoints: config.simEndpoints } : { name: config.target };
    const venueMetrics = createBinanceMetrics(registry);
    const venueLogger = logger.child({ component: 'venue' });
    rateBudget = await openRateBudget(config.rateBudget, {
      redisUrl: config.redisUrl,
      venue: 'binance',
      metrics: venueMetrics,
      logger: venueLogger,
      clock,
    });
    client = await BinanceVenueClient.connect({
      // Market data never places orders: keep the WS-API order connection closed.
      options: { target, orderPath: 'rest' },
      ...(credentials !== undefined ? { credentials } : {}),
      rateBudget: rateBudget.backend,
      metrics: venueMetrics,
      logger: venueLogger,
      clock,
    });
    const instruments = resolveInstruments(config.instruments, client.instruments);

    feed = client.marketData();
    feed.on((event) => {
      if (event.kind !== 'connection') return;
      if (event.state === 'open') ready.unblock('venue');
      else ready.block('venue', `venue connection ${event.state}`);
    });

    const metrics = createMarketDataMetrics(registry);
    const snapshots = new RedisSnapshotWriter({
      redis,
      venue: client.venue,
      keyPrefix: config.snapshot.keyPrefix,
      ttlMs: config.snapshot.ttlMs,
      flushIntervalMs: config.snapshot.flushIntervalMs,
      depthLevels: config.snapshot.depth,
      clock,
      metrics,
    });
    const recorder =
      config.recording === undefined
        ? undefined
        : new FrameRecorder({
            ...config.recording,
            name: client.venue,
            // Line 1 of every file: what a replay needs to decode the capture offline.
            header: captureHeaders({
              venue: client.venue,
              bookLevels: client.options.bookLevels,
              instruments: instruments.flatMap((i) => client?.instruments.get(i.instrument) ?? []),
            }),
            clock,
            metrics,
            onError: (err) => logger.warn({ err: err.message }, 'recording write failed'),
          });
    gateway = new MarketDataGateway({
      venue: client.venue,
      feed,
      bus,
      instruments,
      channels: config.channels,
      clock,
      logger,
      metrics,
      staleAfterMs: config.staleAfterMs,
      staleCheckMs: config.staleCheckMs,
      summaryIntervalMs: config.summaryIntervalMs,
      snapshots,
      ...(recorder !== undefined ? { recorder } : {}),
    });
    await gateway.start();
    ready.unblock('feed');
    if (feed.state === 'open') ready.unblock('venue');
    logger.info(
      {
        target: config.target,
        instruments: instruments.map((i) => i.venueSymbol),
        recording: config.recording?.dir ?? null,
        snapshotKeyPrefix: config.snapshot.keyPrefix,
        ops: ops.url,
      },
      `${SERVICE}: ready`,
    );
  } catch (err) {
    startupFailed = true;
    logger.error({ err }, 'market-data gateway failed to start');
    await shutdown.trigger('startup failed');
  }
}

void main();
