// The connection pool every service shares. Built from parsed fields rather than a connection
// string so the password lives only in pg's non-enumerable `password` field; every error the pool
// reports on its own (an idle connection dropped by the server) is logged with secrets masked.

import pg from 'pg';
import { StoreError, StoreErrorCode, describeCause, sqlStateOf } from './errors.js';
import type { StoreLogger } from './types.js';
import { searchPathOption } from './schema.js';
import { maskDatabaseText, parseDatabaseUrl, sslOption } from './url.js';

export const DEFAULT_POOL_MAX = 10;

export interface PoolOptions {
  /** Where idle-connection errors are logged (password masked); without one they are dropped from logs only. */
  readonly logger?: StoreLogger;
  /** Most connections open at once; DEFAULT_POOL_MAX by default. */
  readonly max?: number;
  /** Shown in pg_stat_activity; the URL's application_name, else `bourse`. */
  readonly applicationName?: string;
  /** Give up opening a connection after this long; 10 s by default. */
  readonly connectTimeoutMs?: number;
  /** Close connections idle this long; 30 s by default. */
  readonly idleTimeoutMs?: number;
  /** Server-side statement_timeout for every connection; none by default. */
  readonly statementTimeoutMs?: number;
  /** The only schema on every connection's search_path (a namespace's, see namespaceSchema); the server's default when absent. */
  readonly schema?: string | undefined;
}

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw new StoreError(StoreErrorCode.INVALID_OPTION, `createPool: ${name} must be a positive integer`, value);
  }
}

/**
 * A pg Pool for the database the URL names. Connects lazily: the first query opens the first
 * connection, and its failure rejects that query.
 */
export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const url = parseDatabaseUrl(databaseUrl);
  positiveInteger('max', options.max);
  positiveInteger('connectTimeoutMs', options.connectTimeoutMs);
  positiveInteger('idleTimeoutMs', options.idleTimeoutMs);
  positiveInteger('statementTimeoutMs', options.statementTimeoutMs);

  const pool = new pg.Pool({
    host: url.host,
    port: url.port,
    user: url.user,
    password: url.password,
    database: url.database,
    ssl: sslOption(url.sslMode),
    application_name: options.applicationName ?? url.applicationName ?? 'bourse',
    max: options.max ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    ...(options.schema === undefined ? {} : { options: searchPathOption(options.schema) }),
  });

  // pg emits 'error' when an idle pooled connection breaks (server restart, admin terminate). With no
  // listener Node would crash the process; the pool has already discarded the client, and the next
  // query opens a fresh one, so logging is the whole of the handling.
  pool.on('error', (err) => {
    options.logger?.error(
      {
        database: url.database,
        url: url.redacted,
        sqlState: sqlStateOf(err),
        err: maskDatabaseText(describeCause(err), url.password),
      },
      'idle PostgreSQL connection failed; the pool will open a new one',
    );
  });
  return pool;
}
