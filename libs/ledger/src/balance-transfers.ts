// Deposits, withdrawals and transfers the order manager booked (one row per venue event, in the
// transaction that moved the balance): the reconciler compares their net with the venue's.

import { dec } from '@bourse/domain';
import type { Queryable } from '@bourse/store';

/** Net booked transfers per asset of a venue (deposits − withdrawals), as signed decimal strings. */
export async function bookedTransferTotals(db: Queryable, venue: string): Promise<Record<string, string>> {
  const result = await db.query<{ asset: string; total: string }>(
    `SELECT asset, sum(delta)::text AS total FROM balance_transfers WHERE venue = $1 GROUP BY asset ORDER BY asset`,
    [venue],
  );
  return Object.fromEntries(result.rows.map((row) => [row.asset, dec(row.total).toString()]));
}
