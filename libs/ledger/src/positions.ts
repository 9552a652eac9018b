// Position snapshots per (strategy, instrument), saved by the order manager with the fill that moved
// them. Open lots are kept so FIFO P&L continues exactly after a restart; the fills table remains
// the source a position can be rebuilt from.

import { DecimalString } from '@bourse/contracts';
import type { Queryable } from '@bourse/store';
import { z } from 'zod';
import { msOf, optionalMsOf, parsedRow, undefinedIfNull } from './values.js';

/** `positions.fees`: fees paid by asset code, as decimal strings (the writer checks against it too). */
export const PositionFees = z.record(
  z.string().regex(/^[A-Z0-9]{1,20}$/, { message: 'fee assets must be codes such as USDT' }),
  DecimalString,
);
/** `positions.lots`: the open FIFO lots, oldest first. */
export const PositionLots = z.array(z.object({ qty: DecimalString, price: DecimalString }).strict());

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
      fees: parsedRow('position fees', key, PositionFees, row.fees),
      lots: parsedRow('position lots', key, PositionLots, row.lots),
      fillCount: row.fill_count,
      lastFillAt: optionalMsOf(row.last_fill_at),
      version: row.version,
      updatedAt: msOf(row.updated_at),
    };
  });
}
