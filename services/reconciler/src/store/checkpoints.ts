// Trade checkpoints: per (venue, instrument), the last venue trade a completed run examined.

import type { Queryable } from '@bourse/store';
import type { Checkpoint } from '@bourse/reconciliation';

interface CheckpointRow {
  instrument: string;
  last_trade_id: string;
  last_trade_time: Date;
}

/** The checkpoint of every instrument of the venue reconciled so far. */
export async function loadCheckpoint(db: Queryable, venue: string): Promise<Checkpoint> {
  const result = await db.query<CheckpointRow>(
    'SELECT instrument, last_trade_id, last_trade_time FROM trade_checkpoints WHERE venue = $1',
    [venue],
  );
  return Object.fromEntries(
    result.rows.map((r) => [
      r.instrument,
      { lastTradeId: r.last_trade_id, lastTradeTime: r.last_trade_time.getTime() },
    ]),
  );
}

/**
 * Stores the instruments of `next` that moved past `previous` (run `runId` advanced them). Call in
 * the transaction that stores the run, after the run's effects were carried out.
 */
export async function saveCheckpoint(
  db: Queryable,
  venue: string,
  runId: string,
  previous: Checkpoint,
  next: Checkpoint,
  at: number,
): Promise<number> {
  let saved = 0;
  for (const [instrument, mark] of Object.entries(next)) {
    const before = previous[instrument];
    if (before && before.lastTradeId === mark.lastTradeId) continue;
    await db.query(
      `INSERT INTO trade_checkpoints (venue, instrument, last_trade_id, last_trade_time, run_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (venue, instrument) DO UPDATE
         SET last_trade_id = EXCLUDED.last_trade_id, last_trade_time = EXCLUDED.last_trade_time,
             run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`,
      [venue, instrument, mark.lastTradeId, new Date(mark.lastTradeTime), runId, new Date(at)],
    );
    saved++;
  }
  return saved;
}
