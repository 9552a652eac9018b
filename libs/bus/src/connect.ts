import { connect } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions, Status } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsBus } from './bus.js';
import { busCredentialsFromEnv, natsAuthOptions } from './credentials.js';
import { BusError, BusErrorCode, describeError } from './errors.js';
import { createBusMetrics } from './metrics.js';
import { natsReplicas, reconnectDelay, redactUrl, resolveBusOptions } from './options.js';
import type { EnsureStreamsOptions } from './streams.js';
import type { Bus, BusOptions, BusStatusType } from './types.js';

export interface ConnectBusOptions extends BusOptions {
  /**
   * Stream replicas and limit overrides used by `ensureStreams()` and the KV bucket. Replicas not
   * given here come from BOURSE_NATS_REPLICAS in `env` (1 when unset).
   */
  readonly streams?: EnsureStreamsOptions;
  /** Where BOURSE_NATS_REPLICAS is read from; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Connects to NATS and returns the typed Bus. Reconnects forever with growing, jittered delays;
 * every status event is logged and counted in `bourse_bus_status_events_total{type}`.
 * Throws BusError(BUS_CONNECT_FAILED) when the first connection fails (unless `waitOnFirstConnect`).
 */
export async function connectBus(options: ConnectBusOptions): Promise<Bus> {
  const resolved = resolveBusOptions(options);
  // Checked before connecting, so a bad value fails the start with its name, not a stream error later.
  const streams: EnsureStreamsOptions = {
    ...options.streams,
    replicas: options.streams?.replicas ?? natsReplicas(options.env ?? process.env),
  };
  const logger = options.logger.child({ component: 'bus', service: options.service });
  const metrics = createBusMetrics(options.registry);
  const where = resolved.servers.map(redactUrl);
  let disconnectedAt: number | undefined;

  const natsOptions: NodeConnectionOptions = {
    servers: resolved.servers,
    name: options.service,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: resolved.waitOnFirstConnect,
    timeout: resolved.connectTimeoutMs,
    reconnectDelayHandler: () =>
      reconnectDelay(
        disconnectedAt === undefined ? 0 : resolved.clock.now() - disconnectedAt,
        {
          baseMs: resolved.reconnectBaseDelayMs,
          maxMs: resolved.reconnectMaxDelayMs,
          jitterMs: resolved.reconnectJitterMs,
        },
        Math.random,
      ),
    ...natsAuthOptions(options.credentials ?? busCredentialsFromEnv(process.env)),
  };

  let nc: NatsConnection;
  try {
    nc = await connect(natsOptions);
  } catch (err) {
    logger.error({ servers: where, err: describeError(err) }, 'cannot connect to NATS');
    throw new BusError(
      BusErrorCode.ConnectFailed,
      where.join(','),
      `cannot connect to NATS at ${where.join(', ')}: ${describeError(err)}`,
      { cause: err },
    );
  }
  const js = jetstream(nc);
  let jsm;
  try {
    // Checks that JetStream answers, so a server started without `-js` fails here, by name.
    jsm = await jetstreamManager(nc);
  } catch (err) {
    await nc.close();
    logger.error({ servers: where, err: describeError(err) }, 'JetStream is not available');
    throw new BusError(
      BusErrorCode.ConnectFailed,
      where.join(','),
      `JetStream is not available at ${where.join(', ')}: ${describeError(err)}`,
      {
        cause: err,
      },
    );
  }
  const bus = new NatsBus({
    nc,
    js,
    jsm,
    service: options.service,
    subjects: options.subjects,
    logger,
    metrics,
    options: resolved,
    streams,
  });
  logger.debug({ servers: where, server: redactUrl(nc.getServer()) }, 'connected to NATS');

  const onStatus = (s: Status): void => {
    metrics.statusEvents.inc({ type: s.type });
    switch (s.type) {
      case 'disconnect':
        disconnectedAt = resolved.clock.now();
        logger.warn({ server: redactUrl(s.server) }, 'disconnected from NATS; reconnecting');
        break;
      case 'reconnect':
        logger.info(
          {
            server: redactUrl(s.server),
            downMs: disconnectedAt === undefined ? undefined : resolved.clock.now() - disconnectedAt,
          },
          'reconnected to NATS',
        );
        disconnectedAt = undefined;
        break;
      case 'error':
        logger.error({ err: describeError(s.error) }, 'NATS connection error');
        break;
      case 'slowConsumer':
        logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'slow consumer: messages are being dropped');
        break;
      case 'staleConnection':
      case 'ldm':
        logger.warn({ status: s.type }, 'NATS connection status');
        break;
      case 'close':
        logger.debug('NATS connection closed');
        break;
      case 'reconnecting':
      case 'ping':
        // Frequent while down or idle: counted, not logged per event.
        break;
      default:
        logger.info({ status: s.type }, 'NATS connection status');
    }
    bus.notifyStatus(s.type as BusStatusType);
  };

  void (async () => {
    try {
      for await (const s of nc.status()) onStatus(s);
    } catch (err) {
      logger.error({ err: describeError(err) }, 'NATS status stream ended with an error');
    }
  })();

  return bus;
}
