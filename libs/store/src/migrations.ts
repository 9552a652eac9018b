// Versioned SQL migrations. Numbered files apply in order, each in its own transaction together with
// its row in schema_migrations, so a migration is either wholly applied and recorded or neither.
// A session advisory lock makes concurrent starters take turns: the first applies, the others find
// nothing pending. Applied files are checksummed, and an edited one stops the run: the database no
// longer matches what the file says, and silently carrying on would hide that.

import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { maskSecrets } from '@bourse/telemetry';
import { MigrationError, StoreErrorCode, describeCause } from './errors.js';
import type {
  AppliedMigration,
  MigrateOptions,
  MigrateResult,
  Migration,
  MigrationPlan,
  MigrationSource,
  Queryable,
} from './types.js';

/** Default advisory lock key for migrations ("bour" in ASCII); advisory locks are per database. */
export const MIGRATION_LOCK_KEY = 0x626f7572;

/** Default name of the table that records applied migrations. */
export const MIGRATIONS_TABLE = 'schema_migrations';
const TABLE_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

function tableOf(source: { table?: string }): string {
  const table = source.table ?? MIGRATIONS_TABLE;
  if (!TABLE_PATTERN.test(table)) {
    throw invalid(undefined, `migrations table "${table}" must be a lower-case SQL name (a-z, 0-9, _)`);
  }
  return table;
}

