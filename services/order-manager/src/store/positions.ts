// Position snapshots per (strategy, instrument), saved with the fill that moved them in one
// transaction, under an optimistic version check. Open lots are kept so FIFO P&L continues exactly
// after a restart; the fills table remains the source a position can be rebuilt from. The reads
// (and the fees and lots schemas) are @bourse/ledger's.

import { PositionFees, PositionLots, type PositionRecord } from '@bourse/ledger';
import { VersionConflictError, type Queryable } from '@bourse/store';
import { z } from 'zod';
import { checked, decimalParam, optionalDecimalParam, optionalTimeParam, timeParam } from './values.js';

/**
 * Inserts (expectedVersion 0) or updates (expectedVersion = the version read) a position; returns the
 * new version. Throws VersionConflictError when the stored row is elsewhere, writing nothing.
 */
export async function savePosition(db: Queryable, position: PositionRecord, expectedVersion: number): Promise<number> {
  const version = checked('expectedVersion', z.number().int().nonnegative(), expectedVersion);
  const values = [
    position.strategyId,
    position.instrument,
    decimalParam('qty', position.qty),
    optionalDecimalParam('avgEntryPrice', position.avgEntryPrice),
    decimalParam('realizedPnl', position.realizedPnl),
    JSON.stringify(checked('fees', PositionFees, position.fees)),
    JSON.stringify(checked('lots', PositionLots, position.lots)),
    checked('fillCount', z.number().int().nonnegative(), position.fillCount),
    optionalTimeParam('lastFillAt', position.lastFillAt),
    timeParam('updatedAt', position.updatedAt),
  ];
  const result =
    version === 0
      ? await db.query<{ version: number }>(
          `INSERT INTO positions (strategy_id, instrument, qty, avg_entry_price, realized_pnl, fees, lots, fill_count,
             last_fill_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
           ON CONFLICT (strategy_id, instrument) DO NOTHING
           RETURNING version`,
          values,
        )
      : await db.query<{ version: number }>(
          `UPDATE positions
              SET qty = $3, avg_entry_price = $4, realized_pnl = $5, fees = $6, lots = $7, fill_count = $8,
                  last_fill_at = $9, updated_at = $10, version = version + 1
            WHERE strategy_id = $1 AND instrument = $2 AND version = $11
            RETURNING version`,
          [...values, version],
        );
  const row = result.rows[0];
  if (row !== undefined) return row.version;
  const current = await db.query<{ version: number }>(
    'SELECT version FROM positions WHERE strategy_id = $1 AND instrument = $2',
    [position.strategyId, position.instrument],
  );
  throw new VersionConflictError(
    'positions',
    `${position.strategyId} ${position.instrument}`,
    version,
    current.rows[0]?.version,
  );
}
