// Balances per (venue, asset): the venue's balances as of the last fill the order manager applied
// (seeded from a venue snapshot, then moved by each fill and each booked transfer).

import type { Queryable } from '@bourse/store';
import { msOf } from './values.js';

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

/** Every stored balance (of one venue when given), by venue then asset. */
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
