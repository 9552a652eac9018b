// Our side of a run, read from the order manager's tables (read only: the OMS is their one writer).

import type { Queryable } from '@bourse/store';
import {
  bookedTransferTotals,
  listFills,
  listOpenOrders,
  listOrdersUpdatedSince,
  loadBalances,
  type FillRecord,
  type StoredOrder,
} from '@bourse/order-manager';
import type { OurBalance } from '../core/types.js';

export interface OurSide {
  /** Clock reading taken before the first read. */
  readonly loadedAt: number;
  readonly openOrders: readonly StoredOrder[];
  /** Orders of any status changed within the look-back window (ties missed trades to closed orders). */
  readonly recentOrders: readonly StoredOrder[];
  /** Every stored fill of the venue (positions are derived from them). */
  readonly fills: readonly FillRecord[];
  readonly balances: readonly OurBalance[];
  /** Deposits − withdrawals the OMS booked, per asset. */
  readonly transfers: Readonly<Record<string, string>>;
}

export interface OurSideSource {
  load(venue: string, now: number): Promise<OurSide>;
}

/** How far back closed orders are read to tie missed trades to them; a run every few minutes needs far less. */
export const RECENT_ORDERS_LOOKBACK_MS = 24 * 3_600_000;

export class OmsOurSide implements OurSideSource {
  constructor(
    private readonly db: Queryable,
    private readonly lookbackMs = RECENT_ORDERS_LOOKBACK_MS,
  ) {}

  async load(venue: string, now: number): Promise<OurSide> {
    const [open, recent, fills, balances, transfers] = await Promise.all([
      listOpenOrders(this.db),
      listOrdersUpdatedSince(this.db, now - this.lookbackMs),
      listFills(this.db),
      loadBalances(this.db, venue),
      bookedTransferTotals(this.db, venue),
    ]);
    return {
      loadedAt: now,
      openOrders: open.filter((o) => o.venue === venue),
      recentOrders: recent.filter((o) => o.venue === venue),
      fills: fills.filter((f) => f.venue === venue),
      balances: balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
      transfers,
    };
  }
}
