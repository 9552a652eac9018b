import { TERMINAL_ORDER_STATUSES, type OrderStatus } from '@bourse/contracts';
import { InvalidStateTransition } from './errors.js';
import { err, ok, type Result } from './result.js';

// The order lifecycle as one table: every legal (state, event) → next state, one row per line.
// A pair not listed is illegal: `transition` returns InvalidStateTransition and the caller must not
// apply it. Terminal states only ever map to themselves, so no event can leave them.
//
// Fill events are split into `partially-filled` / `filled` by the caller from the cumulative
// filled quantity (see order.ts): the venue's cumulative number decides, never an increment.

export type OrderEventType =
  /** The submit call timed out or failed ambiguously: we do not know whether the venue has it. */
  | 'submit-timeout'
  /** The venue acknowledged the order (Binance executionType NEW). */
  | 'accepted'
  | 'rejected'
  | 'partially-filled'
  | 'filled'
  | 'cancel-requested'
  | 'cancel-rejected'
  | 'canceled'
  | 'replace-requested'
  | 'replace-rejected'
  /** An in-place amend took effect (the same order, new quantity or price). */
  | 'replaced'
  | 'expired';

export const ORDER_EVENT_TYPES: readonly OrderEventType[] = [
  'submit-timeout',
  'accepted',
  'rejected',
  'partially-filled',
  'filled',
  'cancel-requested',
  'cancel-rejected',
  'canceled',
  'replace-requested',
  'replace-rejected',
  'replaced',
  'expired',
];

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderEventType, OrderStatus>>>>> =
  {
    'pending-new': {
      accepted: 'new',
      rejected: 'rejected',
      'submit-timeout': 'unknown',
      'partially-filled': 'partially-filled', // fill before the ack: the user stream can beat the REST reply
      filled: 'filled', // fill before the ack (an aggressive order filled at once)
      canceled: 'canceled', // canceled before we saw the ack (cancel by client order id while pending)
      expired: 'expired', // IOC/FOK with nothing to match: expired is the first thing we hear
      'cancel-requested': 'pending-cancel', // Binance cancels by client order id, so no need to wait for the ack
    },
    unknown: {
      // A timeout is an unknown, not a failure: whatever the venue later says (by update or by query) decides.
      accepted: 'new',
      rejected: 'rejected',
      'submit-timeout': 'unknown', // a retried query timed out again
      'partially-filled': 'partially-filled',
      filled: 'filled',
      canceled: 'canceled',
      expired: 'expired',
      'cancel-requested': 'pending-cancel',
    },
    new: {
      accepted: 'new', // duplicate ack
      'partially-filled': 'partially-filled',
      filled: 'filled',
      'cancel-requested': 'pending-cancel',
      'replace-requested': 'pending-replace',
      canceled: 'canceled', // unsolicited: self-trade prevention, cancel-all from another session, venue maintenance
      expired: 'expired',
    },
    'partially-filled': {
      accepted: 'partially-filled', // late ack after the first fill
      'partially-filled': 'partially-filled',
      filled: 'filled',
      'cancel-requested': 'pending-cancel',
      'replace-requested': 'pending-replace',
      canceled: 'canceled',
      expired: 'expired',
    },
    'pending-cancel': {
      accepted: 'pending-cancel', // late ack of the order we are canceling
      'cancel-requested': 'pending-cancel', // a retried cancel
      'partially-filled': 'pending-cancel', // fills keep coming until the cancel lands; cumulative qty moves, the intent stays
      filled: 'filled', // the fill won the race against the cancel
      canceled: 'canceled',
      'cancel-rejected': 'new', // back to open; order.ts makes it partially-filled when something has filled
      expired: 'expired',
    },
    'pending-replace': {
      accepted: 'pending-replace', // late ack
      'partially-filled': 'pending-replace', // fill while the amend is in flight
      filled: 'filled', // the fill won the race against the amend
      replaced: 'new', // amended in place; order.ts makes it partially-filled when something has filled
      'replace-rejected': 'new', // unchanged and still open (same adjustment)
      canceled: 'canceled', // cancel-replace: the venue canceled the original (the new order has its own id)
      expired: 'expired',
    },
    // Terminal states: only self-loops, so late and duplicate reports are absorbed, never applied as a move.
    filled: {
      filled: 'filled', // duplicate
      'partially-filled': 'filled', // an older fill report arriving late (order.ts ignores its lower cumulative qty)
      accepted: 'filled', // late ack
      'cancel-rejected': 'filled', // our cancel lost the race: nothing left to cancel
      'replace-rejected': 'filled',
    },
    canceled: {
      canceled: 'canceled', // duplicate
      accepted: 'canceled', // late ack
      // Real-world race: a fill executed before the cancel took effect but is reported after it. The fill
      // counts (cumulative qty moves, positions take the fill); the status stays terminal.
      'partially-filled': 'canceled',
      filled: 'canceled',
    },
    expired: {
      expired: 'expired', // duplicate
      accepted: 'expired', // late ack
      'partially-filled': 'expired', // IOC: the fills are reported after the expiry (same race as canceled)
      filled: 'expired',
    },
    rejected: {
      rejected: 'rejected', // duplicate; a rejected order never traded, so a fill here is an error
    },
  };

/** True for filled, canceled, rejected and expired; never throws. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_ORDER_STATUSES.includes(status);
}

/** True for states in which the order may still trade at the venue (including unknown and pending ones); never throws. */
export function isLive(status: OrderStatus): boolean {
  return !isTerminal(status);
}

/** The next state for `event` in `from` per ORDER_TRANSITIONS; an unlisted pair (or unknown input) is an InvalidStateTransition result, never applied. */
export function transition(
  from: OrderStatus,
  event: OrderEventType,
  clientOrderId?: string,
): Result<OrderStatus, InvalidStateTransition> {
  const next = Object.hasOwn(ORDER_TRANSITIONS, from) ? ORDER_TRANSITIONS[from][event] : undefined;
  if (next === undefined || !Object.hasOwn(ORDER_TRANSITIONS[from], event)) {
    return err(new InvalidStateTransition(String(from), String(event), clientOrderId));
  }
  return ok(next);
}
