// What an operator command works with: the platform config, typed subjects, and connections that
// open on first use (a `positions` never touches NATS) and all close in `close()`. The bus logs
// only warnings (a one-shot command needs no "connected" line); operator acts are logged on the
// audit logger, JSON on stderr, so stdout stays the command's answer.
import { basename } from 'node:path';
import { busCredentialsFromEnv, connectBus, natsAuthOptions, type Bus, type BusCredentials } from '@bourse/bus';
import { createSubjects, type Subjects } from '@bourse/contracts';
import { createPool, namespaceSchema } from '@bourse/store';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { classifyConnectionError, maskUrl } from '@bourse/servers';
import { CommandFailedError } from '../errors.js';
import type { PlatformConfig } from '../platform/platform-config.js';

export interface OperatorContext {
  readonly config: PlatformConfig;
  readonly subjects: Subjects;
  /** Who acts: --by, else $USER. Recorded as `setBy` / `requestedBy`. */
  readonly operator: string;
  /** The NATS identity the CLI connects as (recorded with every act); undefined without credentials. */
  readonly natsUser: string | undefined;
  readonly audit: Logger;
  /** Prints one line of the command's answer. */
  readonly out: (line: string) => void;
  now(): number;
  bus(): Promise<Bus>;
  /** A plain NATS connection for reads the bus does not offer (KV keys, a stream's last message). */
  nats(): Promise<NatsConnection>;
  pool(): pg.Pool;
  redis(): Promise<Redis>;
  close(): Promise<void>;
}

export interface ContextOptions {
  readonly config: PlatformConfig;
  readonly operator: string;
  readonly out?: (line: string) => void;
  readonly audit?: Logger;
  readonly now?: () => number;
  /** Bound on connecting to each server. */
  readonly connectTimeoutMs?: number;
  /** NATS credentials; default: NATS_CREDS / NATS_NKEY_SEED_FILE / NATS_USER+NATS_PASSWORD / NATS_TOKEN. */
  readonly natsCredentials?: BusCredentials;
}

function natsUserOf(credentials: BusCredentials | undefined): string | undefined {
  if (credentials === undefined) return undefined;
  if (credentials.user !== undefined) return credentials.user;
  if (credentials.credsFile !== undefined) return `creds:${basename(credentials.credsFile)}`;
  if (credentials.nkeySeedFile !== undefined) return `nkey:${basename(credentials.nkeySeedFile)}`;
  return credentials.token !== undefined ? 'token' : undefined;
}

export function createOperatorContext(options: ContextOptions): OperatorContext {
  const { config } = options;
  const timeoutMs = options.connectTimeoutMs ?? 3_000;
  const audit = options.audit ?? pino({ base: { service: 'bourse-cli' } }, pino.destination(2));
  let bus: Promise<Bus> | undefined;
  let nc: Promise<NatsConnection> | undefined;
  let pool: pg.Pool | undefined;
  let redis: Promise<Redis> | undefined;
  const subjects = createSubjects(config.namespace);
  const credentials = options.natsCredentials ?? busCredentialsFromEnv(process.env);
  return {
    config,
    subjects,
    operator: options.operator,
    natsUser: natsUserOf(credentials),
    audit,
    out: options.out ?? ((line) => process.stdout.write(`${line}\n`)),
    now: options.now ?? (() => Date.now()),
    bus() {
      bus ??= natsAt(config.servers.nats, () =>
        connectBus({
          service: 'bourse-cli',
          subjects,
          // The command reports its own failures; the bus's own lines would repeat them.
          logger: audit.child({}, { level: audit.isLevelEnabled('error') ? 'error' : 'silent' }),
          registry: new Registry(),
          servers: config.servers.nats,
          connectTimeoutMs: timeoutMs,
          credentials: credentials ?? {},
        }),
      );
      return bus;
    },
    nats() {
      nc ??= natsAt(config.servers.nats, () =>
        connect({
          servers: config.servers.nats,
          name: 'bourse-cli',
          timeout: timeoutMs,
          ...natsAuthOptions(credentials),
        }),
      );
      return nc;
    },
    pool() {
      pool ??= createPool(config.servers.postgres, {
        max: 2,
        connectTimeoutMs: timeoutMs,
        schema: namespaceSchema(config.namespace),
      });
      return pool;
    },
    redis() {
      redis ??= (async () => {
        const client = new Redis(config.servers.redis, {
          lazyConnect: true,
          connectTimeout: timeoutMs,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          retryStrategy: () => null,
        });
        // A failed connect is reported to the caller; this listener keeps ioredis from also
        // printing an unhandled 'error' event.
        client.on('error', () => undefined);
        await client.connect();
        return client;
      })();
      return redis;
    },
    async close() {
      const closing: Array<Promise<unknown>> = [];
      if (bus !== undefined) closing.push(bus.then((b) => b.drain()));
      if (nc !== undefined) closing.push(nc.then((c) => c.close()));
      if (pool !== undefined) closing.push(pool.end());
      if (redis !== undefined) closing.push(redis.then((r) => r.quit()));
      // A connection that never opened has nothing to close; its error was already reported.
      await Promise.allSettled(closing);
    },
  };
}

/** A failed NATS connect says where and why: `NATS at nats://127.0.0.1:4222: connection refused`. */
async function natsAt<T>(url: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const { reason } = classifyConnectionError(err);
    throw new CommandFailedError('NATS', `NATS at ${maskUrl(url)}: ${reason}`, { cause: err });
  }
}
