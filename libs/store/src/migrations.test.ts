import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, StoreErrorCode, isStoreError } from './errors.js';
import {
  loadMigrations,
  migrate,
  migrationChecksum,
  migrationFileName,
  planMigrations,
  validateMigrations,
} from './migrations.js';
import { createPool } from './pool.js';
import { createTestDatabase, type TestDatabase } from './testing.js';
import type { Migration } from './types.js';

const V1: Migration = { version: 1, name: 'init', sql: 'CREATE TABLE account (\n  id int PRIMARY KEY\n);\n' };
// Depends on V1, and fails if run twice: applying it exactly once, after V1, is what these tests check.
const V2: Migration = { version: 2, name: 'balance', sql: 'ALTER TABLE account ADD COLUMN balance numeric NOT NULL;' };
const V3: Migration = {
  version: 3,
  name: 'seed',
  sql: `INSERT INTO account (id, balance) VALUES (1, 0.1);\nINSERT INTO account (id, balance) VALUES (2, 0.2);`,
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function recorded(db: TestDatabase): Promise<Array<{ version: number; checksum: string }>> {
  const result = await db.pool.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return result.rows;
}

async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  const result = await db.pool.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return result.rows[0]?.found !== null;
}

async function failure(promise: Promise<unknown>): Promise<MigrationError> {
  const err: unknown = await promise.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MigrationError);
  return err as MigrationError;
}

describe('migrate', () => {
  it('applies migrations in version order, records checksums, and is idempotent', async () => {
    const db = await database();
    const first = await migrate(db.pool, { migrations: [V3, V1, V2] });
    expect(first.applied.map((m) => m.version)).toEqual([1, 2, 3]);
    expect(first.alreadyApplied).toEqual([]);
    expect(await recorded(db)).toEqual([
      { version: 1, checksum: migrationChecksum(V1.sql) },
      { version: 2, checksum: migrationChecksum(V2.sql) },
      { version: 3, checksum: migrationChecksum(V3.sql) },
    ]);
    const sum = await db.pool.query<{ s: string }>('SELECT sum(balance)::text AS s FROM account');
    expect(sum.rows[0]?.s).toBe('0.3');

    const second = await migrate(db.pool, { migrations: [V1, V2, V3] });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual([1, 2, 3]);
    expect(await recorded(db)).toHaveLength(3);
  });

  it('applies only what is new on a later run', async () => {
    const db = await database();
    await migrate(db.pool, { migrations: [V1] });
    const later = await migrate(db.pool, { migrations: [V1, V2, V3] });
    expect(later.applied.map((m) => m.name)).toEqual(['balance', 'seed']);
    expect(later.alreadyApplied).toEqual([1]);
  });

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    const db = await database();
    await migrate(db.pool, { migrations: [V1] });
    const edited = { ...V1, sql: 'CREATE TABLE account (id bigint PRIMARY KEY);' };
    const err = await failure(migrate(db.pool, { migrations: [edited, V2] }));
    expect(err.code).toBe(StoreErrorCode.MIGRATION_CHECKSUM_MISMATCH);
    expect(err.file).toBe('0001_init.sql');
    expect(err.message).toContain('0001_init.sql');
    expect(await recorded(db)).toHaveLength(1);
    // A line-ending change alone is not an edit.
    const crlf = { ...V1, sql: V1.sql.replace(/\n/g, '\r\n') };
    expect(crlf.sql).not.toBe(V1.sql);
    await expect(migrate(db.pool, { migrations: [crlf] })).resolves.toMatchObject({ applied: [] });
  });

  it('applies each migration exactly once when several starters race', async () => {
    const db = await database();
    // Separate pools: separate sessions, as separate processes would have.
    const pools = [createPool(db.url, { max: 1 }), createPool(db.url, { max: 1 }), createPool(db.url, { max: 1 })];
    cleanups.push(async () => {
      for (const pool of pools) await pool.end();
    });
    const results = await Promise.all(pools.map((pool) => migrate(pool, { migrations: [V1, V2, V3] })));
    const appliedVersions = results.flatMap((r) => r.applied.map((m) => m.version)).sort();
    expect(appliedVersions).toEqual([1, 2, 3]);
    expect(await recorded(db)).toHaveLength(3);
    const rows = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM account');
    expect(rows.rows[0]?.n).toBe(2);
  });

  it('rolls back a failing migration and leaves its version unrecorded', async () => {
    const db = await database();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE half_done (id int);\nSELECT no_such_function();',
    };
    const err = await failure(migrate(db.pool, { migrations: [V1, broken, V3] }));
    expect(err.code).toBe(StoreErrorCode.MIGRATION_FAILED);
    expect(err.file).toBe('0002_broken.sql');
    expect(err.message).toMatch(/0002_broken\.sql failed and was rolled back: .*no_such_function/);
    expect(await recorded(db)).toEqual([{ version: 1, checksum: migrationChecksum(V1.sql) }]);
    expect(await tableExists(db, 'half_done')).toBe(false);

    // Fixed, the same run goes through: the failed version was never recorded.
    const fixed = await migrate(db.pool, { migrations: [V1, V2, V3] });
    expect(fixed.applied.map((m) => m.version)).toEqual([2, 3]);
  });

  it('refuses a database that has a migration the code lacks, or a pending one numbered below the newest', async () => {
    const db = await database();
    await migrate(db.pool, { migrations: [V1, V2] });
    const unknown = await failure(migrate(db.pool, { migrations: [V1] }));
    expect(unknown.code).toBe(StoreErrorCode.MIGRATION_UNKNOWN_APPLIED);
    expect(unknown.file).toBe('0002_balance.sql');

    const db2 = await database();
    const audit: Migration = { version: 3, name: 'audit', sql: 'CREATE TABLE audit (id int);' };
    await migrate(db2.pool, { migrations: [V1, audit] });
    const late = await failure(
      migrate(db2.pool, { migrations: [V1, { version: 2, name: 'late', sql: 'SELECT 1;' }, audit] }),
    );
    expect(late.code).toBe(StoreErrorCode.MIGRATION_OUT_OF_ORDER);
    expect(late.file).toBe('0002_late.sql');
  });
});

