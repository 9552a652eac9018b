import { createHash } from 'node:crypto';
import { ClientOrderId } from '@bourse/contracts';

// Client order ids for the orders a tactic places after its first child (replacements, the market
// fallback). Binance accepts only `^[a-zA-Z0-9-_]{1,36}$`, so the id is built from a digest of the
// parent's id (unique per parent, whatever characters the parent's id uses), this process's
// instance tag (two replicas never collide) and the chase's counter: `c<tag><16 hex>-<n>`.
// The counter belongs to the chase and is stored with it (tactics.next_child_seq) before each child
// is journaled, so a resumed chase continues it: even when a restarted process draws the same tag,
// it never makes an id the venue has seen.

export class ChildOrderIds {
  constructor(private readonly instanceTag: string) {}

  /** The id of the `seq`th replacement or fallback order of a parent (seq 1, 2, …). */
  of(parentClientOrderId: string, seq: number): ClientOrderId {
    const digest = createHash('sha256').update(parentClientOrderId).digest('hex').slice(0, 16);
    return ClientOrderId.parse(`c${this.instanceTag}${digest}-${seq}`);
  }
}
