// A namespace's schema on the real PostgreSQL: two pools on one database, each with its own
// namespace, run the same migrations and see only their own rows; a namespace's pool never falls
// through to the tables of `public`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from './pool.js';
import { ensureSchema, namespaceSchema } from './schema.js';
import { migrate } from './migrations.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const MIGRATIONS = [{ version: 1, name: 'init', sql: 'CREATE TABLE orders (id text PRIMARY KEY)' }];

let db: TestDatabase;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const pool of pools) await pool.end();
  await db.drop();
});

function namespaced(namespace: string): pg.Pool {
  const pool = createPool(db.url, { max: 2, schema: namespaceSchema(namespace) });
  pools.push(pool);
  return pool;
}

describe('namespace schemas', () => {
  it('names a schema per namespace and none without one; refuses a namespace that is not a token', () => {
    expect(namespaceSchema('')).toBeUndefined();
    expect(namespaceSchema('paper-1')).toBe('bourse_paper-1');
    expect(() => namespaceSchema('a b')).toThrow(/namespace "a b" must be/);
  });

  it('keeps two namespaces on one database apart, each migrated on its own', async () => {
    const a = namespaced('alpha-ns');
    const b = namespaced('Beta_ns');
    for (const [namespace, pool] of [
      ['alpha-ns', a],
      ['Beta_ns', b],
    ] as const) {
      await ensureSchema(pool, namespaceSchema(namespace) as string);
      await ensureSchema(pool, namespaceSchema(namespace) as string); // idempotent
      const { applied } = await migrate(pool, { migrations: MIGRATIONS });
      expect(applied.map((m) => m.version)).toEqual([1]);
    }
    await a.query("INSERT INTO orders VALUES ('a-1')");
    await b.query("INSERT INTO orders VALUES ('b-1')");
    expect((await a.query<{ id: string }>('SELECT id FROM orders')).rows).toEqual([{ id: 'a-1' }]);
    expect((await b.query<{ id: string }>('SELECT id FROM orders')).rows).toEqual([{ id: 'b-1' }]);
  });

  it('a namespace not yet migrated does not read the tables of public', async () => {
    await db.pool.query('CREATE TABLE fills (id text)');
    await db.pool.query("INSERT INTO fills VALUES ('production')");
    const fresh = namespaced('gamma');
    await ensureSchema(fresh, 'bourse_gamma');
    await expect(fresh.query('SELECT id FROM fills')).rejects.toThrow(/relation "fills" does not exist/);
  });
});
