import { VersionConflictError, withTransaction } from '@bourse/store';
import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { listFills, loadPositions, type PositionRecord } from '@bourse/ledger';
import { insertFill } from './fills.js';
import { upsertOrder } from './orders.js';
import { savePosition } from './positions.js';
import { T0, fillRecord, orderManagerDatabase, orderRecord, sqlStateOfFailure } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
  await upsertOrder(db.pool, orderRecord('f-buy', { status: 'new', venueOrderId: '9001' }), 0);
  await upsertOrder(db.pool, orderRecord('f-eth', { instrument: 'ETH/USDT', status: 'new' }), 0);
});
afterAll(async () => {
  await db.drop();
});

async function fillCount(where: string): Promise<number> {
  const result = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM fills WHERE ${where}`);
  return result.rows[0]?.n ?? -1;
}

describe('insertFill', () => {
  it('stores a fill once: the same venue fill id again returns false and adds no row', async () => {
    const fill = fillRecord('f-buy', 'T-100');
    expect(await insertFill(db.pool, fill)).toBe(true);
    expect(await insertFill(db.pool, { ...fill, recordedAt: T0 + 9_999 })).toBe(false);
    // "0.10" is the same quantity as "0.1".
    expect(await insertFill(db.pool, { ...fill, qty: '0.10' })).toBe(false);
    expect(await fillCount(`venue_fill_id = 'T-100'`)).toBe(1);
    expect(await listFills(db.pool, { clientOrderId: 'f-buy' })).toEqual([{ ...fill, seq: expect.any(Number) }]);
  });

  it('refuses a fill id seen before with other contents', async () => {
    await insertFill(db.pool, fillRecord('f-buy', 'T-200'));
    const err: unknown = await insertFill(db.pool, fillRecord('f-buy', 'T-200', { qty: '0.2' })).catch(
      (e: unknown) => e,
    );
    expect(isOrderStoreError(err, OrderStoreErrorCode.FILL_CONFLICT)).toBe(true);
    expect(await fillCount(`venue_fill_id = 'T-200'`)).toBe(1);
  });

  it('keys fill ids per instrument, as Binance numbers trades per symbol', async () => {
    await insertFill(db.pool, fillRecord('f-buy', 'T-300'));
    expect(await insertFill(db.pool, fillRecord('f-eth', 'T-300', { instrument: 'ETH/USDT', feeAsset: 'ETH' }))).toBe(
      true,
    );
    expect(await fillCount(`venue_fill_id = 'T-300'`)).toBe(2);
  });

  it('refuses a fill that disagrees with its order, or whose order is not stored', async () => {
    expect(await sqlStateOfFailure(insertFill(db.pool, fillRecord('f-buy', 'T-400', { side: 'SELL' })))).toBe('23503');
    expect(await sqlStateOfFailure(insertFill(db.pool, fillRecord('f-buy', 'T-401', { strategyId: 'other' })))).toBe(
      '23503',
    );
    expect(await sqlStateOfFailure(insertFill(db.pool, fillRecord('f-missing', 'T-402')))).toBe('23503');
  });

  it('refuses float-looking numbers before they reach numeric', async () => {
    for (const qty of ['1e-7', 'NaN', 'Infinity', '.5']) {
      const err: unknown = await insertFill(db.pool, fillRecord('f-buy', `T-bad-${qty}`, { qty })).catch(
        (e: unknown) => e,
      );
      expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE)).toBe(true);
      expect((err as Error).message).toContain('qty');
    }
    expect(await fillCount(`venue_fill_id LIKE 'T-bad-%'`)).toBe(0);
  });
});

describe('exact decimals', () => {
  it('stores "0.1" and "0.2" and sums them in SQL to exactly "0.3"', async () => {
    await upsertOrder(db.pool, orderRecord('f-dec', { status: 'new' }), 0);
    await insertFill(db.pool, fillRecord('f-dec', 'D-1', { qty: '0.1' }));
    await insertFill(db.pool, fillRecord('f-dec', 'D-2', { qty: '0.2' }));
    const sum = await db.pool.query<{ total: string }>(
      `SELECT sum(qty) AS total FROM fills WHERE client_order_id = 'f-dec'`,
    );
    expect(sum.rows[0]?.total).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3); // what a float column would have given
    const fills = await listFills(db.pool, { clientOrderId: 'f-dec' });
    expect(fills.map((f) => f.qty)).toEqual(['0.1', '0.2']);
  });

  it('round-trips long decimals and negative fees digit for digit', async () => {
    await upsertOrder(db.pool, orderRecord('f-long', { status: 'new', qty: '1234567890.123456789' }), 0);
    const fill = fillRecord('f-long', 'L-1', {
      qty: '1234567890.123456789',
      price: '0.000000000000000001',
      fee: '-0.00000001',
    });
    await insertFill(db.pool, fill);
    expect(await listFills(db.pool, { clientOrderId: 'f-long' })).toEqual([{ ...fill, seq: expect.any(Number) }]);
  });
});

const position = (changes: Partial<PositionRecord> = {}): PositionRecord => ({
  strategyId: 'momo',
  instrument: 'BTC/USDT',
  qty: '0.1',
  avgEntryPrice: '60000.1',
  realizedPnl: '0',
  fees: { BTC: '0.0001' },
  lots: [{ qty: '0.1', price: '60000.1' }],
  fillCount: 1,
  lastFillAt: T0 + 1_000,
  updatedAt: T0 + 1_005,
  ...changes,
});

describe('positions', () => {
  it('saves and loads a position with lots and fees exactly, under a version check', async () => {
    expect(await savePosition(db.pool, position({ strategyId: 'pos-a' }), 0)).toBe(1);
    const moved = position({
      strategyId: 'pos-a',
      qty: '-0.05',
      avgEntryPrice: '61000.5',
      realizedPnl: '-12.345',
      fees: { BTC: '0.0002', BNB: '0.00001' },
      lots: [{ qty: '0.05', price: '61000.5' }],
      fillCount: 3,
      updatedAt: T0 + 2_000,
    });
    expect(await savePosition(db.pool, moved, 1)).toBe(2);
    expect(await loadPositions(db.pool, { strategyId: 'pos-a' })).toEqual([{ ...moved, version: 2 }]);

    const err: unknown = await savePosition(db.pool, position({ strategyId: 'pos-a' }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ expected: 1, actual: 2 });
  });

  it('commits a fill and its position together, or neither', async () => {
    await upsertOrder(db.pool, orderRecord('f-atomic', { status: 'new', strategyId: 'pos-b' }), 0);
    const apply = (fillId: string, expectedVersion: number) =>
      withTransaction(db.pool, async (client) => {
        const fresh = await insertFill(client, fillRecord('f-atomic', fillId, { strategyId: 'pos-b' }));
        if (!fresh) return 'duplicate';
        await savePosition(client, position({ strategyId: 'pos-b' }), expectedVersion);
        return 'applied';
      });
    expect(await apply('A-1', 0)).toBe('applied');
    expect(await apply('A-1', 0)).toBe('duplicate');
    // A stale position version rolls the new fill back too, so a redelivery can apply it later.
    await expect(apply('A-2', 0)).rejects.toBeInstanceOf(VersionConflictError);
    expect(await fillCount(`client_order_id = 'f-atomic'`)).toBe(1);
    expect(await apply('A-2', 1)).toBe('applied');
    expect(await fillCount(`client_order_id = 'f-atomic'`)).toBe(2);
  });

  it('has the database refuse an open position without an entry price', async () => {
    expect(
      await sqlStateOfFailure(savePosition(db.pool, position({ strategyId: 'pos-c', avgEntryPrice: undefined }), 0)),
    ).toBe('23514');
    expect(
      await savePosition(db.pool, position({ strategyId: 'pos-c', qty: '0', avgEntryPrice: undefined, lots: [] }), 0),
    ).toBe(1);
  });
});
