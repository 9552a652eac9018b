import type { OrderRequest } from '@bourse/contracts';
import type { OutboxEntry, OutboxState } from './outbox.js';

// The ports the core's few async orchestrators take. The shell implements them (Postgres for the
// journal, the system clock); tests use the real store and a clock they move by hand.

/** The one time source, declared in @bourse/domain. */
export type { Clock } from '@bourse/domain';

/**
 * The outbox, durable. Each call commits before it returns: the venue is called only after the
 * entry it depends on is on disk. The store's `insertOutbox` / `markOutbox` do exactly this.
 */
export interface Journal {
  /** Journals `request` as `pending`; false when its client order id is already journaled (a redelivery). */
  commitOutbox(request: OrderRequest, at: number): Promise<boolean>;
  /** Moves the entry to `state` (the store refuses a move the outbox table does not have); returns it as stored. */
  markOutbox(clientOrderId: string, state: OutboxState, options: { at: number; error?: string }): Promise<OutboxEntry>;
}
