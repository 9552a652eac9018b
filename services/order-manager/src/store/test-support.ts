// Shared by this folder's *.test.ts files only: a migrated database of its own per test file, and
// valid rows to start from.

import { Instrument, OrderRequest } from '@bourse/contracts';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { ORDER_MANAGER_LOCK_KEY, ORDER_MANAGER_MIGRATIONS, type FillRecord, type OrderRecord } from '@bourse/ledger';
import { upsertInstrument } from './instruments.js';

export const T0 = 1_767_225_600_123; // 2026-01-01T00:00:00.123Z: the milliseconds must survive storage.

export async function orderManagerDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({
    migrations: { directory: ORDER_MANAGER_MIGRATIONS, lockKey: ORDER_MANAGER_LOCK_KEY },
  });
  for (const instrument of [BTC_USDT, ETH_USDT]) {
    await upsertInstrument(db.pool, instrument, { rawFilters: [], updatedAt: T0 });
  }
  return db;
}

export const BTC_USDT: Instrument = Instrument.parse({
  v: 1,
  symbol: 'BTC/USDT',
  venue: 'binance',
  venueSymbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  minNotional: '5',
  multiplier: '1',
});

export const ETH_USDT: Instrument = Instrument.parse({
  ...BTC_USDT,
  symbol: 'ETH/USDT',
  venueSymbol: 'ETHUSDT',
  base: 'ETH',
  tickSize: '0.01',
  stepSize: '0.0001',
});

export function orderRequest(
  clientOrderId: string,
  changes: Partial<Record<keyof OrderRequest, unknown>> = {},
): OrderRequest {
  return OrderRequest.parse({
    v: 1,
    clientOrderId,
    intentId: `intent-${clientOrderId}`,
    strategyId: 'momo',
    strategyVersion: '1.0.0',
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueSymbol: 'BTCUSDT',
    side: 'BUY',
    qty: '0.5',
    style: 'limit',
    price: '60000.1',
    timeInForce: 'GTC',
    reduceOnly: false,
    createdAt: T0,
    ...changes,
  });
}

export function orderRecord(clientOrderId: string, changes: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId,
    venue: 'binance',
    instrument: 'BTC/USDT',
    strategyId: 'momo',
    strategyVersion: '1.0.0',
    side: 'BUY',
    style: 'limit',
    qty: '0.5',
    price: '60000.1',
    timeInForce: 'GTC',
    status: 'pending-new',
    filledQty: '0',
    cumulativeQuoteQty: '0',
    createdAt: T0,
    updatedAt: T0,
    ...changes,
  };
}

export function fillRecord(clientOrderId: string, venueFillId: string, changes: Partial<FillRecord> = {}): FillRecord {
  return {
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueFillId,
    clientOrderId,
    venueOrderId: '9001',
    strategyId: 'momo',
    side: 'BUY',
    qty: '0.1',
    price: '60000.1',
    fee: '0.0001',
    feeAsset: 'BTC',
    liquidity: 'maker',
    venueTime: T0 + 1_000,
    recordedAt: T0 + 1_005,
    ...changes,
  };
}

/** The SQLSTATE of a rejected promise's error, to assert which constraint fired. */
export async function sqlStateOfFailure(promise: Promise<unknown>): Promise<string | undefined> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected the statement to fail');
  return (err as { code?: string }).code;
}
