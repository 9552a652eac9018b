import { MigrationError, StoreErrorCode, loadMigrations, migrationChecksum } from '@bourse/store';
import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { ORDER_MANAGER_MIGRATIONS, loadBalances, loadInstruments, migrateOrderManagerStore } from '@bourse/ledger';
import { upsertBalance } from './balances.js';
import { upsertInstrument } from './instruments.js';
import { loadStrategyVersion, recordStrategyVersion } from './strategy-versions.js';
import { BTC_USDT, ETH_USDT, T0, orderManagerDatabase } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('schema', () => {
  it('is applied once; starting again applies nothing', async () => {
    expect(db.migrated?.applied.map((m) => m.name)).toEqual([
      'init',
      'exec_published',
      'tactics',
      'balance_transfers',
      'fill_checkpoints',
      'order_traces',
      'tactic_rejected',
      'order_code_hash',
    ]);
    const again = await migrateOrderManagerStore(db.pool);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual([1, 2, 3, 4, 5, 6, 9, 10]);
  });

  it('has a primary key on every table', async () => {
    const result = await db.pool.query<{ table_name: string }>(
      `SELECT t.table_name FROM information_schema.tables t
        WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND NOT EXISTS (SELECT 1 FROM information_schema.table_constraints c
                           WHERE c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY')`,
    );
    expect(result.rows).toEqual([]);
  });

  it('stores no price or quantity as a float', async () => {
    const result = await db.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('real', 'double precision')`,
    );
    expect(result.rows).toEqual([]);
  });

  it('refuses to start on a database whose applied migration was edited', async () => {
    await db.pool.query(`UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1`);
    try {
      const err: unknown = await migrateOrderManagerStore(db.pool).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect(err).toMatchObject({ code: StoreErrorCode.MIGRATION_CHECKSUM_MISMATCH, file: '0001_init.sql' });
    } finally {
      const [init] = await loadMigrations(ORDER_MANAGER_MIGRATIONS);
      await db.pool.query(`UPDATE schema_migrations SET checksum = $1 WHERE version = 1`, [
        migrationChecksum(init?.sql ?? ''),
      ]);
    }
  });
});

describe('instruments', () => {
  it('round-trips the contract and its raw filters, and ignores older metadata', async () => {
    const filters = [{ filterType: 'PRICE_FILTER', tickSize: '0.01000000' }];
    const newer = { ...BTC_USDT, tickSize: '0.1', marketStepSize: '0.001' };
    expect(await upsertInstrument(db.pool, newer, { rawFilters: filters, updatedAt: T0 + 100 })).toBe(true);
    expect(await upsertInstrument(db.pool, BTC_USDT, { rawFilters: [], updatedAt: T0 + 50 })).toBe(false);
    const stored = await loadInstruments(db.pool, 'binance');
    expect(stored).toEqual([
      { instrument: newer, rawFilters: filters, updatedAt: T0 + 100 },
      { instrument: ETH_USDT, rawFilters: [], updatedAt: T0 },
    ]);
  });

  it('refuses an instrument that fails its contract', async () => {
    const err: unknown = await upsertInstrument(
      db.pool,
      { ...BTC_USDT, minQty: '10000' },
      { rawFilters: [], updatedAt: T0 },
    ).catch((e: unknown) => e);
    expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE)).toBe(true);
    expect((err as Error).message).toMatch(/maxQty/);
  });
});

describe('strategy versions', () => {
  it('records a version once and refuses other parameters under the same version', async () => {
    const record = { strategyId: 'momo', version: '1.4.0', params: { lookback: '20', band: '2.5' }, firstSeenAt: T0 };
    expect(await recordStrategyVersion(db.pool, record)).toBe(true);
    expect(
      await recordStrategyVersion(db.pool, { ...record, params: { band: '2.5', lookback: '20' }, firstSeenAt: T0 + 5 }),
    ).toBe(false);
    const err: unknown = await recordStrategyVersion(db.pool, {
      ...record,
      params: { lookback: '21', band: '2.5' },
    }).catch((e: unknown) => e);
    expect(isOrderStoreError(err, OrderStoreErrorCode.STRATEGY_VERSION_CONFLICT)).toBe(true);
    expect(await loadStrategyVersion(db.pool, 'momo', '1.4.0')).toEqual(record);
  });
});

describe('balances', () => {
  it('keeps the newest report per venue and asset', async () => {
    expect(
      await upsertBalance(db.pool, {
        venue: 'binance',
        asset: 'USDT',
        free: '1000.5',
        locked: '0',
        updatedAt: T0 + 10,
      }),
    ).toBe(true);
    expect(
      await upsertBalance(db.pool, { venue: 'binance', asset: 'USDT', free: '999', locked: '1.5', updatedAt: T0 + 5 }),
    ).toBe(false);
    expect(
      await upsertBalance(db.pool, {
        venue: 'binance',
        asset: 'USDT',
        free: '900.25',
        locked: '100.25',
        updatedAt: T0 + 20,
      }),
    ).toBe(true);
    expect(await loadBalances(db.pool, 'binance')).toEqual([
      { venue: 'binance', asset: 'USDT', free: '900.25', locked: '100.25', updatedAt: T0 + 20 },
    ]);
  });

  it('has the database refuse a negative balance', async () => {
    const err: unknown = await upsertBalance(db.pool, {
      venue: 'binance',
      asset: 'BTC',
      free: '-1',
      locked: '0',
      updatedAt: T0,
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('23514');
  });
});
