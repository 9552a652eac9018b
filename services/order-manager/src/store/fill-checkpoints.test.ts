// Migration 0005 against the real PostgreSQL: the store order of fills, the account's fill
// checkpoint, the orders whose fills are not all stored (kept by the trigger on `fills`), and the
// reads that stay small however much history is stored (checked on their query plans).
import { withTransaction } from '@bourse/store';
import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  firstOrderTimes,
  listFillsAfter,
  listFillsSince,
  listUnbookedOrders,
  loadFillCheckpoint,
  storedFillIds,
} from '@bourse/ledger';
import { saveFillCheckpoint } from './fill-checkpoints.js';
import { insertFill } from './fills.js';
import { upsertOrder } from './orders.js';
import { T0, fillRecord, orderManagerDatabase, orderRecord } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('fill checkpoints', () => {
  it('starts at 0, moves to the newest stored fill of the venue, and never back', async () => {
    expect(await loadFillCheckpoint(db.pool, 'binance')).toBe(0);
    await upsertOrder(db.pool, orderRecord('cp-a', { status: 'new', venueOrderId: '1' }), 0);
    await insertFill(db.pool, fillRecord('cp-a', 'CP-1'));
    const through = await withTransaction(db.pool, (client) => saveFillCheckpoint(client, 'binance', T0));
    expect(through).toBeGreaterThan(0);
    expect(await loadFillCheckpoint(db.pool, 'binance')).toBe(through);
    expect(await listFillsAfter(db.pool, 'binance', through)).toEqual([]);

    await insertFill(db.pool, fillRecord('cp-a', 'CP-2', { venueTime: T0 + 2_000 }));
    const after = await listFillsAfter(db.pool, 'binance', through);
    expect(after.map((f) => f.venueFillId)).toEqual(['CP-2']);
    expect(after[0]?.seq).toBeGreaterThan(through);
    // A later checkpoint covers it; nothing moves the mark back.
    const next = await saveFillCheckpoint(db.pool, 'binance', T0 + 1);
    expect(next).toBe(after[0]?.seq);
    await db.pool.query(`UPDATE fill_checkpoints SET through_seq = through_seq + 100 WHERE venue = 'binance'`);
    expect(await saveFillCheckpoint(db.pool, 'binance', T0 + 2)).toBe(next + 100);
  });

  it('reads fills after the checkpoint and fills of a time window through indexes, not the history', async () => {
    for (const q of [
      { sql: 'SELECT * FROM fills WHERE seq > $2 AND venue = $1', params: ['binance', 1] },
      {
        sql: 'SELECT * FROM fills WHERE instrument = $2 AND venue_time >= $3 AND venue = $1',
        params: ['binance', 'BTC/USDT', new Date(T0)],
      },
      { sql: 'SELECT * FROM orders WHERE venue = $1 AND filled_qty > booked_qty', params: ['binance'] },
    ]) {
      const plan = await withTransaction(db.pool, async (client) => {
        await client.query('SET LOCAL enable_seqscan = off');
        const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, q.params);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan, q.sql).not.toMatch(/Seq Scan/);
    }
  });
});

describe('orders not fully booked', () => {
  it('are those whose filled quantity is above their stored fills, kept by the trigger on fills', async () => {
    await upsertOrder(
      db.pool,
      orderRecord('ub-a', { status: 'filled', filledQty: '0.5', cumulativeQuoteQty: '30000.05', venueOrderId: '71' }),
      0,
    );
    await upsertOrder(
      db.pool,
      orderRecord('ub-b', { status: 'new', venueOrderId: '72', createdAt: T0 + 5, updatedAt: T0 + 5 }),
      0,
    );
    expect((await listUnbookedOrders(db.pool, 'binance')).map((o) => o.clientOrderId)).toEqual(['ub-a']);

    await insertFill(db.pool, fillRecord('ub-a', 'UB-1', { qty: '0.2' }));
    expect((await listUnbookedOrders(db.pool, 'binance')).map((o) => o.clientOrderId)).toEqual(['ub-a']);
    // Two fills in one statement (a bulk load) count once each.
    await db.pool.query(
      `INSERT INTO fills (venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty,
         price, fee, fee_asset, liquidity, venue_time, recorded_at)
       SELECT 'binance', 'BTC/USDT', 'UB-' || n, 'ub-a', '71', 'momo', 'BUY', 0.15, 60000.1, 0, 'BTC', 'maker',
              $1, $1
         FROM generate_series(2, 3) AS n`,
      [new Date(T0 + 3_000)],
    );
    expect(await listUnbookedOrders(db.pool, 'binance')).toEqual([]);
    const booked = await db.pool.query<{ booked: string }>(
      `SELECT booked_qty::text AS booked FROM orders WHERE client_order_id = 'ub-a'`,
    );
    expect(booked.rows[0]?.booked).toBe('0.50');
  });

  it('names the stored fill ids, the fills of a window, and the first order per instrument', async () => {
    expect([...(await storedFillIds(db.pool, 'binance', 'BTC/USDT', ['UB-1', 'UB-9', 'UB-3']))].sort()).toEqual([
      'UB-1',
      'UB-3',
    ]);
    expect((await listFillsSince(db.pool, 'binance', 'BTC/USDT', T0 + 2_500)).map((f) => f.venueFillId)).toEqual([
      'UB-2',
      'UB-3',
    ]);
    expect(await firstOrderTimes(db.pool, 'binance')).toEqual({ 'BTC/USDT': T0 });
  });
});
