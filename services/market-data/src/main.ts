// The market-data gateway process: wires NATS, Redis and the Binance adapter (pointed at the
// exchange simulator by default) to the gateway, serves /healthz /readyz /metrics, and shuts down
// gracefully on SIGTERM/SIGINT. The only place concrete classes are chosen.
import { Redis } from 'ioredis';
import type { Bus } from '@bourse/bus';
import {
  configOrExit,
  connectServiceBus,
  installServiceShutdown,
  runMain,
  startOrExit,
  startServiceBase,
} from '@bourse/service';
import { registerSecret, MIN_SECRET_LENGTH } from '@bourse/telemetry';
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
const VERSION = '0.1.0';

function registerSecrets(config: MarketDataConfig): void {
  const secrets = [...Object.values(config.credentials?.env ?? {})];
  for (const u of [config.natsUrl, config.redisUrl]) {
    const password = new URL(u).password;
    if (password !== '') secrets.push(decodeURIComponent(password));
  }
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) registerSecret(s);
}

async function main(): Promise<void> {
  // Every error of loadConfig is a configuration error here (exit 2); its message names the variable
  // and never holds a secret.
  const config = configOrExit(SERVICE, loadConfig, () => true);
  registerSecrets(config);
  // Market data is not traced per event (the bus makes no span for md.*); the venue calls the gateway
  // makes outside a trace make none either. Telemetry is started so that the standard variables apply here too.
  const base = await startServiceBase({
    service: SERVICE,
    version: VERSION,
    logLevel: config.logLevel,
    ops: { port: config.opsPort, host: config.opsHost },
    startup: {
      bus: 'connecting to NATS',
      redis: 'connecting to Redis',
      venue: 'connecting to the venue',
      feed: 'subscribing',
    },
  });
  const { logger, clock, readiness: ready, ops } = base;
  const { registry } = base.metrics;

  let bus: Bus | undefined;
  let redis: Redis | undefined;
  let client: BinanceVenueClient | undefined;
  let rateBudget: OpenedRateBudget | undefined;
  let feed: MarketDataFeed | undefined;
  let gateway: MarketDataGateway | undefined;

  const shutdown = installServiceShutdown(base, {
    timeoutMs: 15_000,
    steps: [
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
    ],
  });

  await startOrExit(
    base,
    shutdown,
    async () => {
      // Readiness follows NATS under the `bus` blocker (set below), not the shared `nats` one.
      bus = await connectServiceBus(base, { natsUrl: config.natsUrl, namespace: config.namespace, readiness: false });
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
              onReadError: (err) =>
                logger.warn({ err: err.message }, 'secret file re-read failed; keeping the last key'),
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
    },
    { failure: 'market-data gateway failed to start' },
  );
}

runMain(SERVICE, main);
