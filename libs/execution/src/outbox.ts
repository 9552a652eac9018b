import type { OrderRequest } from '@bourse/contracts';
import type { VenueOrder } from '@bourse/venues';
import { OrderManagerError, OrderManagerErrorCode } from './errors.js';

// The outbox entry of one order request, as a pure state machine. The request and its client order
// id are committed BEFORE the venue is called, so after a crash every entry says how far it got:
//   pending     journaled, never sent: may be sent;
//   submitting  the venue call was (or is being) made: it may have reached the venue;
//   sent        the venue acknowledged it;
//   unknown     the call timed out or failed ambiguously: only a query by client order id decides;
//   resolved    an unknown that the venue turned out to have (its state is adopted);
//   failed      definitely not at the venue (refused before sending, rejected, or abandoned).
// A timeout is an unknown, not a failure (DESIGN 7). An unknown entry is resent only when the venue
// does not know its client order id long after the last send (older than the venue's receive window
// plus a margin, so the first send can no longer be accepted), only once, and always with the SAME
// client order id: the id is the venue's idempotency key, so even a late first copy cannot double.
//
// The states and moves are the ones the store's `outbox` table enforces (src/store/outbox.ts);
// outbox.test.ts checks the two tables agree.

export const OUTBOX_STATES = ['pending', 'submitting', 'sent', 'unknown', 'resolved', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export type OutboxEvent =
  /** The venue call is about to be made (first send, or the one resend of an unknown). */
  | 'submit'
  /** The venue acknowledged the order. */
  | 'acknowledged'
  /** The call timed out, the connection dropped, or a restart found the entry mid-call. */
  | 'outcome-unknown'
  /** Definitely not at the venue: refused before sending (trading state, unsupported) or rejected by it. */
  | 'rejected'
  /** A query by client order id found the order at the venue. */
  | 'found'
  /** The venue never had it and we will not send it again. */
  | 'abandoned';

export const OUTBOX_TRANSITIONS: Readonly<Record<OutboxState, Readonly<Partial<Record<OutboxEvent, OutboxState>>>>> = {
  pending: {
    submit: 'submitting',
    rejected: 'failed', // refused before the venue was called
  },
  submitting: {
    acknowledged: 'sent',
    'outcome-unknown': 'unknown',
    rejected: 'failed',
  },
  unknown: {
    found: 'resolved',
    submit: 'submitting', // the single resend, same client order id, after the safe horizon
    abandoned: 'failed',
  },
  sent: {},
  resolved: {},
  failed: {},
};

/** Final: nothing more happens to the entry (the order itself is followed by the tracker). */
export function isOutboxFinal(state: OutboxState): boolean {
  return state === 'sent' || state === 'resolved' || state === 'failed';
}

/** The next state for `event`; throws OrderManagerError OMS_OUTBOX_TRANSITION for a move the table does not have. */
export function nextOutboxState(state: OutboxState, event: OutboxEvent, clientOrderId?: string): OutboxState {
  const next = Object.hasOwn(OUTBOX_TRANSITIONS, state) ? OUTBOX_TRANSITIONS[state][event] : undefined;
  if (next === undefined) {
    throw new OrderManagerError(
      OrderManagerErrorCode.OUTBOX_TRANSITION,
      `outbox entry${clientOrderId === undefined ? '' : ` ${clientOrderId}`} cannot take ${event} in state ${state}`,
      { clientOrderId, state, event },
    );
  }
  return next;
}

/** One journaled request; the same shape the store's `OutboxEntry` has, so the shell passes those as they are. */
export interface OutboxEntry {
  readonly clientOrderId: string;
  readonly request: OrderRequest;
  readonly state: OutboxState;
  /** How many times it entered `submitting` (venue calls made or begun). */
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly createdAt: number;
  /** Last state change (ms, the OMS clock). For an unknown entry: no earlier than its last send. */
  readonly updatedAt: number;
}

export interface UnknownResolutionPolicy {
  /**
   * How long after the last send a venue that does not know the client order id can be trusted:
   * the venue's receive window (Binance rejects a request whose timestamp is older than recvWindow
   * when it arrives) plus a margin for clock offset and queueing. Until then, query again.
   */
  readonly safeHorizonMs: number;
  /** Venue calls allowed for one request in all: 2 = the first send and one resend. */
  readonly maxSubmissions: number;
}

export const DEFAULT_UNKNOWN_RESOLUTION: UnknownResolutionPolicy = {
  // Binance's default recvWindow (5 000 ms) plus the same again as margin.
  safeHorizonMs: 10_000,
  maxSubmissions: 2,
};

/** A safe horizon from the venue's receive window and a margin, both in ms. */
export function safeHorizonMs(recvWindowMs: number, marginMs: number): number {
  return recvWindowMs + marginMs;
}

export type UnknownResolution =
  /** The venue has it: adopt its state (the tracker applies `venueOrder`), the entry becomes resolved. */
  | { readonly action: 'adopt'; readonly next: 'resolved'; readonly venueOrder: VenueOrder }
  /** Not found yet, but a send may still be in flight: ask again at `notBefore`. */
  | { readonly action: 'query-again'; readonly notBefore: number; readonly reason: string }
  /** It never reached the venue: send the very same request (same client order id) once more. */
  | { readonly action: 'resubmit'; readonly next: 'submitting'; readonly request: OrderRequest }
  /** It never reached the venue and will not be sent again. */
  | { readonly action: 'abandon'; readonly next: 'failed'; readonly reason: string }
  /** The venue has an order under our id that is not this request: a person must look; keep the entry unknown. */
  | { readonly action: 'conflict'; readonly reason: string };

/**
 * The decision after querying the venue by client order id for an `unknown` entry. `venueOrder` is
 * what the query returned (undefined: the venue does not know the id). Never produces a second
 * client order id; throws OMS_OUTBOX_TRANSITION when the entry is not `unknown`.
 */
export function resolveUnknown(
  entry: OutboxEntry,
  venueOrder: VenueOrder | undefined,
  now: number,
  policy: UnknownResolutionPolicy = DEFAULT_UNKNOWN_RESOLUTION,
): UnknownResolution {
  if (entry.state !== 'unknown') {
    throw new OrderManagerError(
      OrderManagerErrorCode.OUTBOX_TRANSITION,
      `outbox entry ${entry.clientOrderId} is ${entry.state}, not unknown: nothing to resolve`,
      { clientOrderId: entry.clientOrderId, state: entry.state },
    );
  }
  const request = entry.request;
  if (venueOrder !== undefined) {
    const mismatch = describeMismatch(request, venueOrder);
    if (mismatch !== undefined) {
      return {
        action: 'conflict',
        reason: `venue order ${venueOrder.venueOrderId} under ${entry.clientOrderId}: ${mismatch}`,
      };
    }
    return { action: 'adopt', next: 'resolved', venueOrder };
  }
  const safeAt = entry.updatedAt + policy.safeHorizonMs;
  if (now < safeAt) {
    return {
      action: 'query-again',
      notBefore: safeAt,
      reason: `not found ${now - entry.updatedAt} ms after the last send; a send may still arrive until ${safeAt}`,
    };
  }
  if (entry.attempts >= policy.maxSubmissions) {
    return {
      action: 'abandon',
      next: 'failed',
      reason: `not at the venue after ${entry.attempts} submission(s); not sending again`,
    };
  }
  if (request.expiresAt !== undefined && request.expiresAt <= now) {
    return {
      action: 'abandon',
      next: 'failed',
      reason: `not at the venue and the request expired at ${request.expiresAt}; not sending it late`,
    };
  }
  return { action: 'resubmit', next: 'submitting', request };
}

/** What restart recovery does with an unresolved entry, before any venue call. */
export type RecoveryStep =
  /** Never sent: continue the submission (trading-state check, then the venue). */
  | 'submit'
  /** Crashed mid-call: mark it unknown, then query by client order id. */
  | 'mark-unknown-then-query'
  /** Query by client order id, then `resolveUnknown`. */
  | 'query'
  /** Final: nothing to do. */
  | 'none';

/** The first recovery step for an entry found on restart; never throws. */
export function recoveryStep(entry: Pick<OutboxEntry, 'state'>): RecoveryStep {
  switch (entry.state) {
    case 'pending':
      return 'submit';
    case 'submitting':
      return 'mark-unknown-then-query';
    case 'unknown':
      return 'query';
    default:
      return 'none';
  }
}

function describeMismatch(request: OrderRequest, order: VenueOrder): string | undefined {
  if (order.clientOrderId !== request.clientOrderId) return `client order id ${order.clientOrderId}`;
  if (order.symbol !== request.instrument) return `symbol ${order.symbol}, request ${request.instrument}`;
  if (order.side !== request.side) return `side ${order.side}, request ${request.side}`;
  if (order.style !== request.style) return `style ${order.style}, request ${request.style}`;
  return undefined;
}
