// The three server checks. Each opens one short-lived connection with a bound on the whole
// check, reports what it found, and closes what it opened, whatever happens.
import { natsAuthOptions } from '@bourse/bus';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { Redis } from 'ioredis';
import { classifyConnectionError } from './classify.js';
import { SERVER_NAMES, startHint } from './hints.js';
import type { CheckOptions, CheckResult } from './check-types.js';
import {
  databaseNameOf,
  endpointOf,
  formatEndpoint,
  maskSecrets,
  maskUrl,
  passwordsOf,
  withDatabase,
  type ServerKind,
} from './url.js';

class CheckTimeoutError extends Error {
  override readonly name = 'CheckTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Found {
  readonly version?: string;
  readonly detail: string;
  readonly notes?: readonly string[];
}

/** Thrown inside a check when the server answers but is not usable; `hint` says how to fix it. */
class UnusableServer extends Error {
  override readonly name = 'UnusableServer';
  readonly code = 'UNUSABLE_SERVER';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

async function runCheck(kind: ServerKind, url: string, work: () => Promise<Found>): Promise<CheckResult> {
  const secrets = passwordsOf([url]);
  const endpoint = endpointOf(url);
  const base = { kind, server: SERVER_NAMES[kind], url: maskUrl(url), endpoint: formatEndpoint(endpoint) };
  try {
    const found = await work();
    return {
      ...base,
      status: 'ok',
      ...(found.version !== undefined ? { version: found.version } : {}),
      detail: maskSecrets(found.detail, secrets),
      notes: (found.notes ?? []).map((n) => maskSecrets(n, secrets)),
    };
  } catch (err) {
    if (err instanceof UnusableServer) {
      return { ...base, status: 'failed', detail: maskSecrets(err.message, secrets), notes: [], hint: err.hint };
    }
    const { reachable, reason } = classifyConnectionError(err);
    if (!reachable) {
      return {
        ...base,
        status: 'missing',
        detail: `does not answer at ${base.endpoint} (${reason})`,
        notes: [],
        hint: startHint(kind, endpoint.port),
      };
    }
    return {
      ...base,
      status: 'failed',
      detail: maskSecrets(`answers at ${base.endpoint} but: ${reason}`, secrets),
      notes: [],
      hint: hintForFailure(kind),
    };
  }
}

function hintForFailure(kind: ServerKind): string {
  const variable = { nats: 'NATS_URL', postgres: 'DATABASE_URL', redis: 'REDIS_URL' }[kind];
  return `check that ${variable} points at a ${SERVER_NAMES[kind]} server and its credentials are right`;
}

/** NATS answers and JetStream is enabled for the account. */
export function checkNats(url: string, options: CheckOptions): Promise<CheckResult> {
  return runCheck('nats', url, async () => {
    const port = endpointOf(url).port;
    const noJetStream = new UnusableServer(
      'answers but JetStream is not enabled',
      `restart it with JetStream: nats-server -js -a 127.0.0.1 -p ${port} (or: docker compose up -d nats)`,
    );
    // The connection is closed by the work itself, so it is closed even when the bound fires first.
    const work = (async (): Promise<Found> => {
      const nc = await connect({
        servers: url,
        timeout: options.timeoutMs,
        reconnect: false,
        name: 'bourse-doctor',
        ...natsAuthOptions(options.natsCredentials),
      });
      try {
        const version = nc.info?.version ?? 'unknown';
        if (nc.info?.jetstream === false) throw noJetStream;
        const jsm = await jetstreamManager(nc, { timeout: options.timeoutMs });
        const account = await jsm.getAccountInfo();
        return {
          version,
          detail: `nats-server ${version}, JetStream enabled (${account.streams} streams, ${account.consumers} consumers)`,
        };
      } catch (err) {
        if (err instanceof Error && err.name === 'JetStreamNotEnabled') throw noJetStream;
        throw err;
      } finally {
        await nc.close().catch(() => undefined);
      }
    })();
    return withTimeout(work, options.timeoutMs);
  });
}

/** PostgreSQL answers; reports its version and whether the configured database exists yet. */
export function checkPostgres(url: string, options: CheckOptions): Promise<CheckResult> {
  return runCheck('postgres', url, async () => {
    const database = databaseNameOf(url);
    const target = await queryVersion(url, options);
    if (target.ok) {
      return { version: target.version, detail: `PostgreSQL ${target.version}, database "${database}" exists` };
    }
    // The database is created by `bourse start`; the server itself answering is what matters here.
    const maintenance = await queryVersion(withDatabase(url, 'postgres'), options);
    if (!maintenance.ok)
      throw new UnusableServer(
        'answers but has neither the configured database nor "postgres"',
        hintForFailure('postgres'),
      );
    return {
      version: maintenance.version,
      detail: `PostgreSQL ${maintenance.version}`,
      notes: [`database "${database}" does not exist yet; \`bourse start\` creates it`],
    };
  });
}

type VersionResult = { ok: true; version: string } | { ok: false; missingDatabase: true };

async function queryVersion(url: string, options: CheckOptions): Promise<VersionResult> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    application_name: 'bourse-doctor',
  });
  // A server that goes away after connect emits 'error'; without a listener that would crash the CLI.
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), options.timeoutMs);
    const result = await withTimeout(
      client.query<{ server_version: string }>('SHOW server_version'),
      options.timeoutMs,
    );
    return { ok: true, version: result.rows[0]?.server_version ?? 'unknown' };
  } catch (err) {
    if ((err as { code?: unknown }).code === '3D000') return { ok: false, missingDatabase: true };
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Redis answers PING; reports its version. */
export function checkRedis(url: string, options: CheckOptions): Promise<CheckResult> {
  return runCheck('redis', url, async () => {
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.timeoutMs,
      commandTimeout: options.timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectionName: 'bourse-doctor',
    });
    // ioredis rejects connect() with "Connection is closed."; the real reason comes as an event.
    let lastError: unknown;
    redis.on('error', (err: unknown) => {
      lastError = err;
    });
    try {
      await withTimeout(redis.connect(), options.timeoutMs);
      const pong = await withTimeout(redis.ping(), options.timeoutMs);
      if (pong !== 'PONG') throw new UnusableServer(`answered PING with "${pong}"`, hintForFailure('redis'));
      const info = await withTimeout(redis.info('server'), options.timeoutMs);
      const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
      return { version, detail: `Redis ${version}, PING answered` };
    } catch (err) {
      throw err instanceof UnusableServer ? err : (lastError ?? err);
    } finally {
      redis.disconnect();
    }
  });
}
