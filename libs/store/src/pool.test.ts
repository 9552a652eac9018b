import { randomBytes } from 'node:crypto';
import { createLogger } from '@bourse/telemetry';
import { captureLogs } from '@bourse/telemetry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreErrorCode, isStoreError } from './errors.js';
import { createPool } from './pool.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** The test database's URL with a password added; the server uses trust auth, so it is accepted and ignored. */
function urlWithPassword(password: string, database?: string): string {
  const url = new URL(db.url);
  url.password = password;
  if (database !== undefined) url.pathname = `/${database}`;
  return url.toString();
}

describe('createPool', () => {
  it('queries the database the URL names, numerics as exact strings', async () => {
    const pool = createPool(db.url, { max: 2 });
    try {
      const result = await pool.query<{ name: string; sum: string }>(
        'SELECT current_database() AS name, 0.1::numeric + 0.2::numeric AS sum',
      );
      expect(result.rows[0]).toEqual({ name: db.name, sum: '0.3' });
    } finally {
      await pool.end();
    }
  });

  it('logs a dropped idle connection with the password masked', async () => {
    const password = `Pw-${randomBytes(8).toString('hex')}`;
    const logs = captureLogs();
    const logger = createLogger({ service: 'store-test', destination: logs.destination });
    const pool = createPool(urlWithPassword(password), { logger, max: 1 });
    try {
      const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      expect(pid).toBeTypeOf('number');
      // Our handler was attached first, so once this listener runs the log line has been written.
      const emitted = new Promise<Error>((resolve) => pool.once('error', resolve));
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      const err = await emitted;
      expect(err.message).toMatch(/terminat/);

      const entries = logs.entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ msg: 'idle PostgreSQL connection failed; the pool will open a new one' });
      expect(String(entries[0]?.['url'])).toContain(':***@127.0.0.1');
      expect(logs.text()).not.toContain(password);

      // The pool recovers with a fresh connection.
      const again = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(again.rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('keeps the password out of errors for a database that does not exist', async () => {
    const password = `Pw-${randomBytes(8).toString('hex')}`;
    const pool = createPool(urlWithPassword(password, `${db.name}_missing`), { max: 1 });
    try {
      const err: unknown = await pool.query('SELECT 1').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('3D000');
      expect(`${(err as Error).message} ${(err as Error).stack ?? ''} ${JSON.stringify(err)}`).not.toContain(password);
      // The pool object itself holds no readable copy of the password either.
      expect(JSON.stringify(pool.options)).not.toContain(password);
    } finally {
      await pool.end();
    }
  });

  it('refuses a non-positive pool size', () => {
    expect(() => createPool(db.url, { max: 0 })).toThrow(
      expect.objectContaining({ code: StoreErrorCode.INVALID_OPTION }) as Error,
    );
    try {
      createPool(db.url, { max: 1.5 });
    } catch (err) {
      expect(isStoreError(err, StoreErrorCode.INVALID_OPTION)).toBe(true);
      return;
    }
    throw new Error('expected createPool to refuse max 1.5');
  });
});
