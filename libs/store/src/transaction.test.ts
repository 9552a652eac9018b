import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreErrorCode, TransactionError, isStoreError } from './errors.js';
import { createTestDatabase, type TestDatabase } from './testing.js';
import { withSerializableRetry, withTransaction } from './transaction.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`
    CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY,
      parent_id int NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE ledger (id serial PRIMARY KEY, tag text NOT NULL, amount numeric NOT NULL);
    CREATE TABLE singleton (k text NOT NULL);
  `);
});
afterAll(async () => {
  await db.drop();
});

async function count(table: string, where = 'true'): Promise<number> {
  const result = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return result.rows[0]?.n ?? -1;
}

/** A promise with its resolver, to make two transactions interleave in a known order. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

describe('withTransaction', () => {
  it('commits what the callback wrote and returns its result', async () => {
    const result = await withTransaction(db.pool, async (client) => {
      await client.query(`INSERT INTO ledger (tag, amount) VALUES ('commit', '0.1'), ('commit', '0.2')`);
      const sum = await client.query<{ s: string }>(`SELECT sum(amount)::text AS s FROM ledger WHERE tag = 'commit'`);
      return sum.rows[0]?.s;
    });
    expect(result).toBe('0.3');
    expect(await count('ledger', `tag = 'commit'`)).toBe(2);
  });

  it('rolls back everything when the callback throws, and rethrows that very error', async () => {
    const boom = new Error('strategy blew up');
    const err: unknown = await withTransaction(db.pool, async (client) => {
      await client.query(`INSERT INTO ledger (tag, amount) VALUES ('rollback', '1')`);
      throw boom;
    }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(await count('ledger', `tag = 'rollback'`)).toBe(0);
  });

  it('rolls back after a failed statement and leaves the pool usable', async () => {
    const err: unknown = await withTransaction(db.pool, async (client) => {
      await client.query(`INSERT INTO ledger (tag, amount) VALUES ('bad', '1')`);
      await client.query(`INSERT INTO ledger (tag, amount) VALUES ('bad', 'not a number')`);
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('22P02');
    expect(await count('ledger', `tag = 'bad'`)).toBe(0);
  });

  it('turns a failed COMMIT into a TransactionError carrying the SQLSTATE', async () => {
    const err: unknown = await withTransaction(db.pool, async (client) => {
      // The deferred foreign key is checked at COMMIT, so the callback itself succeeds.
      await client.query('INSERT INTO child (id, parent_id) VALUES (1, 42)');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionError);
    expect(err).toMatchObject({ code: StoreErrorCode.TRANSACTION_FAILED, step: 'commit', sqlState: '23503' });
    expect(await count('child')).toBe(0);
  });
});

describe('withSerializableRetry', () => {
  it('runs the loser of a write-skew conflict again, which then sees the winner', async () => {
    const aRead = signal();
    const bRead = signal();
    const attempts: string[] = [];
    // Each inserts only when the table is empty; serializable isolation must let just one row in.
    const insertIfEmpty = (tag: string, mine: () => void, theirs: Promise<void>) =>
      withSerializableRetry(
        db.pool,
        async (client, attempt) => {
          attempts.push(`${tag}${attempt}`);
          const n = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM singleton')).rows[0]?.n;
          if (attempt === 1) {
            mine();
            await theirs;
          }
          if (n === 0) await client.query('INSERT INTO singleton (k) VALUES ($1)', [tag]);
          return n;
        },
        { baseDelayMs: 1 },
      );
    const seen = await Promise.all([
      insertIfEmpty('a', aRead.fire, bRead.promise),
      insertIfEmpty('b', bRead.fire, aRead.promise),
    ]);
    expect(await count('singleton')).toBe(1);
    // At least one retry; the loser may need more than one if it retries before the winner commits.
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    // The winner's attempt saw an empty table; the loser's last attempt saw the winner's row.
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('gives up after maxAttempts with a typed error whose cause is the last conflict', async () => {
    let attempts = 0;
    const retried: number[] = [];
    const err: unknown = await withSerializableRetry(
      db.pool,
      async (client) => {
        attempts += 1;
        await client.query(
          `DO $$ BEGIN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END $$`,
        );
      },
      { maxAttempts: 3, baseDelayMs: 1, onRetry: (attempt) => retried.push(attempt) },
    ).catch((e: unknown) => e);
    expect(isStoreError(err, StoreErrorCode.RETRIES_EXHAUSTED)).toBe(true);
    expect(((err as Error).cause as { code?: string }).code).toBe('40001');
    expect(attempts).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    const err: unknown = await withSerializableRetry(db.pool, async (client) => {
      attempts += 1;
      await client.query('SELECT 1 / 0');
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('22012');
    expect(attempts).toBe(1);
  });
});
