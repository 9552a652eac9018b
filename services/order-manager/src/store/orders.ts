// Orders, one row per client order id, written with an optimistic version check: the writer names
// the version it read, and a write based on a stale read fails with VersionConflictError instead of
// overwriting a newer status. The OMS is the only writer (DESIGN principle 5); the check catches the
// cases where it would not be (two instances during a rollout, a retried handler).

import { OrderStatus, OrderStyle, Side, TimeInForce, TERMINAL_ORDER_STATUSES } from '@bourse/contracts';
import { VersionConflictError, type Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { z } from 'zod';
import { checked, decimalParam, msOf, optionalDecimalParam, timeParam, undefinedIfNull } from './values.js';

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
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface StoredOrder extends OrderRecord {
  /** 1 after the insert, +1 per update. */
  readonly version: number;
}

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
  version: number;
  created_at: Date;
  updated_at: Date;
}

// Literals, not a parameter, so the planner can match the partial index `orders_open`.
const TERMINAL_SQL = TERMINAL_ORDER_STATUSES.map((status) => `'${status}'`).join(', ');

const COLUMNS = `client_order_id, venue, instrument, venue_order_id, strategy_id, strategy_version, side, style,
  qty, quote_qty, price, stop_price, time_in_force, status, filled_qty, cumulative_quote_qty, avg_price, reason,
  version, created_at, updated_at`;

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
    version: row.version,
    createdAt: msOf(row.created_at),
    updatedAt: msOf(row.updated_at),
  };
}

/** The 20 column values after client_order_id, in COLUMNS order (version and times handled apart). */
function params(order: OrderRecord): unknown[] {
  return [
    order.clientOrderId,
    order.venue,
    order.instrument,
    order.venueOrderId ?? null,
    order.strategyId,
    order.strategyVersion,
    checked('side', Side, order.side),
    checked('style', OrderStyle, order.style),
    optionalDecimalParam('qty', order.qty),
    optionalDecimalParam('quoteQty', order.quoteQty),
    optionalDecimalParam('price', order.price),
    optionalDecimalParam('stopPrice', order.stopPrice),
    order.timeInForce === undefined ? null : checked('timeInForce', TimeInForce, order.timeInForce),
    checked('status', OrderStatus, order.status),
    decimalParam('filledQty', order.filledQty),
    decimalParam('cumulativeQuoteQty', order.cumulativeQuoteQty),
    optionalDecimalParam('avgPrice', order.avgPrice),
    order.reason ?? null,
    timeParam('createdAt', order.createdAt),
    timeParam('updatedAt', order.updatedAt),
  ];
}

async function currentVersion(db: Queryable, clientOrderId: string): Promise<number | undefined> {
  const result = await db.query<{ version: number }>('SELECT version FROM orders WHERE client_order_id = $1', [
    clientOrderId,
  ]);
  return result.rows[0]?.version;
}

/**
 * Inserts the order (expectedVersion 0) or updates it (expectedVersion = the version read). Returns the
 * new version. Throws VersionConflictError when the row is not at expectedVersion (or already exists,
 * for an insert); nothing is written then.
 */
export async function upsertOrder(db: Queryable, order: OrderRecord, expectedVersion: number): Promise<number> {
  const version = checked('expectedVersion', z.number().int().nonnegative(), expectedVersion);
  const values = params(order);
  const result =
    version === 0
      ? await db.query<{ version: number }>(
          `INSERT INTO orders (client_order_id, venue, instrument, venue_order_id, strategy_id, strategy_version, side,
             style, qty, quote_qty, price, stop_price, time_in_force, status, filled_qty, cumulative_quote_qty,
             avg_price, reason, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1)
           ON CONFLICT (client_order_id) DO NOTHING
           RETURNING version`,
          values,
        )
      : await db.query<{ version: number }>(
          // The order's identity (venue, instrument, strategy, side, style, created_at) never changes.
          `UPDATE orders
              SET venue_order_id = COALESCE($4, venue_order_id),
                  qty = $9, quote_qty = $10, price = $11, stop_price = $12, time_in_force = $13,
                  status = $14, filled_qty = $15, cumulative_quote_qty = $16, avg_price = $17, reason = $18,
                  updated_at = GREATEST(updated_at, $20),
                  version = version + 1
            WHERE client_order_id = $1 AND version = $21
              AND venue = $2 AND instrument = $3 AND strategy_id = $5 AND strategy_version = $6
              AND side = $7 AND style = $8 AND created_at = $19
            RETURNING version`,
          [...values, version],
        );
  const row = result.rows[0];
  if (row !== undefined) return row.version;
  const actual = await currentVersion(db, order.clientOrderId);
  if (version !== 0 && actual === version) {
    // The version matched, so an identity column differed: a caller bug, not a race.
    throw new OrderStoreError(
      OrderStoreErrorCode.INVALID_VALUE,
      `order ${order.clientOrderId}: venue, instrument, strategy, strategy version, side, style and createdAt cannot change`,
      order.clientOrderId,
    );
  }
  throw new VersionConflictError('orders', order.clientOrderId, version, actual);
}

export async function loadOrder(db: Queryable, clientOrderId: string): Promise<StoredOrder | undefined> {
  const result = await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE client_order_id = $1`, [clientOrderId]);
  const row = result.rows[0];
  return row === undefined ? undefined : toOrder(row);
}

export interface OpenOrderFilter {
  readonly strategyId?: string;
  readonly instrument?: string;
}

/** Orders not yet filled, canceled, rejected or expired (`unknown` included), oldest first. */
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
