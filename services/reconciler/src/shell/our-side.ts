// Our side of a run, read from the order manager's tables (read only: the OMS is their one writer).
// What is read grows with open orders and the trades since the checkpoint, never with history:
// positions are the OMS's checkpoint (its position rows, complete up to `fill_checkpoints`) plus the
// fills stored after it; fills are those since each instrument's trade checkpoint.

import type pg from 'pg';
import {
  bookedTransferTotals,
  firstOrderTimes,
  listFillsAfter,
  listFillsSince,
  listOpenOrders,
  listOrdersUpdatedSince,
  listUnbookedOrders,
  listUnresolvedOutbox,
  loadBalances,
  loadFillCheckpoint,
  loadPositions,
  type FillRecord,
  type StoredOrder,
} from '@bourse/ledger';
import {
  fillWindows,
  positionsFromCheckpoint,
  type Checkpoint,
  type InFlightSubmission,
  type OurBalance,
  type OurPosition,
} from '@bourse/reconciliation';

export interface OurSide {
  /** Clock reading taken before the first read. */
  readonly loadedAt: number;
  readonly openOrders: readonly StoredOrder[];
  /** Orders of any status changed within the look-back window (ties missed trades to closed orders). */
  readonly recentOrders: readonly StoredOrder[];
  /** Orders whose filled quantity is above their stored fills: they lost fills. */
  readonly unbookedOrders: readonly StoredOrder[];
  /** Per instrument, when our first order there was created (the platform's start on the account). */
  readonly firstOrderAt: Readonly<Record<string, number>>;
  /** Our fills since each instrument's trade checkpoint (every fill where there is none). */
  readonly fills: readonly FillRecord[];
  /** Net position and fees per (strategy, instrument): the OMS's checkpoint plus the fills after it. */
  readonly positions: readonly OurPosition[];
  /** Fill rows read (window and after the OMS's checkpoint): what a run costs in history. */
  readonly fillRowsRead: number;
  readonly balances: readonly OurBalance[];
  /** Deposits − withdrawals the OMS booked, per asset. */
  readonly transfers: Readonly<Record<string, string>>;
  /** Order requests journaled by the OMS whose venue answer is not recorded yet (it settles them). */
  readonly submissions: readonly InFlightSubmission[];
}

export interface OurSideSource {
  load(venue: string, now: number, checkpoint: Checkpoint): Promise<OurSide>;
}

/** How far back closed orders are read to tie missed trades to them; a run every few minutes needs far less. */
export const RECENT_ORDERS_LOOKBACK_MS = 24 * 3_600_000;

export class OmsOurSide implements OurSideSource {
  constructor(
    private readonly pool: pg.Pool,
    private readonly lookbackMs = RECENT_ORDERS_LOOKBACK_MS,
  ) {}

  /**
   * Every read in one repeatable-read snapshot: the OMS commits a fill with its position, balances
   * and checkpoint in one transaction, so reads spread over two moments could count a fill twice
   * (in the position and after the checkpoint read before it) or not at all.
   */
  async load(venue: string, now: number, checkpoint: Checkpoint): Promise<OurSide> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const side = await this.read(db, venue, now, checkpoint);
      await db.query('COMMIT');
      return side;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }

  private async read(db: pg.PoolClient, venue: string, now: number, checkpoint: Checkpoint): Promise<OurSide> {
    const open = await listOpenOrders(db);
    const recent = await listOrdersUpdatedSince(db, now - this.lookbackMs);
    const unbooked = await listUnbookedOrders(db, venue);
    const firstOrderAt = await firstOrderTimes(db, venue);
    const balances = await loadBalances(db, venue);
    const transfers = await bookedTransferTotals(db, venue);
    const submissions = (await listUnresolvedOutbox(db))
      .filter((e) => e.request.venue === venue)
      .map((e) => ({ clientOrderId: e.clientOrderId, instrument: e.request.instrument }));
    const positions = await loadPositions(db);
    const after = await listFillsAfter(db, venue, await loadFillCheckpoint(db, venue));
    const fills: FillRecord[] = [];
    const windows = fillWindows(checkpoint, firstOrderAt);
    for (const [instrument, since] of [...windows].sort(([a], [b]) => (a < b ? -1 : 1))) {
      fills.push(...(await listFillsSince(db, venue, instrument, since)));
    }
    return {
      loadedAt: now,
      openOrders: open.filter((o) => o.venue === venue),
      recentOrders: recent.filter((o) => o.venue === venue),
      unbookedOrders: unbooked,
      firstOrderAt,
      fills,
      positions: positionsFromCheckpoint(
        positions.map((p) => ({ strategyId: p.strategyId, instrument: p.instrument, qty: p.qty, fees: p.fees })),
        after,
      ),
      fillRowsRead: fills.length + after.length,
      balances: balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
      transfers,
      submissions,
    };
  }
}
