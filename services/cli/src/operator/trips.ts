// The kill-switch trips `bourse status` shows: every HALTED entry an automatic trigger wrote (the
// risk gate's daily loss, rejection burst and stale feed, the reconciler's drift), with its action
// and, for `halt-and-cancel`, the orders the order manager canceled.
import { formatAge } from './format.js';
import { describeScope } from './scope.js';
import type { StateEntry } from './trading-state.js';

/** One line per trip still in force (its scope still HALTED by it), newest first. */
export function formatTrips(entries: readonly StateEntry[], now: number): string[] {
  const trips = entries
    .flatMap((e) =>
      e.state?.mode === 'HALTED' && e.state.trip !== undefined ? [{ state: e.state, trip: e.state.trip }] : [],
    )
    .sort((a, b) => b.trip.trippedAt - a.trip.trippedAt);
  if (trips.length === 0) return ['none in force'];
  return trips.map(({ state, trip }) => {
    const head = `${describeScope(state.scope)}: ${trip.trigger} → ${trip.action}, ${formatAge(now - trip.trippedAt)} ago by ${state.setBy}`;
    if (trip.action === 'halt') return head;
    const cancel = trip.cancel;
    if (cancel === undefined) return `${head}; cancel-all not answered yet`;
    const ids = cancel.canceled.length > 0 ? ` (${cancel.canceled.join(', ')})` : '';
    const failed = cancel.failed.length > 0 ? `; FAILED: ${cancel.failed.join('; ')}` : '';
    return `${head}; canceled ${cancel.canceled.length} open order(s)${ids}${failed}`;
  });
}
