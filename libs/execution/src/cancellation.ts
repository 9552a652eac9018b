import type { ClientOrderId, ExecutionEvent, InstrumentSymbol } from '@bourse/contracts';
import type { CancelOrderOutcome, VenueClient, VenueOrder } from '@bourse/venues';
import type { OrderTracker, TrackerChange } from './order-tracker.js';
import { eventsOf } from './submission.js';
import type { Clock } from './types.js';

// Canceling one order at the venue, by client order id. The order goes pending-cancel first; the
// venue's answer decides the rest. A refused cancel (too late: filled, or unknown to the venue) and
// an unanswered one are both followed by a query, so the order ends in the venue's real state and
// a cancel is never resent blindly.

export interface CancelDeps {
  readonly venue: Pick<VenueClient, 'cancelOrder' | 'queryOrder'>;
  readonly tracker: OrderTracker;
  readonly clock: Clock;
}

export type CancelExecution =
  /** The venue canceled it (the final state, filled quantity included, is applied). */
  | { readonly kind: 'canceled' }
  /** The venue refused the cancel; `venueOrder` is what a query found (undefined: the venue does not know it). */
  | { readonly kind: 'refused'; readonly reason: string; readonly venueOrder: VenueOrder | undefined }
  /** Neither the cancel nor the query answered: the order stays pending-cancel until news arrives (stream or reconciler). */
  | { readonly kind: 'unknown'; readonly reason: string };

export interface CancelResult {
  readonly clientOrderId: string;
  readonly execution: CancelExecution;
  readonly changes: readonly TrackerChange[];
  readonly events: readonly ExecutionEvent[];
}

/** Cancels one followed order; never throws for venue failures (they become `unknown`). */
export async function executeCancel(
  target: { readonly clientOrderId: ClientOrderId; readonly instrument: InstrumentSymbol },
  deps: CancelDeps,
): Promise<CancelResult> {
  const id = target.clientOrderId;
  const changes: TrackerChange[] = [deps.tracker.applyLocal(id, { type: 'cancel-requested' }, deps.clock.now())];
  let outcome: CancelOrderOutcome | { outcome: 'threw'; reason: string };
  try {
    outcome = await deps.venue.cancelOrder({ symbol: target.instrument, clientOrderId: target.clientOrderId });
  } catch (error) {
    outcome = { outcome: 'threw', reason: error instanceof Error ? error.message : String(error) };
  }
  const done = (execution: CancelExecution): CancelResult => ({
    clientOrderId: id,
    execution,
    changes,
    events: eventsOf(changes),
  });
  if (outcome.outcome === 'canceled') {
    changes.push(deps.tracker.applyVenueOrder(outcome.order));
    return done({ kind: 'canceled' });
  }
  const reason = outcome.outcome === 'threw' ? outcome.reason : `${outcome.error.code}: ${outcome.error.message}`;
  let venueOrder: VenueOrder | undefined;
  try {
    venueOrder = await deps.venue.queryOrder({ symbol: target.instrument, clientOrderId: target.clientOrderId });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return done({ kind: 'unknown', reason: `${reason}; query failed too: ${why}` });
  }
  if (outcome.outcome === 'rejected') {
    changes.push(deps.tracker.applyLocal(id, { type: 'cancel-rejected', reason }, deps.clock.now()));
  }
  if (venueOrder !== undefined) changes.push(deps.tracker.applyVenueOrder(venueOrder));
  if (outcome.outcome === 'rejected') return done({ kind: 'refused', reason, venueOrder });
  if (venueOrder?.status === 'canceled') return done({ kind: 'canceled' });
  return done({ kind: 'unknown', reason });
}