describe('owners sharing a database', () => {
  it('keep their own migrations table and do not see each other as unknown', async () => {
    const db = await database();
    await migrate(db.pool, { migrations: [V1, V2] });
    const other: Migration = { version: 1, name: 'recon', sql: 'CREATE TABLE recon_run (id int PRIMARY KEY);' };
    const result = await migrate(db.pool, { migrations: [other], table: 'reconciler_migrations', lockKey: 42 });
    expect(result.applied.map(migrationFileName)).toEqual(['0001_recon.sql']);
    expect(await recorded(db)).toHaveLength(2);
    await expect(migrate(db.pool, { migrations: [other], table: 'Bad-Name' })).rejects.toMatchObject({
      code: StoreErrorCode.MIGRATION_INVALID,
    });
  });
});

describe('planMigrations (dry run)', () => {
  it('lists pending migrations without creating anything', async () => {
    const db = await database();
    const before = await planMigrations(db.pool, { migrations: [V1, V2] });
    expect(before.pending.map(migrationFileName)).toEqual(['0001_init.sql', '0002_balance.sql']);
    expect(before.applied).toEqual([]);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);

    await migrate(db.pool, { migrations: [V1] });
    const after = await planMigrations(db.pool, { migrations: [V1, V2] });
    expect(after.applied.map((m) => m.version)).toEqual([1]);
    expect(after.pending.map((m) => m.version)).toEqual([2]);
    expect(await tableExists(db, 'account')).toBe(true);
    const columns = await db.pool.query(`SELECT 1 FROM information_schema.columns WHERE column_name = 'balance'`);
    expect(columns.rows).toHaveLength(0);
  });
});

describe('loading migrations', () => {
  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
    return dir;
  }

  it('reads NNNN_name.sql files in order and ignores other files', async () => {
    const dir = await folder({ '0002_balance.sql': V2.sql, '0001_init.sql': V1.sql, 'README.md': '# notes' });
    expect(await loadMigrations(dir)).toEqual([V1, V2]);
    const db = await database();
    const result = await migrate(db.pool, { directory: dir });
    expect(result.applied.map((m) => m.name)).toEqual(['init', 'balance']);
  });

  it('refuses a misnamed .sql file, naming it', async () => {
    const dir = await folder({ '0001_init.sql': V1.sql, '2_oops.sql': 'SELECT 1;' });
    const err = await failure(loadMigrations(dir));
    expect(err.code).toBe(StoreErrorCode.MIGRATION_INVALID);
    expect(err.message).toContain('2_oops.sql');
  });

  it('refuses duplicate versions, empty SQL, and a missing source', async () => {
    expect(() => validateMigrations([V1, { ...V2, version: 1 }])).toThrow(/share version 1/);
    expect(() => validateMigrations([{ ...V1, sql: '  ' }])).toThrow(/0001_init\.sql has no SQL/);
    expect(() => validateMigrations([{ ...V1, version: 0 }])).toThrow(/positive integer/);
    const err: unknown = await planMigrations(createPool('postgres://127.0.0.1/unused'), {}).catch((e: unknown) => e);
    expect(isStoreError(err, StoreErrorCode.MIGRATION_INVALID)).toBe(true);
  });
});
