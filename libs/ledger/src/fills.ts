// Fills, keyed by (venue, instrument, venue fill id). The order manager stores them (a fill seen twice
// lands once); everything here only reads, through indexes, never the whole history unasked.

import type { Liquidity, Side } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { msOf, timeParam, undefinedIfNull } from './values.js';

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

// Side and liquidity are CHECKed by the table against the contracts' values.
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

const READ_COLUMNS = `venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty, price,
  fee, fee_asset, liquidity, venue_time, recorded_at, seq::text AS seq`;

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

/** The newest `limit` fills (by venue time, then fill id), returned oldest first. */
export async function listNewestFills(db: Queryable, limit: number): Promise<FillRecord[]> {
  const result = await db.query<FillRow>(
    `SELECT ${READ_COLUMNS} FROM fills ORDER BY venue_time DESC, venue_fill_id DESC LIMIT $1`,
    [limit],
  );
  return result.rows.reverse().map(fromRow);
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
