// The ledger's schema and reads, over rows its fixture writers put in (the order manager's own
// writers are tested with these reads in services/order-manager/src/store).

import { Instrument, OrderRequest } from '@bourse/contracts';
import { namespaceSchema } from '@bourse/store';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ORDER_MANAGER_LOCK_KEY,
  ORDER_MANAGER_MIGRATIONS,
  OrderStoreErrorCode,
  bookedTransferTotals,
  isOrderStoreError,
  lastOrderTimes,
  listFills,
  listFillsAfter,
  listNewestFills,
  listNewestOrders,
  loadCodeHashes,
  listOpenOrders,
  loadBalances,
  loadFillCheckpoint,
  loadInstruments,
  loadOpenOrderTraces,
  loadOutbox,
  loadPositions,
  loadTraceIds,
  migrateOrderManagerStore,
  type FillRecord,
  type OrderRecord,
} from './index.js';
import {
  ledgerTestDatabase,
  writeBalance,
  writeBalanceTransfer,
  writeFill,
  writeFillCheckpoint,
  writeInstrument,
  writeOrder,
  writeOrderTrace,
  writeOutbox,
  writePosition,
} from './testing.js';

const T0 = 1_767_225_600_123;
const HASH = 'ab'.repeat(32);
const BTC = Instrument.parse({
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

function order(clientOrderId: string, changes: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId,
    venue: 'binance',
    instrument: 'BTC/USDT',
    strategyId: 'momo',
    strategyVersion: '1',
    side: 'BUY',
    style: 'limit',
    qty: '0.5',
    price: '100.1',
    timeInForce: 'GTC',
    status: 'new',
    filledQty: '0',
    cumulativeQuoteQty: '0',
    createdAt: T0,
    updatedAt: T0,
    ...changes,
  };
}

function fill(venueFillId: string, clientOrderId: string, venueTime: number): FillRecord {
  return {
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueFillId,
    clientOrderId,
    strategyId: 'momo',
    side: 'BUY',
    qty: '0.1',
    price: '100.1',
    fee: '0.01',
    feeAsset: 'USDT',
    liquidity: 'maker',
    venueTime,
    recordedAt: venueTime,
  };
}

describe('schema', () => {
  it('applies the order manager migrations once, in a namespace schema as in public', async () => {
    const schema = namespaceSchema('ledger-test');
    const db = await createTestDatabase({ schema });
    try {
      const first = await migrateOrderManagerStore(db.pool);
      expect(first.applied.map((m) => `${m.version} ${m.name}`)).toEqual([
        '1 init',
        '2 exec_published',
        '3 tactics',
        '4 balance_transfers',
        '5 fill_checkpoints',
        '6 order_traces',
        '9 tactic_rejected',
        '10 order_code_hash',
      ]);
      expect((await migrateOrderManagerStore(db.pool)).applied).toEqual([]);
      const { rows } = await db.pool.query<{ table_schema: string }>(
        `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('orders', 'fills', 'schema_migrations')`,
      );
      expect(rows.map((r) => r.table_schema)).toEqual([schema]);
    } finally {
      await db.drop();
    }
  });

  it('is what the order manager locks and records under', () => {
    expect(ORDER_MANAGER_MIGRATIONS.replaceAll('\\', '/')).toMatch(/libs\/ledger\/migrations$/);
    expect(ORDER_MANAGER_LOCK_KEY).toBe(0x6f6d7331);
  });
});

describe('reads', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await ledgerTestDatabase();
    await writeInstrument(db.pool, BTC, { updatedAt: T0 });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads instruments, the journaled request and open orders back as their contracts', async () => {
    const request = OrderRequest.parse({
      v: 1,
      clientOrderId: 'open-1',
      intentId: 'intent-open-1',
      strategyId: 'momo',
      strategyVersion: '1',
      venue: 'binance',
      instrument: 'BTC/USDT',
      venueSymbol: 'BTCUSDT',
      side: 'BUY',
      qty: '0.5',
      style: 'limit',
      price: '100.1',
      timeInForce: 'GTC',
      reduceOnly: false,
      createdAt: T0,
    });
    await writeOutbox(db.pool, request, T0);
    expect(await writeOrder(db.pool, order('open-1'))).toBe(1);
    expect(await writeOrder(db.pool, order('open-1', { status: 'partially-filled', filledQty: '0.1' }))).toBe(2);
    await writeOrder(
      db.pool,
      order('done-1', {
        status: 'filled',
        filledQty: '0.5',
        cumulativeQuoteQty: '50.05',
        avgPrice: '100.1',
        codeHash: HASH,
        createdAt: T0 + 1,
        updatedAt: T0 + 1,
      }),
    );

    expect((await loadInstruments(db.pool, 'binance')).map((i) => i.instrument)).toEqual([BTC]);
    expect((await loadOutbox(db.pool, 'open-1'))?.request).toEqual(request);
    const open = await listOpenOrders(db.pool);
    expect(open.map((o) => [o.clientOrderId, o.status, o.filledQty, o.version])).toEqual([
      ['open-1', 'partially-filled', '0.1', 2],
    ]);
    expect((await listNewestOrders(db.pool, 1)).map((o) => o.clientOrderId)).toEqual(['done-1']);
    expect((await listNewestOrders(db.pool, 5)).map((o) => o.clientOrderId)).toEqual(['open-1', 'done-1']);
    expect(await lastOrderTimes(db.pool)).toEqual(new Map([['momo', T0 + 1]]));
    // The code hash comes back with its order; an order without one stays valid and has none.
    expect((await listNewestOrders(db.pool, 5)).map((o) => o.codeHash)).toEqual([undefined, HASH]);
    expect(await loadCodeHashes(db.pool, ['open-1', 'done-1', 'nope'])).toEqual(new Map([['done-1', HASH]]));
    expect(await loadCodeHashes(db.pool, [])).toEqual(new Map());
  });

  it('refuses a code hash that is not a sha256 in lowercase hex (the column CHECK)', async () => {
    await expect(writeOrder(db.pool, order('bad-hash', { codeHash: 'ABC' }))).rejects.toMatchObject({ code: '23514' });
  });

  it('reads fills in venue time and store order, and the checkpoint over them', async () => {
    expect(await writeFill(db.pool, fill('f-2', 'done-1', T0 + 20))).toBe(true);
    expect(await writeFill(db.pool, fill('f-1', 'done-1', T0 + 10))).toBe(true);
    expect(await writeFill(db.pool, fill('f-1', 'done-1', T0 + 10))).toBe(false);
    expect((await listFills(db.pool)).map((f) => f.venueFillId)).toEqual(['f-1', 'f-2']);
    expect((await listNewestFills(db.pool, 1)).map((f) => f.venueFillId)).toEqual(['f-2']);
    expect(await loadFillCheckpoint(db.pool, 'binance')).toBe(0);
    const through = await writeFillCheckpoint(db.pool, 'binance', T0 + 30);
    expect(await loadFillCheckpoint(db.pool, 'binance')).toBe(through);
    await writeFill(db.pool, fill('f-3', 'done-1', T0 + 5));
    expect((await listFillsAfter(db.pool, 'binance', through)).map((f) => f.venueFillId)).toEqual(['f-3']);
  });

  it('reads positions, balances, transfers and traces', async () => {
    await writePosition(db.pool, {
      strategyId: 'momo',
      instrument: 'BTC/USDT',
      qty: '0.3',
      avgEntryPrice: '100.1',
      realizedPnl: '0',
      fees: { USDT: '0.03' },
      lots: [{ qty: '0.3', price: '100.1' }],
      fillCount: 3,
      lastFillAt: T0 + 20,
      updatedAt: T0 + 20,
    });
    await writeBalance(db.pool, { venue: 'binance', asset: 'USDT', free: '1000.5', locked: '0', updatedAt: T0 });
    await writeBalanceTransfer(db.pool, { venue: 'binance', asset: 'USDT', delta: '500', venueTime: T0 }, T0);
    await writeBalanceTransfer(db.pool, { venue: 'binance', asset: 'USDT', delta: '-0.5', venueTime: T0 + 1 }, T0);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await writeOrderTrace(db.pool, 'open-1', { traceparent }, T0);
    await writeOrderTrace(db.pool, 'done-1', { traceparent }, T0);

    const [position] = await loadPositions(db.pool, { strategyId: 'momo' });
    expect(position).toMatchObject({ qty: '0.3', fees: { USDT: '0.03' }, lots: [{ qty: '0.3', price: '100.1' }] });
    expect(await loadBalances(db.pool, 'binance')).toEqual([
      { venue: 'binance', asset: 'USDT', free: '1000.5', locked: '0', updatedAt: T0 },
    ]);
    expect(await bookedTransferTotals(db.pool, 'binance')).toEqual({ USDT: '499.5' });
    expect(await loadTraceIds(db.pool, ['open-1', 'nope'])).toEqual(
      new Map([['open-1', '4bf92f3577b34da6a3ce929d0e0e4736']]),
    );
    expect([...(await loadOpenOrderTraces(db.pool)).keys()]).toEqual(['open-1']);
  });

  it('refuses a row that no longer passes its contract (CORRUPT_ROW), naming it', async () => {
    await db.pool.query(
      `UPDATE positions SET fees = '{"usdt": "1e-3"}' WHERE strategy_id = 'momo' AND instrument = 'BTC/USDT'`,
    );
    const err = await loadPositions(db.pool).catch((e: unknown) => e);
    expect(isOrderStoreError(err, OrderStoreErrorCode.CORRUPT_ROW)).toBe(true);
    expect(String(err)).toMatch(/position fees momo BTC\/USDT/);
  });
});
