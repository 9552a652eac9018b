// Test helpers (import from '@bourse/store/testing'). Each test file makes its own database on the
// real server, so files run in parallel without sharing rows, locks or schema_migrations.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { dropDatabase, ensureDatabase } from './database.js';
import { migrate } from './migrations.js';
import { createPool, type PoolOptions } from './pool.js';
import { ensureSchema } from './schema.js';
import type { MigrateOptions, MigrateResult } from './types.js';
import { DEFAULT_DATABASE_URL, withDatabaseName } from './url.js';

export { dropDatabase } from './database.js';

export interface TestDatabase {
  /** URL of the new database (same server and credentials as DATABASE_URL). */
  readonly url: string;
  readonly name: string;
  readonly pool: pg.Pool;
  /** What `migrate` applied, when the options asked for migrations. */
  readonly migrated: MigrateResult | undefined;
  /** Closes the pool and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to use; DATABASE_URL, else postgres://postgres@127.0.0.1:5432. The database name in it is ignored. */
  readonly serverUrl?: string;
  /** Apply these migrations before returning. */
  readonly migrations?: MigrateOptions;
  readonly pool?: PoolOptions;
  /**
   * A namespace's schema (namespaceSchema): created, the only one on the pool's search_path, and the
   * one migrated, as a service running in that namespace has it.
   */
  readonly schema?: string | undefined;
}

/** A fresh, uniquely named database `bourse_test_<random>`, optionally migrated. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const server = options.serverUrl ?? process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const name = `bourse_test_${randomBytes(6).toString('hex')}`;
  const url = withDatabaseName(server, name);
  await ensureDatabase(url);
  const pool = createPool(url, { max: 5, ...options.pool, schema: options.schema });
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> => {
    dropped ??= (async () => {
      await pool.end();
      await dropDatabase(url);
    })();
    return dropped;
  };
  let migrated: MigrateResult | undefined;
  if (options.migrations !== undefined || options.schema !== undefined) {
    try {
      if (options.schema !== undefined) await ensureSchema(pool, options.schema);
      if (options.migrations !== undefined) migrated = await migrate(pool, options.migrations);
    } catch (err) {
      await drop();
      throw err;
    }
  }
  return { url, name, pool, migrated, drop };
}
