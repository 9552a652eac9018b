import type { OrderRequest } from '@bourse/contracts';

// A decision has a shelf life (DESIGN 13). A request whose `expiresAt` has come is never sent: the
// OMS records it as expired (outbox failed, order status `expired` with the decision's age) and the
// strategy sees that update. The check runs right before each venue call, after any wait (a paused
// submission, a restart, a redelivery), so the wait cannot carry a stale decision to the venue.

export interface Expiry {
  /** `expired: decision N ms old, shelf life M ms; not sent` (or without the age when the decision time is unknown). */
  readonly reason: string;
  /** Age of the decision at `now`, when the request says when it was decided. */
  readonly decisionAgeMs: number | undefined;
}

/** Why `request` may no longer be sent at `now`, or undefined while it may (also when it has no expiry). */
export function expiryOf(request: OrderRequest, now: number): Expiry | undefined {
  const { expiresAt, decidedAt } = request;
  if (expiresAt === undefined || now < expiresAt) return undefined;
  if (decidedAt === undefined) {
    return { reason: `expired: past its shelf life by ${now - expiresAt} ms; not sent`, decisionAgeMs: undefined };
  }
  const age = Math.max(0, now - decidedAt);
  return {
    reason: `expired: decision ${age} ms old, shelf life ${expiresAt - decidedAt} ms; not sent`,
    decisionAgeMs: age,
  };
}
