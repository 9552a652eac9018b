// Fills, keyed by (venue, instrument, venue fill id): the key that makes a fill seen twice (user-data
// stream and reconciler, or a redelivered message) land once. insertFill and savePosition take the
// same client so the OMS commits a fill and the position it moved together.

import { Liquidity, Side } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { checked, decimalParam, msOf, timeParam, undefinedIfNull } from './values.js';

export interface FillRecord {
  readonly venue: string;
  readonly instrument: string;
  readonly venueFillId: string;
  /** The order must be stored first and agree on venue, instrument, strategy and side (foreign key). */
  readonly clientOrderId: string;
  readonly venueOrderId?: string | undefined;
  readonly strategyId: string;
  readonly side: Side;
  readonly qty: string;
  readonly price: string;
  /** Negative for a rebate. */
  readonly fee: string;
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  readonly venueTime: number;
  readonly recordedAt: number;
  /** Store order (set by the store on insert; present on rows read back): what a checkpoint counts up to. */
  readonly seq?: number | undefined;
}

interface FillRow {
  venue: string;
  instrument: string;
  venue_fill_id: string;
  client_order_id: string;
  venue_order_id: string | null;
  strategy_id: string;
  side: Side;
  qty: string;
  price: string;
  fee: string;
  fee_asset: string;
  liquidity: Liquidity;
  venue_time: Date;
  recorded_at: Date;
  seq: string;
}

const COLUMNS = `venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty, price,
  fee, fee_asset, liquidity, venue_time, recorded_at`;
const READ_COLUMNS = `${COLUMNS}, seq::text AS seq`;

/**
 * Stores a fill; returns false (and writes nothing) when this venue fill id is already stored with
 * the same contents. A stored fill with the same id but another order, side, quantity, price or fee
 * throws FILL_CONFLICT: the venue contradicts itself and a human must look.
 */
export async function insertFill(db: Queryable, fill: FillRecord): Promise<boolean> {
  const values = [
    fill.venue,
    fill.instrument,
    fill.venueFillId,
    fill.clientOrderId,
    fill.venueOrderId ?? null,
    fill.strategyId,
    checked('side', Side, fill.side),
    decimalParam('qty', fill.qty),
    decimalParam('price', fill.price),
    decimalParam('fee', fill.fee),
    fill.feeAsset,
    checked('liquidity', Liquidity, fill.liquidity),
    timeParam('venueTime', fill.venueTime),
    timeParam('recordedAt', fill.recordedAt),
  ];
  const inserted = await db.query(
    `INSERT INTO fills (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (venue, instrument, venue_fill_id) DO NOTHING`,
    values,
  );
  if (inserted.rowCount === 1) return true;
  // Numeric comparison, so "1.50" and "1.5" are the same quantity.
  const same = await db.query<{ same: boolean }>(
    `SELECT (client_order_id = $4 AND side = $5 AND qty = $6::numeric AND price = $7::numeric
             AND fee = $8::numeric AND fee_asset = $9) AS same
       FROM fills WHERE venue = $1 AND instrument = $2 AND venue_fill_id = $3`,
    [
      fill.venue,
      fill.instrument,
      fill.venueFillId,
      fill.clientOrderId,
      fill.side,
      fill.qty,
      fill.price,
      fill.fee,
      fill.feeAsset,
    ],
  );
  if (same.rows[0]?.same === true) return false;
  throw new OrderStoreError(
    OrderStoreErrorCode.FILL_CONFLICT,
    `fill ${fill.venue} ${fill.instrument} ${fill.venueFillId} is already stored with different contents`,
    { venue: fill.venue, instrument: fill.instrument, venueFillId: fill.venueFillId },
  );
}

export interface FillFilter {
  readonly clientOrderId?: string;
  readonly strategyId?: string;
  readonly instrument?: string;
}

/** Stored fills in venue time order (ties by fill id), e.g. to rebuild a position from them. */
export async function listFills(db: Queryable, filter: FillFilter = {}): Promise<FillRecord[]> {
  const result = await db.query<FillRow>(
    `SELECT ${READ_COLUMNS} FROM fills
      WHERE ($1::text IS NULL OR client_order_id = $1)
        AND ($2::text IS NULL OR strategy_id = $2)
        AND ($3::text IS NULL OR instrument = $3)
      ORDER BY venue_time, venue, instrument, venue_fill_id`,
    [filter.clientOrderId ?? null, filter.strategyId ?? null, filter.instrument ?? null],
  );
  return result.rows.map(fromRow);
}

/** The fills of these orders (e.g. the open ones at a start), in venue time order. */
export async function listFillsOfOrders(db: Queryable, clientOrderIds: readonly string[]): Promise<FillRecord[]> {
  if (clientOrderIds.length === 0) return [];
  const result = await db.query<FillRow>(
    `SELECT ${READ_COLUMNS} FROM fills WHERE client_order_id = ANY($1::text[])
      ORDER BY venue_time, venue, instrument, venue_fill_id`,
    [clientOrderIds],
  );
  return result.rows.map(fromRow);
}

/** Fills of a venue stored after `seq` (a checkpoint's `throughSeq`), in store order. */
export async function listFillsAfter(db: Queryable, venue: string, seq: number): Promise<FillRecord[]> {
  const result = await db.query<FillRow>(
    `SELECT ${READ_COLUMNS} FROM fills WHERE seq > $2 AND venue = $1 ORDER BY seq`,
    [venue, seq],
  );
  return result.rows.map(fromRow);
}

/** Fills of a venue's instrument executed at or after `since` (ms), in venue time order. */
export async function listFillsSince(
  db: Queryable,
  venue: string,
  instrument: string,
  since: number,
): Promise<FillRecord[]> {
  const result = await db.query<FillRow>(
    `SELECT ${READ_COLUMNS} FROM fills WHERE instrument = $2 AND venue_time >= $3 AND venue = $1
      ORDER BY venue_time, venue_fill_id`,
    [venue, instrument, timeParam('since', since)],
  );
  return result.rows.map(fromRow);
}

/** Which of these venue fill ids of an instrument are stored already. */
export async function storedFillIds(
  db: Queryable,
  venue: string,
  instrument: string,
  venueFillIds: readonly string[],
): Promise<Set<string>> {
  if (venueFillIds.length === 0) return new Set();
  const result = await db.query<{ id: string }>(
    `SELECT venue_fill_id AS id FROM fills WHERE venue = $1 AND instrument = $2 AND venue_fill_id = ANY($3::text[])`,
    [venue, instrument, venueFillIds],
  );
  return new Set(result.rows.map((r) => r.id));
}

function fromRow(row: FillRow): FillRecord {
  return {
    venue: row.venue,
    instrument: row.instrument,
    venueFillId: row.venue_fill_id,
    clientOrderId: row.client_order_id,
    venueOrderId: undefinedIfNull(row.venue_order_id),
    strategyId: row.strategy_id,
    side: row.side,
    qty: row.qty,
    price: row.price,
    fee: row.fee,
    feeAsset: row.fee_asset,
    liquidity: row.liquidity,
    venueTime: msOf(row.venue_time),
    recordedAt: msOf(row.recorded_at),
    seq: Number(row.seq),
  };
}
