// Start-up, before a stored limit chase is rebuilt (TacticRunner.resume): every child it journaled is
// put in the tracker, in its venue state as far as that can be learnt, because the chase's filled
// quantity and its live child come from the tracker's view. Runs after the restore and the outbox
// recovery, so children with an unresolved outbox entry are tracked (and being settled) already.

import { isTerminal } from '@bourse/domain';
import type { OrderRequest } from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import type { Clock, OrderTracker, TrackerChange } from '@bourse/execution';
import {
  finishTactic,
  insertTactic,
  listActiveTactics,
  loadOutbox,
  recordChildCancel,
  recordTacticChild,
  type StoredTactic,
} from '../store/index.js';
import type { TacticJournal, TacticRunner } from './tactic-runner.js';

export interface ChaseChildrenDeps {
  readonly pool: pg.Pool;
  readonly venue: Pick<VenueClient, 'queryOrder'>;
  readonly tracker: OrderTracker;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Brings a stored order (row and journal entry) back into the tracker. */
  follow(clientOrderId: string): Promise<void>;
  /** Persists and publishes tracker changes (the execution pipeline). */
  apply(changes: readonly TrackerChange[]): Promise<void>;
  /** Follows a request refused before it was tracked as a rejected order, its row stored. */
  recordRefusal(request: OrderRequest, reason: string): Promise<unknown>;
}

/**
 * Tracks the children of `tactic` and refreshes the live one from the venue. Returns the ids it
 * brought back from the store only for this (closed orders), for the caller to evict once the chase
 * is rebuilt. A child never journaled stays untracked: the venue never heard of it.
 */
export async function trackChaseChildren(tactic: StoredTactic, deps: ChaseChildrenDeps): Promise<string[]> {
  const { tracker } = deps;
  const followed: string[] = [];
  for (const { clientOrderId: id } of tactic.children) {
    if (tracker.get(id) !== undefined) continue;
    await deps.follow(id);
    if (tracker.get(id) !== undefined) {
      followed.push(id);
      continue;
    }
    const entry = await loadOutbox(deps.pool, id);
    if (entry === undefined) continue;
    if (entry.state === 'failed') {
      // Refused before it was tracked (so no order row), and the process died before the chase
      // heard of it: the chase ends on the refusal now, instead of placing the child again under an
      // id the outbox already holds.
      await deps.recordRefusal(entry.request, entry.lastError ?? 'refused before it reached the venue');
      followed.push(id);
      continue;
    }
    // Sent, but its order row never committed (the process died in between): the venue decides,
    // and a child it does not show is waited on as unknown rather than taken for never placed.
    const { instrument, clientOrderId } = entry.request;
    const venueOrder = await deps.venue.queryOrder({ symbol: instrument, clientOrderId });
    const changes = [tracker.track(entry.request, entry.createdAt)];
    changes.push(
      venueOrder !== undefined
        ? tracker.applyVenueOrder(venueOrder)
        : tracker.applyLocal(
            id,
            { type: 'submit-timeout', reason: 'sent, yet unknown to the venue after a restart' },
            deps.clock.now(),
          ),
    );
    await deps.apply(changes);
  }
  await refreshLiveChild(tactic, deps);
  return followed;
}

// The live child may have traded, or been canceled, while no process listened to the user stream.
// Pending-new and unknown children are left to the outbox recovery, which queries them itself.
async function refreshLiveChild(tactic: StoredTactic, deps: ChaseChildrenDeps): Promise<void> {
  for (const { clientOrderId: id } of tactic.children) {
    const tracked = deps.tracker.get(id);
    if (tracked === undefined) continue;
    const { status } = tracked.order;
    if (isTerminal(status) || status === 'pending-new' || status === 'unknown') continue;
    try {
      const { instrument, clientOrderId } = tracked.request;
      const venueOrder = await deps.venue.queryOrder({ symbol: instrument, clientOrderId });
      if (venueOrder === undefined) continue;
      const change = deps.tracker.applyVenueOrder(venueOrder);
      if (change.outcome === 'applied') await deps.apply([change]);
    } catch (err) {
      // The chase still works from the stored view: its cancel path queries the venue again.
      deps.logger.warn({ err, clientOrderId: id }, 'could not refresh a resumed chase child from the venue');
    }
  }
}

/** Every active stored chase, its children tracked, rebuilt and carried on. */
export async function resumeTactics(tactics: TacticRunner, deps: ChaseChildrenDeps): Promise<void> {
  const active = await listActiveTactics(deps.pool);
  for (const stored of active) {
    try {
      const followed = await trackChaseChildren(stored, deps);
      await tactics.resume(stored);
      // Closed children were loaded only to count their fills; memory keeps open orders.
      for (const id of followed) deps.tracker.evict(id);
    } catch (err) {
      // Left active: the next start tries again. Its children are followed as plain orders meanwhile.
      deps.logger.error({ err, clientOrderId: stored.parentClientOrderId }, 'limit chase not resumed');
    }
  }
  if (active.length > 0) deps.logger.info({ chases: active.length, running: tactics.active }, 'limit chases resumed');
}

/** The chases' journal: the tactics tables, each write committed before the act it describes. */
export function storedTacticJournal(pool: pg.Pool, clock: Clock): TacticJournal {
  return {
    begin: (parent, startedAt) => insertTactic(pool, parent, startedAt),
    recordChild: async (parentId, child) => {
      await recordTacticChild(pool, parentId, child, clock.now());
    },
    recordCancel: (parentId, childId, reason) => recordChildCancel(pool, parentId, childId, reason, clock.now()),
    finish: async (parentId, outcome, reason) => {
      await finishTactic(pool, parentId, { outcome, reason, at: clock.now() });
    },
  };
}
