// Start-up cost does not grow with history (issue "Defects found running Bourse…", part 6): with
// 200 000 historic fills stored, a start reads the position checkpoint and only the fills stored
// after it, and ends with the same position as a full rebuild from every fill. Real PostgreSQL,
// NATS and the exchange simulator; the history is seeded with one bulk INSERT … SELECT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, positionFromFills, samePosition, type Position } from '@bourse/domain';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import {
  insertFill,
  listFills,
  loadFillCheckpoint,
  loadPositions,
  savePosition,
  saveFillCheckpoint,
  upsertOrder,
} from '../store/index.js';
import { positionRecordOf } from './records.js';
import { syncInstruments } from './restore.js';
import { startHarness, type Harness } from './test-support.js';

const HISTORIC_ORDERS = 2_000;
const FILLS_PER_ORDER = 100;
const HOUR = 3_600_000;

let h: Harness;
let venue: BinanceVenueClient;
const T0 = Date.now() - 30 * 24 * HOUR;

beforeAll(async () => {
  h = await startHarness();
  venue = await h.connectVenue();
  await syncInstruments(h.db.pool, venue.instruments.list(), Date.now());
}, 30_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

/**
 * 2 000 closed orders of strategy `hist`, buys and sells in turn (so the open FIFO lots stay few), 100
 * fills each: 200 000 fills in two statements.
 */
async function seedHistory(): Promise<void> {
  const t0 = new Date(T0);
  await h.db.pool.query(
    `INSERT INTO orders (client_order_id, venue, instrument, venue_order_id, strategy_id, strategy_version, side, style,
       qty, price, time_in_force, status, filled_qty, cumulative_quote_qty, avg_price, version, created_at, updated_at)
     SELECT 'hist-' || o, 'binance', 'BTC/USDT', (1000000 + o)::text, 'hist', '1.0.0',
            CASE WHEN o % 2 = 0 THEN 'SELL' ELSE 'BUY' END, 'limit', 0.1, 60000 + o % 50, 'GTC', 'filled', 0.1,
            (60000 + o % 50) * 0.1, 60000 + o % 50, 1, $1::timestamptz + o * interval '1 second',
            $1::timestamptz + o * interval '1 second'
       FROM generate_series(1, $2::int) AS o`,
    [t0, HISTORIC_ORDERS],
  );
  // Statistics first, as autovacuum would have them: the foreign-key check of each fill then probes
  // the orders index instead of scanning a table the planner believes empty.
  await h.db.pool.query('ANALYZE orders');
  await h.db.pool.query(
    `INSERT INTO fills (venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty,
       price, fee, fee_asset, liquidity, venue_time, recorded_at)
     SELECT 'binance', 'BTC/USDT', (o * 1000 + k)::text, 'hist-' || o, (1000000 + o)::text, 'hist',
            CASE WHEN o % 2 = 0 THEN 'SELL' ELSE 'BUY' END, 0.001, 60000 + o % 50, 0.06, 'USDT', 'maker',
            $1::timestamptz + o * interval '1 second' + k * interval '1 millisecond',
            $1::timestamptz + o * interval '1 second' + k * interval '1 millisecond'
       FROM generate_series(1, $2::int) AS o, generate_series(0, $3::int - 1) AS k`,
    [t0, HISTORIC_ORDERS, FILLS_PER_ORDER],
  );
}

/** The position of `hist` from every stored fill, the way it was always rebuilt before checkpoints. */
async function fullRebuild(): Promise<Position> {
  const fills = await listFills(h.db.pool, { strategyId: 'hist' });
  return positionFromFills(
    'hist',
    'BTC/USDT',
    fills.map((f) => ({
      fillId: f.venueFillId,
      strategyId: f.strategyId,
      instrument: f.instrument,
      side: f.side,
      qty: dec(f.qty),
      price: dec(f.price),
      fee: { asset: f.feeAsset, amount: dec(f.fee) },
      atMs: f.venueTime,
    })),
  );
}

describe('start-up with 200 000 historic fills', () => {
  it('reads the checkpoint and the fills after it only, and ends with the position of a full rebuild', async () => {
    await seedHistory();
    const count = await h.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM fills');
    expect(Number(count.rows[0]?.n)).toBe(HISTORIC_ORDERS * FILLS_PER_ORDER);
    // The checkpoint as the order manager writes it: the position row with the fills it covers.
    const atCheckpoint = await fullRebuild();
    await savePosition(h.db.pool, positionRecordOf(atCheckpoint, Date.now()), 0);
    const through = await saveFillCheckpoint(h.db.pool, 'binance', Date.now());

    // Three fills stored after the checkpoint, which the position row does not cover.
    const now = Date.now();
    await upsertOrder(
      h.db.pool,
      {
        clientOrderId: 'hist-late',
        venue: 'binance',
        instrument: 'BTC/USDT',
        venueOrderId: '2000001',
        strategyId: 'hist',
        strategyVersion: '1.0.0',
        side: 'BUY',
        style: 'limit',
        qty: '0.003',
        price: '61000',
        timeInForce: 'GTC',
        status: 'filled',
        filledQty: '0.003',
        cumulativeQuoteQty: '183',
        avgPrice: '61000',
        createdAt: now - HOUR,
        updatedAt: now - HOUR,
      },
      0,
    );
    for (const k of [1, 2, 3]) {
      await insertFill(h.db.pool, {
        venue: 'binance',
        instrument: 'BTC/USDT',
        venueFillId: String(900_000_000 + k),
        clientOrderId: 'hist-late',
        venueOrderId: '2000001',
        strategyId: 'hist',
        side: 'BUY',
        qty: '0.001',
        price: '61000',
        fee: '0.061',
        feeAsset: 'USDT',
        liquidity: 'taker',
        venueTime: now - HOUR + k,
        recordedAt: now,
      });
    }

    const first = await h.startService(venue);
    expect(first.restored).toEqual({
      openOrders: 0,
      fills: 3,
      fillsAfterCheckpoint: 3,
      checkpointSeq: through,
      positions: 1,
    });
    const rebuilt = await fullRebuild();
    expect(samePosition(first.tracker.positions.position('hist', 'BTC/USDT'), rebuilt)).toBe(true);
    expect(rebuilt.qty.eq(atCheckpoint.qty.plus(dec('0.003')))).toBe(true);
    // The start checkpointed what it applied: the row covers the late fills, the mark is past them.
    expect(await loadFillCheckpoint(h.db.pool, 'binance')).toBe(through + 3);
    const [stored] = await loadPositions(h.db.pool, { strategyId: 'hist' });
    expect(stored?.qty).toBe(rebuilt.qty.toString());
    await first.stop();

    const second = await h.startService(venue);
    expect(second.restored).toMatchObject({ fills: 0, fillsAfterCheckpoint: 0, checkpointSeq: through + 3 });
    expect(samePosition(second.tracker.positions.position('hist', 'BTC/USDT'), rebuilt)).toBe(true);
    await second.stop();
  }, 300_000);
});
