// Orders, one row per client order id, written with an optimistic version check: the writer names
// the version it read, and a write based on a stale read fails with VersionConflictError instead of
// overwriting a newer status. The OMS is the only writer (DESIGN principle 5); the check catches the
// cases where it would not be (two instances during a rollout, a retried handler). The reads are
// @bourse/ledger's.

import { CodeHash, OrderStatus, OrderStyle, Side, TimeInForce } from '@bourse/contracts';
import type { OrderRecord } from '@bourse/ledger';
import { VersionConflictError, type Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { z } from 'zod';
import { checked, decimalParam, optionalDecimalParam, timeParam } from './values.js';

/** The 21 column values from client_order_id to code_hash, in the INSERT's order (version apart). */
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
    order.codeHash === undefined ? null : checked('codeHash', CodeHash, order.codeHash),
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
             avg_price, reason, created_at, updated_at, code_hash, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)
           ON CONFLICT (client_order_id) DO NOTHING
           RETURNING version`,
          values,
        )
      : await db.query<{ version: number }>(
          // The order's identity (venue, instrument, strategy, side, style, created_at) never changes, nor
          // does the code that decided it (written by the insert only, so its value is not passed here).
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
          [...values.slice(0, 20), version],
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
