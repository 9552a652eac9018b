// Balances as the venue last reported them, per (venue, asset). Snapshots can arrive out of order
// (a REST poll answered after a newer user-data event), so an older one never overwrites a newer one.

import type { Queryable } from '@bourse/store';
import { decimalParam, msOf, timeParam } from './values.js';

export interface BalanceRecord {
  readonly venue: string;
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
  /** When the venue reported it (or our clock when it gives no time), epoch ms. */
  readonly updatedAt: number;
}

interface BalanceRow {
  venue: string;
  asset: string;
  free: string;
  locked: string;
  updated_at: Date;
}

/** Stores the balance; returns false (writing nothing) when the stored one is newer. */
export async function upsertBalance(db: Queryable, balance: BalanceRecord): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO balances (venue, asset, free, locked, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (venue, asset) DO UPDATE
       SET free = EXCLUDED.free, locked = EXCLUDED.locked, updated_at = EXCLUDED.updated_at
       WHERE balances.updated_at <= EXCLUDED.updated_at`,
    [
      balance.venue,
      balance.asset,
      decimalParam('free', balance.free),
      decimalParam('locked', balance.locked),
      timeParam('updatedAt', balance.updatedAt),
    ],
  );
  return result.rowCount === 1;
}

export async function loadBalances(db: Queryable, venue?: string): Promise<BalanceRecord[]> {
  const result = await db.query<BalanceRow>(
    `SELECT venue, asset, free, locked, updated_at FROM balances
      WHERE ($1::text IS NULL OR venue = $1) ORDER BY venue, asset`,
    [venue ?? null],
  );
  return result.rows.map((row) => ({
    venue: row.venue,
    asset: row.asset,
    free: row.free,
    locked: row.locked,
    updatedAt: msOf(row.updated_at),
  }));
}
