import type { ExecutionEvent, OrderRequest } from '@bourse/contracts';
import { VenueError, VenueErrorCode, type PlaceOrderOutcome, type VenueClient, type VenueOrder } from '@bourse/venues';
import type { OrderTracker, TrackerChange } from './order-tracker.js';
import { untrackedRejection } from './order-tracker.js';
import {
  DEFAULT_UNKNOWN_RESOLUTION,
  nextOutboxState,
  recoveryStep,
  resolveUnknown,
  type OutboxEntry,
  type OutboxEvent,
  type OutboxState,
  type UnknownResolutionPolicy,
} from './outbox.js';
import { expiryOf, type Expiry } from './shelf-life.js';
import { checkTradingState, type TradingStateView } from './trading-gate.js';
import type { Clock, Journal } from './types.js';
import { toPlaceOrderRequest, unsupportedReason } from './venue-request.js';

// Submitting one order request, and settling it after an unknown outcome or a restart:
//   journal (committed) → shelf-life check → trading-state check → outbox submitting (committed) → venue.placeOrder
//   → accepted: sent | rejected: failed | unknown: unknown, settled later by `resolveOutbox`.
// An unknown outcome is never retried blindly: only a query by client order id (resolveUnknown)
// decides, and a resend, at most once, reuses the same request and client order id.
// These are the only async functions of the core; everything they learn goes through the tracker,
// and the result lists the tracker's changes for the shell to persist and publish.

