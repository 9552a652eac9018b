// The checkpoint of an account's fills (migration 0005): `positions` and `balances` are saved in the
// transaction of the fills that moved them, and `fill_checkpoints.through_seq`, moved in that same
// transaction, says up to which stored fill they are complete. A start (and a reconciliation run)
// reads those rows plus `listFillsAfter(through_seq)` instead of every fill ever stored.

import type { Queryable } from '@bourse/store';

/** The store order (`fills.seq`) up to which the venue's positions and balances are complete; 0 before any. */
export async function loadFillCheckpoint(db: Queryable, venue: string): Promise<number> {
  const result = await db.query<{ through_seq: string }>(
    'SELECT through_seq::text AS through_seq FROM fill_checkpoints WHERE venue = $1',
    [venue],
  );
  return Number(result.rows[0]?.through_seq ?? '0');
}