const FILE_PATTERN = /^(\d{4,})_([A-Za-z0-9_-]+)\.sql$/;
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The file name a migration has (or would have) on disk: `0001_init.sql`. */
export function migrationFileName(migration: Pick<Migration, 'version' | 'name'>): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}.sql`;
}

/** sha256 (hex) of the SQL, with CRLF normalised to LF so a Windows checkout does not count as an edit. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

function invalid(file: string | undefined, message: string): MigrationError {
  return new MigrationError(StoreErrorCode.MIGRATION_INVALID, file, message);
}

/** Checks versions, names and uniqueness, and returns the migrations sorted by version. */
export function validateMigrations(migrations: readonly Migration[]): Migration[] {
  const seen = new Map<number, string>();
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= 0) {
      throw invalid(undefined, `migration version ${String(m.version)} must be a positive integer`);
    }
    const file = migrationFileName(m);
    if (typeof m.name !== 'string' || !NAME_PATTERN.test(m.name)) {
      throw invalid(file, `migration ${m.version} name "${String(m.name)}" must be letters, digits, _ or -`);
    }
    if (typeof m.sql !== 'string' || m.sql.trim() === '') throw invalid(file, `migration ${file} has no SQL`);
    const other = seen.get(m.version);
    if (other !== undefined) throw invalid(file, `migrations ${other} and ${file} share version ${m.version}`);
    seen.set(m.version, file);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}

/**
 * Reads `NNNN_name.sql` files from a folder. Other files are ignored, but a `.sql` file that does not
 * follow the pattern is refused: a misnamed migration silently skipped would be a schema never built.
 */
export async function loadMigrations(directory: string): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (err) {
    throw new MigrationError(
      StoreErrorCode.MIGRATION_INVALID,
      undefined,
      `cannot read migrations folder ${directory}: ${describeCause(err)}`,
      { cause: err },
    );
  }
  const migrations: Migration[] = [];
  for (const file of entries.filter((entry) => entry.endsWith('.sql')).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match || match[1] === undefined || match[2] === undefined) {
      throw invalid(file, `migration file ${file} must be named NNNN_name.sql, e.g. 0001_init.sql`);
    }
    const sql = await readFile(join(directory, file), 'utf8');
    const migration = { version: Number(match[1]), name: match[2], sql };
    if (migrationFileName(migration) !== file) {
      throw invalid(file, `migration file ${file} must be named ${migrationFileName(migration)}`);
    }
    migrations.push(migration);
  }
  return validateMigrations(migrations);
}

async function resolveSource(source: MigrationSource): Promise<Migration[]> {
  if ((source.directory === undefined) === (source.migrations === undefined)) {
    throw invalid(undefined, 'give exactly one of `directory` or `migrations`');
  }
  return source.directory !== undefined
    ? loadMigrations(source.directory)
    : validateMigrations(source.migrations ?? []);
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

const toApplied = (row: AppliedRow): AppliedMigration => ({
  version: row.version,
  name: row.name,
  checksum: row.checksum,
  appliedAt: row.applied_at,
});

async function readApplied(db: Queryable, table: string): Promise<AppliedMigration[]> {
  const exists = await db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  if (exists.rows[0]?.found === null || exists.rows[0]?.found === undefined) return [];
  const result = await db.query<AppliedRow>(
    `SELECT version, name, checksum, applied_at FROM ${table} ORDER BY version`,
  );
  return result.rows.map(toApplied);
}

/** Compares what is applied with what the code has; throws when they disagree, else lists what is pending. */
function plan(migrations: readonly Migration[], applied: readonly AppliedMigration[]): MigrationPlan {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const known = byVersion.get(row.version);
    const recordedFile = migrationFileName(row);
    if (known === undefined) {
      throw new MigrationError(
        StoreErrorCode.MIGRATION_UNKNOWN_APPLIED,
        recordedFile,
        `the database has migration ${recordedFile} applied, which this code does not have; run a release that includes it`,
      );
    }
    const checksum = migrationChecksum(known.sql);
    if (checksum !== row.checksum) {
      throw new MigrationError(
        StoreErrorCode.MIGRATION_CHECKSUM_MISMATCH,
        migrationFileName(known),
        `migration ${migrationFileName(known)} was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}…, file ${checksum.slice(0, 12)}…); restore the file and put the change in a new migration`,
      );
    }
  }
  const appliedVersions = new Set(applied.map((row) => row.version));
  const newest = applied.reduce((max, row) => Math.max(max, row.version), 0);
  const pending = migrations.filter((m) => !appliedVersions.has(m.version));
  const late = pending.find((m) => m.version < newest);
  if (late !== undefined) {
    throw new MigrationError(
      StoreErrorCode.MIGRATION_OUT_OF_ORDER,
      migrationFileName(late),
      `migration ${migrationFileName(late)} is pending but ${newest} is already applied; renumber it above ${newest}`,
    );
  }
  return { applied, pending };
}

/**
 * What `migrate` would do now, without taking the lock or writing anything (`bourse migrate --dry-run`).
 * Throws the same typed errors `migrate` would (edited, unknown or out-of-order migrations).
 */
export async function planMigrations(db: Queryable, source: MigrationSource): Promise<MigrationPlan> {
  const table = tableOf(source);
  const migrations = await resolveSource(source);
  return plan(migrations, await readApplied(db, table));
}

const createTable = (table: string): string => `CREATE TABLE IF NOT EXISTS ${table} (
  version integer PRIMARY KEY CHECK (version > 0),
  name text NOT NULL,
  checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function applyOne(client: pg.PoolClient, table: string, migration: Migration): Promise<AppliedMigration> {
  const file = migrationFileName(migration);
  await client.query('BEGIN');
  try {
    // No parameters: pg then uses the simple query protocol, which runs a file of several statements.
    await client.query(migration.sql);
    const recorded = await client.query<AppliedRow>(
      `INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)
       RETURNING version, name, checksum, applied_at`,
      [migration.version, migration.name, migrationChecksum(migration.sql)],
    );
    const row = recorded.rows[0];
    if (row === undefined) throw new Error(`INSERT into ${table} returned no row`);
    await client.query('COMMIT');
    return toApplied(row);
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      throw new MigrationError(
        StoreErrorCode.MIGRATION_FAILED,
        file,
        `migration ${file} failed (${maskSecrets(describeCause(err))}) and its rollback failed too (${maskSecrets(describeCause(rollbackErr))}); the server ends the transaction when the connection closes`,
        { cause: err },
      );
    }
    throw new MigrationError(
      StoreErrorCode.MIGRATION_FAILED,
      file,
      `migration ${file} failed and was rolled back: ${maskSecrets(describeCause(err))}`,
      { cause: err },
    );
  }
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock
 * so concurrent starters apply each migration exactly once. Returns what this call applied.
 */
export async function migrate(pool: pg.Pool, options: MigrateOptions): Promise<MigrateResult> {
  const table = tableOf(options);
  const migrations = await resolveSource(options);
  const key = options.lockKey ?? MIGRATION_LOCK_KEY;
  if (typeof key === 'number' && !Number.isSafeInteger(key)) {
    throw invalid(undefined, `lockKey ${key} must be an integer (or a bigint)`);
  }
  const lockKey = String(key);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    try {
      await client.query(createTable(table));
      const { applied, pending } = plan(migrations, await readApplied(client, table));
      const done: AppliedMigration[] = [];
      for (const migration of pending) {
        const record = await applyOne(client, table, migration);
        options.logger?.info({ migration: migrationFileName(migration) }, 'applied migration');
        done.push(record);
      }
      return { applied: done, alreadyApplied: applied.map((row) => row.version) };
    } finally {
      try {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
      } catch (err) {
        // Closing the session releases its advisory locks, so destroying the connection is the fix.
        broken = err instanceof Error ? err : new Error(describeCause(err));
        options.logger?.warn(
          { err: maskSecrets(describeCause(err)) },
          'migration unlock failed; closing the connection',
        );
      }
    }
  } catch (err) {
    // After a failure the session's state (an open transaction, the lock) is not worth trusting:
    // the pool closes this connection, which ends both, and opens a fresh one when next asked.
    broken ??= err instanceof Error ? err : new Error(describeCause(err));
    throw err;
  } finally {
    client.release(broken);
  }
}
