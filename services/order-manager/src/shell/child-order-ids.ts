import { createHash } from 'node:crypto';
import { ClientOrderId } from '@bourse/contracts';

// Client order ids for the orders a tactic places after its first child (replacements, the market
// fallback). Binance accepts only `^[a-zA-Z0-9-_]{1,36}$`, so the id is built from a digest of the
// parent's id (unique per parent, whatever characters the parent's id uses), this process's
// instance tag (two replicas never collide) and a counter: `c<tag><16 hex>-<n>`.

export class ChildOrderIds {
  private readonly counters = new Map<string, number>();

  constructor(private readonly instanceTag: string) {}

  next(parentClientOrderId: string): ClientOrderId {
    const n = (this.counters.get(parentClientOrderId) ?? 0) + 1;
    this.counters.set(parentClientOrderId, n);
    const digest = createHash('sha256').update(parentClientOrderId).digest('hex').slice(0, 16);
    return ClientOrderId.parse(`c${this.instanceTag}${digest}-${n}`);
  }

  /** Forgets a finished parent's counter (bounded memory). */
  forget(parentClientOrderId: string): void {
    this.counters.delete(parentClientOrderId);
  }
}
