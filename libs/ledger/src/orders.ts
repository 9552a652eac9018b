// Orders, one row per client order id. The order manager writes them (services/order-manager's
// store, under an optimistic version check); everything here only reads.

import {
  TERMINAL_ORDER_STATUSES,
  type OrderStatus,
  type OrderStyle,
  type Side,
  type TimeInForce,
} from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { msOf, undefinedIfNull } from './values.js';

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly venue: string;
  /** Internal symbol, `BTC/USDT`; the instrument must be stored first (foreign key). */
  readonly instrument: string;
  readonly venueOrderId?: string | undefined;
  readonly strategyId: string;
  readonly strategyVersion: string;
  readonly side: Side;
  readonly style: OrderStyle;
  /** Base quantity; exactly one of qty and quoteQty. */
  readonly qty?: string | undefined;
  readonly quoteQty?: string | undefined;
  readonly price?: string | undefined;
  readonly stopPrice?: string | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly status: OrderStatus;
  readonly filledQty: string;
  readonly cumulativeQuoteQty: string;
  readonly avgPrice?: string | undefined;
  /** Reject or cancel reason, or why the OMS set the status. */
  readonly reason?: string | undefined;
  /**
   * The hash of the strategy code that decided the order (the request's `codeHash`, migration 0010);
   * absent for orders of a strategy not loaded through the loader and orders stored before the column.
   */
  readonly codeHash?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface StoredOrder extends OrderRecord {
  /** 1 after the insert, +1 per update. */
  readonly version: number;
}

// Side, style, time in force and status are CHECKed by the table against the contracts' values.
interface OrderRow {
  client_order_id: string;
  venue: string;
  instrument: string;
  venue_order_id: string | null;
  strategy_id: string;
  strategy_version: string;
  side: Side;
  style: OrderStyle;
  qty: string | null;
  quote_qty: string | null;
  price: string | null;
  stop_price: string | null;
  time_in_force: TimeInForce | null;
  status: OrderStatus;
  filled_qty: string;
  cumulative_quote_qty: string;
  avg_price: string | null;
  reason: string | null;
  code_hash: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

// Literals, not a parameter, so the planner can match the partial index `orders_open`.
const TERMINAL_SQL = TERMINAL_ORDER_STATUSES.map((status) => `'${status}'`).join(', ');

const COLUMNS = `client_order_id, venue, instrument, venue_order_id, strategy_id, strategy_version, side, style,
  qty, quote_qty, price, stop_price, time_in_force, status, filled_qty, cumulative_quote_qty, avg_price, reason,
  code_hash, version, created_at, updated_at`;

function toOrder(row: OrderRow): StoredOrder {
  return {
    clientOrderId: row.client_order_id,
    venue: row.venue,
    instrument: row.instrument,
    venueOrderId: undefinedIfNull(row.venue_order_id),
    strategyId: row.strategy_id,
    strategyVersion: row.strategy_version,
    side: row.side,
    style: row.style,
    qty: undefinedIfNull(row.qty),
    quoteQty: undefinedIfNull(row.quote_qty),
    price: undefinedIfNull(row.price),
    stopPrice: undefinedIfNull(row.stop_price),
    timeInForce: undefinedIfNull(row.time_in_force),
    status: row.status,
    filledQty: row.filled_qty,
    cumulativeQuoteQty: row.cumulative_quote_qty,
    avgPrice: undefinedIfNull(row.avg_price),
    reason: undefinedIfNull(row.reason),
    codeHash: undefinedIfNull(row.code_hash),
    version: row.version,
    createdAt: msOf(row.created_at),
    updatedAt: msOf(row.updated_at),
  };
}

export async function loadOrder(db: Queryable, clientOrderId: string): Promise<StoredOrder | undefined> {
  const result = await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE client_order_id = $1`, [clientOrderId]);
  const row = result.rows[0];
  return row === undefined ? undefined : toOrder(row);
}

/**
 * The code hash of each of these orders that has one (orders without one, or not stored, are left
 * out): a fill shows the code of its order.
 */
export async function loadCodeHashes(db: Queryable, clientOrderIds: readonly string[]): Promise<Map<string, string>> {
  if (clientOrderIds.length === 0) return new Map();
  const { rows } = await db.query<{ client_order_id: string; code_hash: string }>(
    `SELECT client_order_id, code_hash FROM orders WHERE client_order_id = ANY($1::text[]) AND code_hash IS NOT NULL`,
    [[...clientOrderIds]],
  );
  return new Map(rows.map((r) => [r.client_order_id, r.code_hash]));
}

export interface OpenOrderFilter {
  readonly strategyId?: string;
  readonly instrument?: string;
}

/**
 * Orders of any status changed at or after `since` (ms): the reconciler ties a venue trade it finds
 * missing to its order through these, including orders the venue's answer already closed.
 */
export async function listOrdersUpdatedSince(db: Queryable, since: number): Promise<StoredOrder[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE updated_at >= $1 ORDER BY created_at, client_order_id`,
    [new Date(since)],
  );
  return result.rows.map(toOrder);
}

