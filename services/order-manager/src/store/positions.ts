// Position snapshots per (strategy, instrument), saved with the fill that moved them in one
// transaction, under an optimistic version check. Open lots are kept so FIFO P&L continues exactly
// after a restart; the fills table remains the source a position can be rebuilt from.

import { DecimalString } from '@bourse/contracts';
import { VersionConflictError, type Queryable } from '@bourse/store';
import { z } from 'zod';
import {
  checked,
  decimalParam,
  msOf,
  optionalDecimalParam,
  optionalMsOf,
  optionalTimeParam,
  parsedRow,
  timeParam,
  undefinedIfNull,
} from './values.js';

const Fees = z.record(
  z.string().regex(/^[A-Z0-9]{1,20}$/, { message: 'fee assets must be codes such as USDT' }),
  DecimalString,
);
const Lots = z.array(z.object({ qty: DecimalString, price: DecimalString }).strict());

export interface PositionLot {
  readonly qty: string;
  readonly price: string;
}

export interface PositionRecord {
  readonly strategyId: string;
  readonly instrument: string;
  /** Signed: above zero long, below zero short. */
  readonly qty: string;
  /** Absent when flat. */
  readonly avgEntryPrice?: string | undefined;
  /** In the quote asset, before fees. */
  readonly realizedPnl: string;
  /** Fees paid by asset, as decimal strings. */
  readonly fees: Readonly<Record<string, string>>;
  /** Open FIFO lots, oldest first. */
  readonly lots: readonly PositionLot[];
  readonly fillCount: number;
  readonly lastFillAt?: number | undefined;
  readonly updatedAt: number;
}

export interface StoredPosition extends PositionRecord {
  readonly version: number;
}

interface PositionRow {
  strategy_id: string;
  instrument: string;
  qty: string;
  avg_entry_price: string | null;
  realized_pnl: string;
  fees: unknown;
  lots: unknown;
  fill_count: number;
  last_fill_at: Date | null;
  version: number;
  updated_at: Date;
}

const COLUMNS = `strategy_id, instrument, qty, avg_entry_price, realized_pnl, fees, lots, fill_count, last_fill_at,
  version, updated_at`;

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
    JSON.stringify(checked('fees', Fees, position.fees)),
    JSON.stringify(checked('lots', Lots, position.lots)),
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

export interface PositionFilter {
  readonly strategyId?: string;
}

/** Stored positions (flat ones included), by strategy then instrument. */
export async function loadPositions(db: Queryable, filter: PositionFilter = {}): Promise<StoredPosition[]> {
  const result = await db.query<PositionRow>(
    `SELECT ${COLUMNS} FROM positions WHERE ($1::text IS NULL OR strategy_id = $1) ORDER BY strategy_id, instrument`,
    [filter.strategyId ?? null],
  );
  return result.rows.map((row) => {
    const key = `${row.strategy_id} ${row.instrument}`;
    return {
      strategyId: row.strategy_id,
      instrument: row.instrument,
      qty: row.qty,
      avgEntryPrice: undefinedIfNull(row.avg_entry_price),
      realizedPnl: row.realized_pnl,
      fees: parsedRow('position fees', key, Fees, row.fees),
      lots: parsedRow('position lots', key, Lots, row.lots),
      fillCount: row.fill_count,
      lastFillAt: optionalMsOf(row.last_fill_at),
      version: row.version,
      updatedAt: msOf(row.updated_at),
    };
  });
}
