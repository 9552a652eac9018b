// Persists what the tracker changed, in one transaction per batch: the current row of every order
// touched, its status events (by event id), fills (by venue fill id), the positions they moved and
// the balances each new fill moves (a fill already stored moves nothing: the same insert decides),
// and the account's fill checkpoint (those rows are complete up to the newest stored fill).
// Writes are serialized (one queue): the OMS is the single writer, and the versions it holds for
// optimistic concurrency are only right if its own writes never race each other. Each order's row
// is written as of the newest change in the batch (by the tracker's event number), never older than
// a row already written (a submission's batch can be queued after a user-data batch that overtook
// it) and never newer than the batch: the tracker runs ahead of the store (an execution applied in
// memory waits behind earlier batches), and a row written from that view would claim a fill whose
// fill row and event are not stored yet — lost for good if the process dies before its own batch,
// while a restart trusts the row's filled quantity.
//
// Positions follow the same rule, by construction: the store keeps its own copy of each position as
// last committed and moves it only by the fills a transaction actually inserts. A position row is
// therefore always the net of exactly the stored fills up to the checkpoint. Written from the
// tracker's view instead, a row could count a fill of a later batch (or of a batch whose commit
// failed and waits for its retry); after a kill -9 before that fill was stored, the restart trusted
// the row and booked the fill a second time when the venue's trades brought it back (chaos seed 4:
// a position 0.005 BTC off the venue's with every venue trade stored once).

import { applyFill, dec, emptyPosition, ZERO, type Fill, type Position } from '@bourse/domain';
import { VersionConflictError, withTransaction, type Queryable } from '@bourse/store';
import type pg from 'pg';
import { balanceMovesOfFill, moveBalance, type OrderTracker, type TrackerChange } from '@bourse/execution';
import {
  insertFill,
  listUnpublishedEvents,
  loadPositions,
  lockBalance,
  markEventsPublished,
  recordOrderEvent,
  saveBalance,
  saveFillCheckpoint,
  savePosition,
  upsertOrder,
  type UnpublishedEvent,
} from '../store/index.js';
import { domainFillOf, fillRecordOf, orderRecordOf, positionOfRecord, positionRecordOf } from './records.js';
import type { Clock, TrackedOrder } from '@bourse/execution';

export interface PersistResult {
  /** Fills new to the store (a fill already stored is not published again as new). */
  readonly newFills: number;
  readonly orders: number;
  /** Balances a new fill took below zero (the stored balance was wrong before): set to zero, to report. */
  readonly shortfalls: readonly { readonly asset: string; readonly shortfall: string; readonly fillId: string }[];
}

