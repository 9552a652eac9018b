// Creating (and, for tests, dropping) a database on the server a URL names. CREATE DATABASE cannot
// run inside a transaction nor take IF NOT EXISTS, so "create when missing" is a look followed by a
// create that tolerates losing the race to another process.

import pg from 'pg';
import { StoreError, StoreErrorCode, describeCause, sqlStateOf } from './errors.js';
import type { StoreLogger } from './types.js';
import { maskDatabaseText, parseDatabaseUrl, sslOption, type DatabaseUrl } from './url.js';

/** The maintenance database every PostgreSQL server has; we connect there to create others. */
export const MAINTENANCE_DATABASE = 'postgres';

/** duplicate_database: another process created it between our look and our create. */
const DUPLICATE_DATABASE = '42P04';
/**
 * unique_violation on pg_database's name index: the same race, when both CREATEs got past the
 * duplicate check before either committed its catalog row.
 */
const UNIQUE_VIOLATION = '23505';

export interface EnsureDatabaseOptions {
  readonly logger?: StoreLogger;
  /** Give up connecting after this long; 10 s by default. */
  readonly connectTimeoutMs?: number;
}

export type EnsureDatabaseOutcome = 'created' | 'exists';

/** Double-quotes an identifier for SQL, doubling embedded quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Connects to the maintenance database of the URL's server; errors are masked and typed. */
export async function connectMaintenance(url: DatabaseUrl, options: EnsureDatabaseOptions = {}): Promise<pg.Client> {
  const client = new pg.Client({
    host: url.host,
    port: url.port,
    user: url.user,
    password: url.password,
    database: MAINTENANCE_DATABASE,
    ssl: sslOption(url.sslMode),
    application_name: url.applicationName ?? 'bourse-store',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // A connected client that loses its socket emits 'error'; without a listener that kills the process.
  // The failure also rejects whichever query is in flight, which is where callers handle it.
  client.on('error', (err) => {
    options.logger?.warn(
      { database: MAINTENANCE_DATABASE, url: url.redacted, err: maskDatabaseText(describeCause(err), url.password) },
      'PostgreSQL maintenance connection failed',
    );
  });
  try {
    await client.connect();
  } catch (err) {
    throw new StoreError(
      StoreErrorCode.CONNECT_FAILED,
      `cannot connect to PostgreSQL at ${url.host}:${url.port} (database ${MAINTENANCE_DATABASE}): ${maskDatabaseText(describeCause(err), url.password)}`,
      url.redacted,
      { cause: err },
    );
  }
  return client;
}

/**
 * Creates the database the URL names when it does not exist. Idempotent, and safe when several
 * processes start at once: the loser of the race sees `exists`.
 */
export async function ensureDatabase(
  databaseUrl: string,
  options: EnsureDatabaseOptions = {},
): Promise<EnsureDatabaseOutcome> {
  const url = parseDatabaseUrl(databaseUrl);
  const client = await connectMaintenance(url, options);
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [url.database]);
    if (found.rows.length > 0) return 'exists';
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(url.database)}`);
    } catch (err) {
      const state = sqlStateOf(err);
      if (state === DUPLICATE_DATABASE || state === UNIQUE_VIOLATION) return 'exists';
      throw new StoreError(
        StoreErrorCode.DATABASE_SETUP_FAILED,
        `cannot create database ${url.database} on ${url.host}:${url.port}: ${maskDatabaseText(describeCause(err), url.password)}`,
        url.redacted,
        { cause: err },
      );
    }
    options.logger?.info({ database: url.database, url: url.redacted }, 'created database');
    return 'created';
  } finally {
    await client.end();
  }
}

/**
 * Drops the database the URL names, disconnecting its sessions first (`WITH (FORCE)`, PostgreSQL 13+).
 * For test databases; no service drops its own.
 */
export async function dropDatabase(databaseUrl: string, options: EnsureDatabaseOptions = {}): Promise<void> {
  const url = parseDatabaseUrl(databaseUrl);
  if (url.database === MAINTENANCE_DATABASE) {
    throw new StoreError(StoreErrorCode.INVALID_OPTION, 'refusing to drop the maintenance database', url.database);
  }
  const client = await connectMaintenance(url, options);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(url.database)} WITH (FORCE)`);
  } catch (err) {
    throw new StoreError(
      StoreErrorCode.DATABASE_SETUP_FAILED,
      `cannot drop database ${url.database}: ${maskDatabaseText(describeCause(err), url.password)}`,
      url.redacted,
      { cause: err },
    );
  } finally {
    await client.end();
  }
}
