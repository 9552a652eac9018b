// Balances per (venue, asset): the venue's balances as of the last fill the OMS applied. Seeded from
// a venue snapshot (`upsertBalance`: an older snapshot never overwrites a newer one), then moved by
// each applied fill in the fill's own transaction (`lockBalance` + `saveBalance`). `loadBalances` is
// @bourse/ledger's.

import type { BalanceRecord } from '@bourse/ledger';
import type { Queryable } from '@bourse/store';
import { decimalParam, msOf, timeParam } from './values.js';

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

/** The stored balance, locked for update until the transaction ends (undefined when none is stored). */
export async function lockBalance(db: Queryable, venue: string, asset: string): Promise<BalanceRecord | undefined> {
  const result = await db.query<BalanceRow>(
    `SELECT venue, asset, free, locked, updated_at FROM balances WHERE venue = $1 AND asset = $2 FOR UPDATE`,
    [venue, asset],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return { venue: row.venue, asset: row.asset, free: row.free, locked: row.locked, updatedAt: msOf(row.updated_at) };
}

/**
 * Writes a balance the OMS computed (a fill applied to the one `lockBalance` read), whatever its
 * time: the move is already ordered by the row lock. `updated_at` never goes back.
 */
export async function saveBalance(db: Queryable, balance: BalanceRecord): Promise<void> {
  await db.query(
    `INSERT INTO balances (venue, asset, free, locked, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (venue, asset) DO UPDATE
       SET free = EXCLUDED.free, locked = EXCLUDED.locked,
           updated_at = GREATEST(balances.updated_at, EXCLUDED.updated_at)`,
    [
      balance.venue,
      balance.asset,
      decimalParam('free', balance.free),
      decimalParam('locked', balance.locked),
      timeParam('updatedAt', balance.updatedAt),
    ],
  );
}
