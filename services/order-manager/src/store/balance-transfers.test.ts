import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedTransferTotals, loadBalances } from '@bourse/ledger';
import { bookBalanceTransfer } from './balance-transfers.js';
import { upsertBalance } from './balances.js';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { T0, orderManagerDatabase } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
  await upsertBalance(db.pool, { venue: 'binance', asset: 'USDT', free: '1000', locked: '25', updatedAt: T0 });
});
afterAll(async () => {
  await db.drop();
});

async function free(asset: string): Promise<string | undefined> {
  return (await loadBalances(db.pool, 'binance')).find((b) => b.asset === asset)?.free;
}

describe('bookBalanceTransfer', () => {
  it('moves the free balance by a deposit once, however often the event comes', async () => {
    const deposit = { venue: 'binance', asset: 'USDT', delta: '500.5', venueTime: T0 + 1_000 };
    expect(await bookBalanceTransfer(db.pool, deposit, T0 + 1_001)).toEqual({ kind: 'booked', free: '1500.5' });
    expect(await bookBalanceTransfer(db.pool, deposit, T0 + 1_002)).toEqual({ kind: 'duplicate' });
    // The same amount written differently is the same event.
    expect(await bookBalanceTransfer(db.pool, { ...deposit, delta: '500.50' }, T0 + 1_003)).toEqual({
      kind: 'duplicate',
    });
    expect(await free('USDT')).toBe('1500.5');
    const [usdt] = (await loadBalances(db.pool, 'binance')).filter((b) => b.asset === 'USDT');
    expect(usdt?.locked).toBe('25');
  });

  it('books a withdrawal, and a second one of the same amount at another time', async () => {
    const withdrawal = { venue: 'binance', asset: 'USDT', delta: '-100', venueTime: T0 + 2_000 };
    expect(await bookBalanceTransfer(db.pool, withdrawal, T0 + 2_001)).toMatchObject({ kind: 'booked' });
    expect(await bookBalanceTransfer(db.pool, { ...withdrawal, venueTime: T0 + 3_000 }, T0 + 3_001)).toMatchObject({
      kind: 'booked',
      free: '1300.5',
    });
  });

  it('refuses a withdrawal the stored free balance cannot pay, booking nothing', async () => {
    const tooMuch = { venue: 'binance', asset: 'USDT', delta: '-5000', venueTime: T0 + 4_000 };
    expect(await bookBalanceTransfer(db.pool, tooMuch, T0 + 4_001)).toEqual({ kind: 'refused', free: '1300.5' });
    expect(await free('USDT')).toBe('1300.5');
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM balance_transfers WHERE venue_time = $1',
      [new Date(T0 + 4_000)],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('creates the balance of an asset deposited for the first time', async () => {
    const bnb = { venue: 'binance', asset: 'BNB', delta: '2', venueTime: T0 + 5_000 };
    expect(await bookBalanceTransfer(db.pool, bnb, T0 + 5_001)).toEqual({ kind: 'booked', free: '2' });
    expect(await free('BNB')).toBe('2');
  });

  it('sums what was booked per asset (a refused withdrawal is not in it)', async () => {
    expect(await bookedTransferTotals(db.pool, 'binance')).toEqual({ BNB: '2', USDT: '300.5' });
    expect(await bookedTransferTotals(db.pool, 'binance-testnet')).toEqual({});
  });

  it('refuses a zero amount, a malformed one and a bad time with a typed error naming the field', async () => {
    for (const [delta, venueTime, field] of [
      ['0', T0, 'delta'],
      ['1e3', T0, 'delta'],
      ['1', -1, 'venueTime'],
    ] as const) {
      const err: unknown = await bookBalanceTransfer(
        db.pool,
        { venue: 'binance', asset: 'USDT', delta, venueTime },
        T0,
      ).catch((e: unknown) => e);
      expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE), String(err)).toBe(true);
      expect((err as Error).message).toContain(field);
    }
  });
});