export interface SubmissionDeps {
  readonly journal: Journal;
  readonly venue: Pick<VenueClient, 'placeOrder' | 'queryOrder'>;
  readonly tracker: OrderTracker;
  readonly clock: Clock;
  readonly tradingState: TradingStateView;
  readonly policy?: UnknownResolutionPolicy;
  /** Waits between tries after a transient failure of ours (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type SubmissionOutcome =
  /** Already journaled (a redelivered request): nothing was sent. */
  | { readonly kind: 'duplicate' }
  /**
   * Not placed, by Bourse's own doing: the trading state or the venue port does not allow it, or the
   * call failed on our side before the venue judged it (a local VenueError, after retries if
   * transient). Published as rejected by `bourse`. The entry is failed.
   */
  | { readonly kind: 'refused'; readonly reason: string }
  /** At the venue: acknowledged, or found by a query. The entry is sent or resolved. */
  | { readonly kind: 'accepted'; readonly venueOrder: VenueOrder; readonly resolvedByQuery: boolean }
  /** Never sent: its decision outlived its shelf life (DESIGN 13). The entry is failed, the order `expired`. */
  | { readonly kind: 'expired'; readonly reason: string; readonly decisionAgeMs: number | undefined }
  /** The venue refused it. The entry is failed. */
  | { readonly kind: 'rejected'; readonly reason: string; readonly error: VenueError }
  /** Outcome not known: call `resolveOutbox` for this entry at `resolveAt` (or sooner on news). */
  | { readonly kind: 'unknown'; readonly entry: OutboxEntry; readonly resolveAt: number; readonly reason: string }
  /** Never reached the venue and will not be sent again. The entry is failed. */
  | { readonly kind: 'abandoned'; readonly reason: string }
  /** The venue holds a different order under this client order id: a person must look. The entry stays unknown. */
  | { readonly kind: 'conflict'; readonly reason: string };

export interface SubmissionResult {
  readonly clientOrderId: string;
  readonly outcome: SubmissionOutcome;
  /** What the tracker changed, in order: persist orders, fills and positions, then publish `events`. */
  readonly changes: readonly TrackerChange[];
  /** Every message to publish on EXEC, in order (status updates and fills of `changes`). */
  readonly events: readonly ExecutionEvent[];
}

/** Journals, checks the trading state, and sends `request` to the venue once. Journal errors propagate (nothing was sent after a failed commit). */
export async function submitOrder(request: OrderRequest, deps: SubmissionDeps): Promise<SubmissionResult> {
  const id = request.clientOrderId;
  const at = deps.clock.now();
  if (!(await deps.journal.commitOutbox(request, at))) return result(id, { kind: 'duplicate' }, []);
  const unsupported = unsupportedReason(request);
  if (unsupported !== undefined) {
    await mark(deps, id, 'pending', 'rejected', unsupported);
    return {
      clientOrderId: id,
      outcome: { kind: 'refused', reason: unsupported },
      changes: [],
      events: [untrackedRejection(request, unsupported, at)],
    };
  }
  const changes: TrackerChange[] = [deps.tracker.track(request, at)];
  return sendIfAllowed(request, 'pending', deps, changes);
}

/**
 * Settles an `unknown` entry: queries the venue by client order id and adopts, queries again later,
 * resends once (same client order id, trading state permitting) or abandons, per `resolveUnknown`.
 * A failed query leaves the entry unknown and asks to try again.
 */
export async function resolveOutbox(entry: OutboxEntry, deps: SubmissionDeps): Promise<SubmissionResult> {
  const policy = deps.policy ?? DEFAULT_UNKNOWN_RESOLUTION;
  const { request } = entry;
  const id = entry.clientOrderId;
  const changes: TrackerChange[] = [];
  if (deps.tracker.get(id) === undefined) changes.push(deps.tracker.track(request, entry.createdAt));
  let venueOrder: VenueOrder | undefined;
  try {
    venueOrder = await deps.venue.queryOrder({ symbol: request.instrument, clientOrderId: request.clientOrderId });
  } catch (error) {
    const now = deps.clock.now();
    const reason = `query by client order id failed: ${messageOf(error)}`;
    return result(id, { kind: 'unknown', entry, resolveAt: now + retryDelay(error, policy), reason }, changes);
  }
  const now = deps.clock.now();
  const decision = resolveUnknown(entry, venueOrder, now, policy);
  switch (decision.action) {
    case 'adopt': {
      await mark(deps, id, 'unknown', 'found');
      changes.push(deps.tracker.applyVenueOrder(decision.venueOrder));
      return result(id, { kind: 'accepted', venueOrder: decision.venueOrder, resolvedByQuery: true }, changes);
    }
    case 'query-again':
      return result(id, { kind: 'unknown', entry, resolveAt: decision.notBefore, reason: decision.reason }, changes);
    case 'conflict':
      return result(id, { kind: 'conflict', reason: decision.reason }, changes);
    case 'abandon': {
      await mark(deps, id, 'unknown', 'abandoned', decision.reason);
      // The OMS gives up on an order the venue never showed: its refusal, not the venue's (the
      // unknown outcome before it was already published as such).
      changes.push(deps.tracker.applyLocal(id, { type: 'rejected', reason: decision.reason, by: 'bourse' }, now));
      return result(id, { kind: 'abandoned', reason: decision.reason }, changes);
    }
    case 'resubmit':
      return sendIfAllowed(decision.request, 'unknown', deps, changes);
  }
}

/**
 * Restart recovery of one unresolved entry (from the store's `listUnresolvedOutbox`, oldest first):
 * a pending entry continues its submission; a submitting one is marked unknown and resolved; an
 * unknown one is resolved. Restore the tracker's orders before calling this.
 */
export async function recoverOutboxEntry(entry: OutboxEntry, deps: SubmissionDeps): Promise<SubmissionResult> {
  const id = entry.clientOrderId;
  switch (recoveryStep(entry)) {
    case 'none':
      return result(id, { kind: 'duplicate' }, []);
    case 'submit': {
      const changes: TrackerChange[] = [];
      if (deps.tracker.get(id) === undefined) changes.push(deps.tracker.track(entry.request, entry.createdAt));
      return sendIfAllowed(entry.request, 'pending', deps, changes);
    }
    case 'mark-unknown-then-query': {
      const at = deps.clock.now();
      const unknown = await mark(deps, id, 'submitting', 'outcome-unknown', 'restarted during the venue call');
      const changes: TrackerChange[] = [];
      if (deps.tracker.get(id) === undefined) changes.push(deps.tracker.track(entry.request, entry.createdAt));
      changes.push(
        deps.tracker.applyLocal(id, { type: 'submit-timeout', reason: 'restarted during the venue call' }, at),
      );
      const resolved = await resolveOutbox(unknown, deps);
      return {
        ...resolved,
        changes: [...changes, ...resolved.changes],
        events: [...eventsOf(changes), ...resolved.events],
      };
    }
    case 'query':
      return resolveOutbox(entry, deps);
  }
}

/** The EXEC messages of tracker changes, in order: status updates and fills. */
export function eventsOf(changes: readonly TrackerChange[]): ExecutionEvent[] {
  return changes.flatMap((c) => [...c.statusUpdates, ...c.fills.map((f) => f.event)]);
}

async function sendIfAllowed(
  request: OrderRequest,
  from: 'pending' | 'unknown',
  deps: SubmissionDeps,
  changes: TrackerChange[],
): Promise<SubmissionResult> {
  const id = request.clientOrderId;
  const expiry = expiryOf(request, deps.clock.now());
  if (expiry !== undefined) return refuseExpired(deps, id, from, expiry, changes);
  const gate = checkTradingState(request, deps.tradingState.modesFor(request.strategyId, request.venueSymbol));
  if (!gate.allowed) {
    await mark(deps, id, from, from === 'pending' ? 'rejected' : 'abandoned', gate.reason);
    changes.push(
      deps.tracker.applyLocal(id, { type: 'rejected', reason: gate.reason, by: 'bourse' }, deps.clock.now()),
    );
    return result(id, { kind: 'refused', reason: gate.reason }, changes);
  }
  await mark(deps, id, from, 'submit');
  let outcome = await place(request, deps);
  // A transient failure of ours (e.g. the clock sync before signing got a 5xx) took no effect at the
  // venue: try again while the decision is fresh, a few times, then refuse it as ours.
  for (let retry = 1; retry <= LOCAL_RETRIES && isLocalTransient(outcome); retry++) {
    const delay = Math.max(outcome.error.retryAfterMs ?? 0, LOCAL_RETRY_DELAY_MS * retry);
    if (expiryOf(request, deps.clock.now() + delay) !== undefined) break;
    await (deps.sleep ?? sleep)(delay);
    outcome = await place(request, deps);
  }
  const now = deps.clock.now();
  switch (outcome.outcome) {
    case 'accepted':
      await mark(deps, id, 'submitting', 'acknowledged');
      changes.push(deps.tracker.applyVenueOrder(outcome.order));
      return result(
        id,
        { kind: 'accepted', venueOrder: outcome.order, resolvedByQuery: outcome.resolvedByQuery },
        changes,
      );
    case 'rejected': {
      if (outcome.error.local && outcome.error.code === VenueErrorCode.EXPIRED) {
        // The shelf life ran out inside the adapter (a rate-limit wait, a clock resync): nothing was sent.
        const expiry = expiryOf(request, now) ?? { reason: outcome.error.message, decisionAgeMs: undefined };
        return refuseExpired(deps, id, 'submitting', expiry, changes);
      }
      if (outcome.error.local) {
        // Never judged by the venue: ours, and not a venue rejection (the rejection burst counts none of these).
        const why = `not sent, failed on our side${outcome.error.kind === 'retryable' ? ' (transient)' : ''}: ${outcome.error.code}: ${outcome.error.message}`;
        await mark(deps, id, 'submitting', 'rejected', why);
        changes.push(deps.tracker.applyLocal(id, { type: 'rejected', reason: why, by: 'bourse' }, now));
        return result(id, { kind: 'refused', reason: why }, changes);
      }
      const reason = `${outcome.error.code}: ${outcome.error.message}`;
      // "Duplicate order" means the venue already has this client order id: learn it by query, never fail it.
      if (outcome.error.code !== VenueErrorCode.DUPLICATE_ORDER) {
        await mark(deps, id, 'submitting', 'rejected', reason);
        changes.push(deps.tracker.applyLocal(id, { type: 'rejected', reason, by: 'venue' }, now));
        return result(id, { kind: 'rejected', reason, error: outcome.error }, changes);
      }
      return goUnknown(request, deps, changes, reason, now);
    }
    case 'unknown':
      return goUnknown(
        request,
        deps,
        changes,
        `${outcome.error.code} (${outcome.query}): ${outcome.error.message}`,
        now,
      );
  }
}

/** Records a request refused for its shelf life (DESIGN 13): outbox failed, order `expired` with the decision's age. */
async function refuseExpired(
  deps: SubmissionDeps,
  id: string,
  from: 'pending' | 'unknown' | 'submitting',
  expiry: Expiry,
  changes: TrackerChange[],
): Promise<SubmissionResult> {
  await mark(deps, id, from, from === 'unknown' ? 'abandoned' : 'rejected', expiry.reason);
  const event = {
    type: 'expired',
    reason: expiry.reason,
    ...(expiry.decisionAgeMs !== undefined ? { decisionAgeMs: expiry.decisionAgeMs } : {}),
  } as const;
  changes.push(deps.tracker.applyLocal(id, event, deps.clock.now()));
  return result(id, { kind: 'expired', reason: expiry.reason, decisionAgeMs: expiry.decisionAgeMs }, changes);
}

/** Failures of ours that may pass: a local, retryable placement error. */
const LOCAL_RETRIES = 2;
const LOCAL_RETRY_DELAY_MS = 250;

async function place(request: OrderRequest, deps: SubmissionDeps): Promise<PlaceOrderOutcome> {
  try {
    return await deps.venue.placeOrder(toPlaceOrderRequest(request));
  } catch (error) {
    // An adapter that throws instead of answering may still have sent the order: unknown, never failed.
    const venueError = isVenueErrorLike(error)
      ? error
      : new VenueError('unknown-outcome', VenueErrorCode.UNKNOWN, messageOf(error), { cause: error });
    return {
      outcome: 'unknown',
      clientOrderId: request.clientOrderId,
      query: 'query-failed',
      error: venueError,
      via: 'rest',
    };
  }
}

function isLocalTransient(outcome: PlaceOrderOutcome): outcome is Extract<PlaceOrderOutcome, { outcome: 'rejected' }> {
  return outcome.outcome === 'rejected' && outcome.error.local && outcome.error.kind === 'retryable';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function goUnknown(
  request: OrderRequest,
  deps: SubmissionDeps,
  changes: TrackerChange[],
  reason: string,
  now: number,
): Promise<SubmissionResult> {
  const id = request.clientOrderId;
  const policy = deps.policy ?? DEFAULT_UNKNOWN_RESOLUTION;
  const entry = await mark(deps, id, 'submitting', 'outcome-unknown', reason);
  changes.push(deps.tracker.applyLocal(id, { type: 'submit-timeout', reason }, now));
  return result(id, { kind: 'unknown', entry, resolveAt: entry.updatedAt + policy.safeHorizonMs, reason }, changes);
}

async function mark(
  deps: SubmissionDeps,
  clientOrderId: string,
  from: OutboxState,
  event: OutboxEvent,
  error?: string,
): Promise<OutboxEntry> {
  const state = nextOutboxState(from, event, clientOrderId);
  return deps.journal.markOutbox(clientOrderId, state, {
    at: deps.clock.now(),
    ...(error !== undefined ? { error } : {}),
  });
}

function result(clientOrderId: string, outcome: SubmissionOutcome, changes: TrackerChange[]): SubmissionResult {
  return { clientOrderId, outcome, changes, events: eventsOf(changes) };
}

function retryDelay(error: unknown, policy: UnknownResolutionPolicy): number {
  const after = isVenueErrorLike(error) ? error.retryAfterMs : undefined;
  return Math.max(after ?? 0, Math.min(1_000, policy.safeHorizonMs));
}

function isVenueErrorLike(error: unknown): error is VenueError {
  return error instanceof VenueError;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
