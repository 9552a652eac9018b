// Deposits, withdrawals and transfers (the venue's `balanceUpdate`): booked once each, in the same
// transaction as the balance they move, so a replayed event or a crash between the two never books
// a transfer twice or loses one. Their net per asset (`bookedTransferTotals`) is @bourse/ledger's.

import { dec } from '@bourse/domain';
import { withTransaction } from '@bourse/store';
import type pg from 'pg';
import { lockBalance, saveBalance } from './balances.js';
import { decimalParam, invalid, timeParam } from './values.js';

export interface BalanceTransfer {
  readonly venue: string;
  readonly asset: string;
  /** Signed decimal string: positive in, negative out. */
  readonly delta: string;
  /** The venue's clear time, epoch ms. */
  readonly venueTime: number;
}

/**
 * `booked`: the balance moved by `delta` (`free` is the new free amount). `duplicate`: this event was
 * booked before; nothing changed. `refused`: the stored free balance cannot pay the withdrawal, so
 * our view is already wrong; nothing is written and the reconciler reports the difference.
 */
export type TransferOutcome =
  | { readonly kind: 'booked'; readonly free: string }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'refused'; readonly free: string };

class RefusedTransfer extends Error {
  constructor(readonly free: string) {
    super('withdrawal exceeds the stored free balance');
  }
}

/** Books a venue balance transfer and moves the stored free balance by it, once. */
export async function bookBalanceTransfer(
  pool: pg.Pool,
  transfer: BalanceTransfer,
  bookedAt: number,
): Promise<TransferOutcome> {
  const delta = decimalParam('delta', transfer.delta);
  if (dec(delta).isZero()) throw invalid('delta', transfer.delta, 'must not be zero');
  const venueTime = timeParam('venueTime', transfer.venueTime);
  try {
    return await withTransaction(pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO balance_transfers (venue, asset, venue_time, delta, booked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [transfer.venue, transfer.asset, venueTime, delta, timeParam('bookedAt', bookedAt)],
      );
      if (inserted.rowCount !== 1) return { kind: 'duplicate' } as const;
      const stored = await lockBalance(client, transfer.venue, transfer.asset);
      const free = dec(stored?.free ?? '0').plus(dec(delta));
      // Throwing rolls the transfer row back with it: a refused transfer is not booked.
      if (free.isNegative()) throw new RefusedTransfer(stored?.free ?? '0');
      await saveBalance(client, {
        venue: transfer.venue,
        asset: transfer.asset,
        free: free.toString(),
        locked: stored?.locked ?? '0',
        updatedAt: Math.max(stored?.updatedAt ?? 0, transfer.venueTime),
      });
      return { kind: 'booked', free: free.toString() } as const;
    });
  } catch (err) {
    if (err instanceof RefusedTransfer) return { kind: 'refused', free: err.free };
    throw err;
  }
}
