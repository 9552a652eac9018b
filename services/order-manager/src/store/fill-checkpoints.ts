// The checkpoint of an account's fills (migration 0005): `positions` and `balances` are saved in the
// transaction of the fills that moved them, and `fill_checkpoints.through_seq`, moved in that same
// transaction, says up to which stored fill they are complete. A start (and a reconciliation run)
// reads those rows plus `listFillsAfter(through_seq)` instead of every fill ever stored; those reads
// (`loadFillCheckpoint`) are @bourse/ledger's.

import type { Queryable } from '@bourse/store';
import { timeParam } from './values.js';

/**
 * Moves the checkpoint to the venue's newest stored fill. Call in the transaction that saved the
 * positions and balances of every fill up to it (the order manager is the one writer of fills, so
 * that is every fill the transaction can see). Never moves back. Returns the new `through_seq`.
 */
export async function saveFillCheckpoint(db: Queryable, venue: string, at: number): Promise<number> {
  const result = await db.query<{ through_seq: string }>(
    `INSERT INTO fill_checkpoints (venue, through_seq, updated_at)
       VALUES ($1, (SELECT COALESCE(max(seq), 0) FROM fills WHERE venue = $1), $2)
     ON CONFLICT (venue) DO UPDATE
       SET through_seq = GREATEST(fill_checkpoints.through_seq, EXCLUDED.through_seq), updated_at = EXCLUDED.updated_at
     RETURNING through_seq::text AS through_seq`,
    [venue, timeParam('at', at)],
  );
  return Number(result.rows[0]?.through_seq ?? '0');
}
