// Fills, keyed by (venue, instrument, venue fill id): the key that makes a fill seen twice (user-data
// stream and reconciler, or a redelivered message) land once. insertFill and savePosition take the
// same client so the OMS commits a fill and the position it moved together. The reads are
// @bourse/ledger's.

import { Liquidity, Side } from '@bourse/contracts';
import type { FillRecord } from '@bourse/ledger';
import type { Queryable } from '@bourse/store';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';
import { checked, decimalParam, timeParam } from './values.js';

const COLUMNS = `venue, instrument, venue_fill_id, client_order_id, venue_order_id, strategy_id, side, qty, price,
  fee, fee_asset, liquidity, venue_time, recorded_at`;

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
