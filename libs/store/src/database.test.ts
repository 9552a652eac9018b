import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from './database.js';
import { createPool } from './pool.js';
import { StoreErrorCode, isStoreError } from './errors.js';
import { dropDatabase } from './testing.js';
import { DEFAULT_DATABASE_URL, withDatabaseName } from './url.js';

const server = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
const created: string[] = [];

function freshUrl(): string {
  const url = withDatabaseName(server, `bourse_test_${randomBytes(6).toString('hex')}`);
  created.push(url);
  return url;
}

async function databaseExists(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  const pool = createPool(withDatabaseName(server, 'postgres'), { max: 1 });
  try {
    const result = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rows.length === 1;
  } finally {
    await pool.end();
  }
}

afterAll(async () => {
  for (const url of created) await dropDatabase(url);
});

describe('ensureDatabase', () => {
  it('creates a missing database once and then reports it exists', async () => {
    const url = freshUrl();
    expect(await databaseExists(url)).toBe(false);
    expect(await ensureDatabase(url)).toBe('created');
    expect(await databaseExists(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe('exists');
  });

  it('tolerates several processes creating the same database at once', async () => {
    const url = freshUrl();
    const outcomes = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists')).toHaveLength(2);
    expect(await databaseExists(url)).toBe(true);
  });

  it('creates a database whose name needs quoting', async () => {
    const url = freshUrl().replace(/bourse_test_/, 'Bourse-Test_');
    created.push(url);
    expect(await ensureDatabase(url)).toBe('created');
    expect(await databaseExists(url)).toBe(true);
  });

  it('refuses a URL without a database name, naming the problem', async () => {
    const err: unknown = await ensureDatabase('postgres://postgres@127.0.0.1:5432/').catch((e: unknown) => e);
    expect(isStoreError(err, StoreErrorCode.INVALID_URL)).toBe(true);
    expect((err as Error).message).toMatch(/must name one database/);
  });

  it('reports an unreachable server with a typed error that never shows the password', async () => {
    const password = `Pw-${randomBytes(8).toString('hex')}`;
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const err: unknown = await ensureDatabase(`postgres://postgres:${password}@127.0.0.1:1/bourse_nowhere`, {
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(isStoreError(err, StoreErrorCode.CONNECT_FAILED)).toBe(true);
    const error = err as Error & { value: unknown };
    expect(error.message).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
    const everything = [error.message, error.stack, String(error.value), JSON.stringify(error), String(error.cause)];
    for (const text of everything) expect(text).not.toContain(password);
    expect(String(error.value)).toContain('postgres:***@127.0.0.1:1');
  });
});
