import type { OrderRequest } from '@bourse/contracts';
import type { Journal } from '@bourse/execution';

type OutboxEntry = Awaited<ReturnType<Journal['markOutbox']>>;

/**
 * The OMS outbox kept in memory: a backtest has nothing to recover after a crash, so the journal only
 * has to accept the same calls and moves the store would. The OMS core checks each move itself.
 */
export class MemoryJournal implements Journal {
  private readonly entries = new Map<string, OutboxEntry>();

  async commitOutbox(request: OrderRequest, at: number): Promise<boolean> {
    if (this.entries.has(request.clientOrderId)) return false;
    this.entries.set(request.clientOrderId, {
      clientOrderId: request.clientOrderId,
      request,
      state: 'pending',
      attempts: 0,
      lastError: undefined,
      createdAt: at,
      updatedAt: at,
    });
    return true;
  }

  async markOutbox(
    clientOrderId: string,
    state: OutboxEntry['state'],
    options: { at: number; error?: string },
  ): Promise<OutboxEntry> {
    const entry = this.entries.get(clientOrderId);
    if (entry === undefined) throw new Error(`outbox entry ${clientOrderId} was never journaled`);
    const next: OutboxEntry = {
      ...entry,
      state,
      attempts: state === 'submitting' ? entry.attempts + 1 : entry.attempts,
      lastError: options.error ?? entry.lastError,
      updatedAt: options.at,
    };
    // Entries that are done are dropped: a long backtest must not keep every order it ever sent.
    if (state === 'sent' || state === 'resolved' || state === 'failed') this.entries.delete(clientOrderId);
    else this.entries.set(clientOrderId, next);
    return next;
  }
}