export class ExecutionStore {
  private readonly orderVersions = new Map<string, number>();
  /** The tracker's event number of the snapshot each order's row was last written from. */
  private readonly writtenSeqs = new Map<string, number>();
  private readonly positionVersions = new Map<string, number>();
  /** Each position as its stored row holds it (the net of the stored fills up to the checkpoint). */
  private readonly savedPositions = new Map<string, Position>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly tracker: OrderTracker,
    private readonly clock: Clock,
  ) {}

  /** Versions of rows read at start, so the first write of each is an update. */
  rememberOrderVersion(clientOrderId: string, version: number): void {
    this.orderVersions.set(clientOrderId, version);
  }

  /** A position row read at start: what later fills move, and the version its next write names. */
  rememberPosition(position: Position, version: number): void {
    const key = positionKey(position.strategyId, position.instrument);
    this.savedPositions.set(key, position);
    this.positionVersions.set(key, version);
  }

  /** Writes the changes (queued behind earlier writes); resolves once committed. Throws when the commit failed. */
  persist(changes: readonly TrackerChange[]): Promise<PersistResult> {
    const run = this.queue.then(() => this.write(changes));
    // The queue continues after a failure; the caller sees the error.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies fills that are stored but not yet in the position rows (those after the checkpoint, at
   * start) to the saved positions, saves those and moves the venue's fill checkpoint, in one
   * transaction (queued behind other writes).
   */
  checkpoint(venue: string, storedFills: readonly Fill[]): Promise<number> {
    const run = this.queue.then(async () => {
      const now = this.clock.now();
      const moved = this.movedBy(storedFills);
      const versions = new Map<string, number>();
      const through = await withTransaction(this.pool, async (client) => {
        for (const [key, position] of moved)
          versions.set(
            key,
            await savePosition(client, positionRecordOf(position, now), this.positionVersions.get(key) ?? 0),
          );
        return saveFillCheckpoint(client, venue, now);
      });
      this.adoptPositions(moved, versions);
      return through;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Recorded events the EXEC stream has not acknowledged, oldest first. */
  unpublishedEvents(limit: number): Promise<UnpublishedEvent[]> {
    return listUnpublishedEvents(this.pool, limit);
  }

  /** Marks events as acknowledged by the EXEC stream. */
  markPublished(eventIds: readonly string[]): Promise<void> {
    return markEventsPublished(this.pool, eventIds, this.clock.now());
  }

  /** Resolves when every write queued so far is done. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async write(changes: readonly TrackerChange[]): Promise<PersistResult> {
    const newest = new Map<string, TrackedOrder>();
    for (const c of changes) {
      const seen = newest.get(c.clientOrderId);
      if (c.tracked !== undefined && (seen === undefined || c.tracked.seq >= seen.seq))
        newest.set(c.clientOrderId, c.tracked);
    }
    const touched = [...newest.values()].filter((t) => t.seq > (this.writtenSeqs.get(t.request.clientOrderId) ?? 0));
    const statusUpdates = changes.flatMap((c) => c.statusUpdates);
    const fills = changes.flatMap((c) => c.fills);
    const positions = new Map<string, { strategyId: string; instrument: string }>();
    for (const c of changes)
      for (const p of c.positions)
        positions.set(positionKey(p.strategyId, p.instrument), { strategyId: p.strategyId, instrument: p.instrument });
    if (touched.length === 0 && fills.length === 0 && statusUpdates.length === 0)
      return { newFills: 0, orders: 0, shortfalls: [] };
    const now = this.clock.now();
    try {
      return await this.transaction(touched, statusUpdates, fills, now);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Someone else wrote (a second instance in a rollout, or a restart's stale read): re-read the
      // versions and write our current view once more; the tracker's state is the OMS's truth.
      await this.reloadVersions(
        touched.map((t) => t.request.clientOrderId),
        positions,
      );
      return this.transaction(touched, statusUpdates, fills, now);
    }
  }

  private async transaction(
    touched: readonly TrackedOrder[],
    statusUpdates: TrackerChange['statusUpdates'],
    fills: TrackerChange['fills'],
    now: number,
  ): Promise<PersistResult> {
    const versions = new Map<string, number>();
    const positionVersions = new Map<string, number>();
    const shortfalls: { asset: string; shortfall: string; fillId: string }[] = [];
    let moved = new Map<string, Position>();
    const newFills = await withTransaction(this.pool, async (client) => {
      for (const tracked of touched) {
        const id = tracked.request.clientOrderId;
        const version = await upsertOrder(client, orderRecordOf(tracked), this.orderVersions.get(id) ?? 0);
        versions.set(id, version);
      }
      for (const u of statusUpdates) {
        if (!versions.has(u.clientOrderId) && !this.orderVersions.has(u.clientOrderId)) continue; // never stored (refused before tracking)
        await recordOrderEvent(client, {
          eventId: u.eventId,
          clientOrderId: u.clientOrderId,
          type: 'order-status',
          payload: u,
          venueTime: u.venueTime,
          recordedAt: now,
        });
      }
      const venues = new Set<string>();
      const stored: Fill[] = [];
      for (const f of fills) {
        if (await insertFill(client, fillRecordOf(f, now))) {
          stored.push(domainFillOf(f.event, f.strategyId));
          venues.add(f.event.venue);
          shortfalls.push(...(await applyToBalances(client, f.event, now)));
        }
        await recordOrderEvent(client, {
          eventId: f.event.eventId,
          clientOrderId: f.event.clientOrderId,
          type: 'fill',
          payload: f.event,
          venueTime: f.event.venueTime,
          recordedAt: now,
        });
      }
      // Moved by the fills this transaction stored, nothing else (a fill stored already is in its row).
      moved = this.movedBy(stored);
      for (const [key, position] of moved) {
        const version = await savePosition(
          client,
          positionRecordOf(position, now),
          this.positionVersions.get(key) ?? 0,
        );
        positionVersions.set(key, version);
      }
      // The positions and balances just saved cover every stored fill: the next start reads from here.
      for (const venue of venues) await saveFillCheckpoint(client, venue, now);
      return stored.length;
    });
    // Only after the commit: a rolled-back transaction leaves the versions as they were.
    for (const [id, v] of versions) this.orderVersions.set(id, v);
    for (const t of touched) this.writtenSeqs.set(t.request.clientOrderId, t.seq);
    this.adoptPositions(moved, positionVersions);
    return { newFills, orders: versions.size, shortfalls };
  }

  /** The saved positions these stored fills move, in the order given (a working copy until commit). */
  private movedBy(storedFills: readonly Fill[]): Map<string, Position> {
    const moved = new Map<string, Position>();
    for (const fill of storedFills) {
      const key = positionKey(fill.strategyId, fill.instrument);
      const base =
        moved.get(key) ?? this.savedPositions.get(key) ?? this.emptyPosition(fill.strategyId, fill.instrument);
      moved.set(key, applyFill(base, fill));
    }
    return moved;
  }

  /** A position with nothing stored yet, with the tracker's contract multiplier for its instrument. */
  private emptyPosition(strategyId: string, instrument: string): Position {
    return emptyPosition(strategyId, instrument, this.tracker.positions.position(strategyId, instrument).multiplier);
  }

  private adoptPositions(moved: ReadonlyMap<string, Position>, versions: ReadonlyMap<string, number>): void {
    for (const [key, position] of moved) this.savedPositions.set(key, position);
    for (const [key, v] of versions) this.positionVersions.set(key, v);
  }

  private async reloadVersions(
    touched: readonly string[],
    positions: Map<string, { strategyId: string; instrument: string }>,
  ): Promise<void> {
    for (const id of touched) {
      const row = await this.pool.query<{ version: number }>('SELECT version FROM orders WHERE client_order_id = $1', [
        id,
      ]);
      const v = row.rows[0]?.version;
      if (v === undefined) this.orderVersions.delete(id);
      else this.orderVersions.set(id, v);
    }
    const strategies = new Set([...positions.values()].map((p) => p.strategyId));
    for (const strategyId of strategies) {
      // Another writer's rows are the net of the fills it stored: take them, ours apply on top.
      for (const p of await loadPositions(this.pool, { strategyId }))
        this.rememberPosition(positionOfRecord(p), p.version);
    }
  }
}

// Inside the fill's transaction: each asset row locked, moved, written.
async function applyToBalances(
  client: Queryable,
  fill: TrackerChange['fills'][number]['event'],
  now: number,
): Promise<{ asset: string; shortfall: string; fillId: string }[]> {
  const shortfalls: { asset: string; shortfall: string; fillId: string }[] = [];
  for (const move of balanceMovesOfFill(fill)) {
    const stored = await lockBalance(client, fill.venue, move.asset);
    const current =
      stored === undefined ? { free: ZERO, locked: ZERO } : { free: dec(stored.free), locked: dec(stored.locked) };
    const next = moveBalance(current, move.delta);
    if (next.shortfall.isPositive())
      shortfalls.push({ asset: move.asset, shortfall: next.shortfall.toString(), fillId: fill.venueFillId });
    await saveBalance(client, {
      venue: fill.venue,
      asset: move.asset,
      free: next.free.toString(),
      locked: next.locked.toString(),
      updatedAt: Math.max(now, fill.venueTime),
    });
  }
  return shortfalls;
}

function positionKey(strategyId: string, instrument: string): string {
  return `${strategyId}\u0000${instrument}`;
}
