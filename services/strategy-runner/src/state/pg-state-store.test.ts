import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import {
  builtinStrategy,
  parseStoredState,
  StateKeeper,
  StoredStateError,
  type InstrumentRef,
  type StateChange,
  type StrategyConfig,
} from '@bourse/strategy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunnerError } from '../errors.js';
import { migrateRunnerStore, PgStateStore } from './pg-state-store.js';

// The runner's state store against the real PostgreSQL (its own database, migrated as the runner
// does at start): claims fence older holders, writes keep their order, and what comes back is what
// was written, checked on load.

const BTC: InstrumentRef = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const ETH: InstrumentRef = { venue: 'binance', symbol: 'ETH/USDT', venueSymbol: 'ETHUSDT' };
const strategy: StrategyConfig = {
  id: 'once',
  definition: builtinStrategy('sma-cross'),
  version: '1.0.0',
  params: {},
  instruments: [BTC, ETH],
};

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // Two replicas starting together both migrate; the advisory lock lets one apply and the other find nothing.
  const [a, b] = await Promise.all([migrateRunnerStore(db.pool), migrateRunnerStore(db.pool)]);
  // Both of the runner's migrations (strategy_state, strategy_code), by one of them.
  expect([a.applied.length, b.applied.length].sort()).toEqual([0, 2]);
});

afterAll(async () => {
  await db?.drop();
});

const change = (seq: number, state: Record<string, string>, ref = BTC): StateChange => ({
  strategyId: 'once',
  strategyVersion: '1.0.0',
  ref,
  state,
  seq,
  at: 1_700_000_000_000 + seq,
});

describe('PgStateStore', () => {
  it('returns nothing for a key never written, then what the holder wrote, to the next holder', async () => {
    const first = new StateKeeper(new PgStateStore(db.pool), 'runner-1/s1');
    expect((await first.claim(BTC, [strategy])).size).toBe(0);
    expect((await first.save(change(1, { phase: 'in', held: '0' }))).outcome).toBe('saved');
    expect((await first.save(change(2, { phase: 'in', held: '1' }))).outcome).toBe('saved');

    const second = new StateKeeper(new PgStateStore(db.pool), 'runner-2/s2');
    const restored = (await second.claim(BTC, [strategy])).get('once');
    expect(restored).toMatchObject({
      format: 1,
      seq: 2,
      state: { phase: 'in', held: '1' },
      strategyVersion: '1.0.0',
      savedAt: 1_700_000_000_002,
    });
    expect(parseStoredState(strategy, BTC, restored!)).toEqual({ phase: 'in', held: '1' });
    const row = await db.pool.query<{ holder: string; generation: string }>(
      `SELECT holder, generation FROM strategy_state WHERE strategy_id = 'once' AND symbol = 'BTC/USDT'`,
    );
    expect(row.rows).toEqual([{ holder: 'runner-2/s2', generation: '2' }]);
  });

  it("refuses the old holder's late write after a takeover, and a write older than the stored one", async () => {
    const old = new StateKeeper(new PgStateStore(db.pool), 'old');
    await old.claim(ETH, [strategy]);
    expect((await old.save(change(1, { n: '1' }, ETH))).outcome).toBe('saved');

    const fresh = new StateKeeper(new PgStateStore(db.pool), 'new');
    expect((await fresh.claim(ETH, [strategy])).get('once')).toMatchObject({ seq: 1, state: { n: '1' } });
    // The old holder decided once more before it learnt the lease was gone: refused, not applied.
    expect((await old.save(change(2, { n: 'late' }, ETH))).outcome).toBe('fenced');
    expect((await fresh.save(change(2, { n: '2' }, ETH))).outcome).toBe('saved');
    // Writes of one holder go in order; one numbered below what is stored is refused as stale.
    const results = await Promise.all([fresh.save(change(4, { n: '4' }, ETH)), fresh.save(change(3, { n: '3' }, ETH))]);
    expect(results.map((r) => r.outcome)).toEqual(['saved', 'stale']);
    const stored = await db.pool.query<{ seq: string; state: unknown }>(
      `SELECT seq, state FROM strategy_state WHERE strategy_id = 'once' AND symbol = 'ETH/USDT'`,
    );
    expect(stored.rows).toEqual([{ seq: '4', state: { n: '4' } }]);
  });

  it('hands back a corrupt row as stored, and the load check refuses it with a typed error', async () => {
    await db.pool.query(
      `INSERT INTO strategy_state (strategy_id, venue, symbol, generation, holder, format, state, seq, strategy_version)
       VALUES ('broken', 'binance', 'BTC/USDT', 1, 'someone', 1, '{"held": 3}', 5, '0.9.0')`,
    );
    const keeper = new StateKeeper(new PgStateStore(db.pool), 'runner-3/s3');
    const broken = { ...strategy, id: 'broken' };
    const stored = (await keeper.claim(BTC, [broken])).get('broken');
    expect(stored).toMatchObject({ format: 1, seq: 5, state: { held: 3 }, strategyVersion: '0.9.0' });
    let error: unknown;
    try {
      parseStoredState(broken, BTC, stored!);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoredStateError);
    expect(isRunnerError(error, 'STORED_STATE_INVALID')).toBe(true);
    expect((error as StoredStateError).key).toEqual({ strategyId: 'broken', venue: 'binance', symbol: 'BTC/USDT' });
  });

  it('reports a database failure as a StateStoreError, not a lost write', async () => {
    const closed = await createTestDatabase();
    await migrateRunnerStore(closed.pool);
    const keeper = new StateKeeper(new PgStateStore(closed.pool), 'runner-4/s4');
    await keeper.claim(BTC, [strategy]);
    await closed.drop();
    const result = await keeper.save(change(1, { n: '1' }));
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && isRunnerError(result.error, 'STATE_STORE_FAILED')).toBe(true);
  });
});
