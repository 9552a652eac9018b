// Our side of a run, read from the order manager's tables (read only: the OMS is their one writer).

import type { Queryable } from '@bourse/store';
import { listFills, listOpenOrders, loadBalances, type FillRecord, type StoredOrder } from '@bourse/order-manager';
import type { OurBalance } from '../core/types.js';

export interface OurSide {
  /** Clock reading taken before the first read. */
  readonly loadedAt: number;
  readonly openOrders: readonly StoredOrder[];
  /** Every stored fill of the venue (positions are derived from them). */
  readonly fills: readonly FillRecord[];
  readonly balances: readonly OurBalance[];
}

export interface OurSideSource {
  load(venue: string, now: number): Promise<OurSide>;
}

export class OmsOurSide implements OurSideSource {
  constructor(private readonly db: Queryable) {}

  async load(venue: string, now: number): Promise<OurSide> {
    const [open, fills, balances] = await Promise.all([
      listOpenOrders(this.db),
      listFills(this.db),
      loadBalances(this.db, venue),
    ]);
    return {
      loadedAt: now,
      openOrders: open.filter((o) => o.venue === venue),
      fills: fills.filter((f) => f.venue === venue),
      balances: balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
    };
  }
}