/**
 * The orders of these client order ids (any status), oldest first; ids not stored are left out. The
 * risk gate reads the current status of every order it holds fills for, so a closed one is not
 * counted as open after a restart.
 */
export async function loadOrders(db: Queryable, clientOrderIds: readonly string[]): Promise<StoredOrder[]> {
  if (clientOrderIds.length === 0) return [];
  const result = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE client_order_id = ANY($1::text[]) ORDER BY created_at, client_order_id`,
    [[...clientOrderIds]],
  );
  return result.rows.map(toOrder);
}

/**
 * Orders whose filled quantity is above the fills stored for them (`booked_qty`, kept by a trigger
 * on `fills`): they lost fills somewhere. Oldest first; read through a partial index, so the order
 * history is not scanned.
 */
export async function listUnbookedOrders(db: Queryable, venue: string): Promise<StoredOrder[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE venue = $1 AND filled_qty > booked_qty ORDER BY created_at, client_order_id`,
    [venue],
  );
  return result.rows.map(toOrder);
}

/**
 * When Bourse placed its first order per instrument of a venue: the platform's start on that
 * account, before which no trade can be ours. One index probe per instrument.
 */
export async function firstOrderTimes(db: Queryable, venue: string): Promise<Record<string, number>> {
  const result = await db.query<{ instrument: string; first: Date | null }>(
    `SELECT i.symbol AS instrument,
            (SELECT min(o.created_at) FROM orders o WHERE o.venue = $1 AND o.instrument = i.symbol) AS first
       FROM instruments i WHERE i.venue = $1`,
    [venue],
  );
  const out: Record<string, number> = {};
  for (const row of result.rows) if (row.first !== null) out[row.instrument] = msOf(row.first);
  return out;
}

/** Orders not yet filled, canceled, rejected or expired (`unknown` included), oldest first. */
export async function listOpenOrders(db: Queryable, filter: OpenOrderFilter = {}): Promise<StoredOrder[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders
      WHERE status NOT IN (${TERMINAL_SQL})
        AND ($1::text IS NULL OR strategy_id = $1)
        AND ($2::text IS NULL OR instrument = $2)
      ORDER BY created_at, client_order_id`,
    [filter.strategyId ?? null, filter.instrument ?? null],
  );
  return result.rows.map(toOrder);
}

/** The newest `limit` orders of any status (by creation, then client order id), returned oldest first. */
export async function listNewestOrders(db: Queryable, limit: number): Promise<StoredOrder[]> {
  const result = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders ORDER BY created_at DESC, client_order_id DESC LIMIT $1`,
    [limit],
  );
  return result.rows.reverse().map(toOrder);
}

/** When each strategy last ordered (its newest order's creation time), by strategy id. */
export async function lastOrderTimes(db: Queryable): Promise<Map<string, number>> {
  const result = await db.query<{ strategy_id: string; last: Date }>(
    'SELECT strategy_id, max(created_at) AS last FROM orders GROUP BY strategy_id',
  );
  return new Map(result.rows.map((r) => [r.strategy_id, msOf(r.last)]));
}
