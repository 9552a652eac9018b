import type { OrderStatus, OrderStyle, Side } from '@bourse/contracts';
import type { Decimal } from './decimal.js';
import { ZERO } from './decimal.js';
import { InvalidArgumentError, OverfillError, type InvalidStateTransition } from './errors.js';
import { isTerminal, transition, type OrderEventType } from './order-state.js';

// The order aggregate and the one function that moves it. Venue updates arrive twice, late and out
// of order; the cumulative filled quantity the venue reports decides how much has filled (a report
// with less than we already know is stale, an equal one a duplicate), and the transition table
// decides the status. Acknowledgements change status only; positions move by fills (position.ts).

export interface Order {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: Side;
  readonly style: OrderStyle;
  /** Ordered base quantity (changes only by an in-place amend). */
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly status: OrderStatus;
  /** Cumulative filled base quantity, as last reported by the venue; never decreases, never exceeds quantity. */
  readonly filledQty: Decimal;
  /** Cumulative filled quote quantity, when the venue reports it (Binance `Z`/`cummulativeQuoteQty`). */
  readonly filledQuoteQty?: Decimal;
  readonly venueOrderId?: string;
  readonly rejectReason?: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

interface UpdateBase {
  /** When the venue (or our caller) says this happened, in ms. */
  readonly atMs: number;
}
interface Cumulative {
  readonly cumulativeQty?: Decimal;
  readonly cumulativeQuoteQty?: Decimal;
  readonly venueOrderId?: string;
}

/** A venue report or a local event about one order. */
export type OrderUpdate = UpdateBase &
  (
    | { readonly type: 'submit-timeout' }
    | ({ readonly type: 'accepted' } & Cumulative)
    | { readonly type: 'rejected'; readonly reason?: string; readonly venueOrderId?: string }
    | ({ readonly type: 'fill'; readonly cumulativeQty: Decimal } & Cumulative)
    | { readonly type: 'cancel-requested' }
    | { readonly type: 'cancel-rejected'; readonly reason?: string }
    | ({ readonly type: 'canceled' } & Cumulative)
    | ({ readonly type: 'expired' } & Cumulative)
    | { readonly type: 'replace-requested' }
    | { readonly type: 'replace-rejected'; readonly reason?: string }
    | { readonly type: 'replaced'; readonly quantity: Decimal; readonly price?: Decimal }
    /** A snapshot from a query by client order id (reconciler, or resolving `unknown`). */
    | ({ readonly type: 'status'; readonly status: OrderStatus; readonly cumulativeQty: Decimal } & Cumulative)
  );

export type OrderUpdateResult =
  | { readonly outcome: 'applied'; readonly order: Order; readonly from: OrderStatus; readonly newlyFilled: Decimal }
  /** Nothing to change: a duplicate, a stale report (lower cumulative qty than known) or a snapshot that says nothing. */
  | { readonly outcome: 'ignored'; readonly order: Order; readonly reason: 'duplicate' | 'stale' | 'no-information' }
  /** The update contradicts what we know; the order is returned unchanged. */
  | {
      readonly outcome: 'rejected';
      readonly order: Order;
      readonly error: InvalidStateTransition | OverfillError | InvalidArgumentError;
    };

export interface NewOrder {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: Side;
  readonly style: OrderStyle;
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly atMs: number;
}

/** A new order in pending-new with nothing filled (no rounding: quantity and price are taken as given); throws InvalidArgumentError when quantity or price is not above zero. */
export function createOrder(o: NewOrder): Order {
  if (!o.quantity.isPositive())
    throw new InvalidArgumentError('quantity', o.quantity.toString(), 'must be greater than zero');
  if (o.price !== undefined && !o.price.isPositive()) {
    throw new InvalidArgumentError('price', o.price.toString(), 'must be greater than zero');
  }
  return { ...o, status: 'pending-new', filledQty: ZERO, createdAtMs: o.atMs, updatedAtMs: o.atMs };
}

/** The quantity still to fill (exact); zero for a terminal order. */
export function remainingQty(order: Order): Decimal {
  return isTerminal(order.status) ? ZERO : order.quantity.minus(order.filledQty);
}

/** Average fill price from cumulative quote and base qty, to `places` decimals half-even; undefined when nothing filled or no quote qty known. */
export function averageFillPrice(order: Order, places = 12): Decimal | undefined {
  if (order.filledQty.isZero() || order.filledQuoteQty === undefined) return undefined;
  return order.filledQuoteQty.div(order.filledQty, places, 'half-even');
}

const SNAPSHOT_EVENT: Partial<Record<OrderStatus, OrderEventType>> = {
  new: 'accepted',
  canceled: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
  'pending-cancel': 'cancel-requested',
  'pending-replace': 'replace-requested',
};

/** Applies one update idempotently (cumulative qty decides; no rounding); an illegal, overfilling or malformed update is a `rejected` result and the order is returned unchanged. */
export function applyOrderUpdate(order: Order, update: OrderUpdate): OrderUpdateResult {
  const reject = (error: InvalidStateTransition | OverfillError | InvalidArgumentError): OrderUpdateResult => ({
    outcome: 'rejected',
    order,
    error,
  });
  const cum = 'cumulativeQty' in update ? update.cumulativeQty : undefined;
  const quoteCum = 'cumulativeQuoteQty' in update ? update.cumulativeQuoteQty : undefined;
  const venueOrderId = 'venueOrderId' in update ? update.venueOrderId : undefined;

  if (cum !== undefined) {
    if (cum.isNegative())
      return reject(new InvalidArgumentError('cumulativeQty', cum.toString(), 'must not be negative'));
    if (cum.gt(order.quantity)) {
      return reject(new OverfillError(order.clientOrderId, order.quantity.toString(), cum.toString()));
    }
  }
  if (venueOrderId !== undefined && order.venueOrderId !== undefined && venueOrderId !== order.venueOrderId) {
    return reject(new InvalidArgumentError('venueOrderId', venueOrderId, `does not match ${order.venueOrderId}`));
  }

  // Which table event this update is. Fills are classified by the cumulative quantity alone.
  let event: OrderEventType | undefined;
  if (update.type === 'fill' || (update.type === 'status' && cum !== undefined && cum.isPositive())) {
    const c = cum ?? ZERO;
    if (!c.isPositive())
      return reject(new InvalidArgumentError('cumulativeQty', c.toString(), 'must be above zero for a fill'));
    const fillEvent: OrderEventType = c.eq(order.quantity) ? 'filled' : 'partially-filled';
    // A snapshot of a canceled/expired order that also filled a part is that terminal event, carrying its qty.
    const snapshot = update.type === 'status' ? SNAPSHOT_EVENT[update.status] : undefined;
    event = snapshot === 'canceled' || snapshot === 'expired' ? snapshot : fillEvent;
    if (event === fillEvent && c.lte(order.filledQty)) {
      return { outcome: 'ignored', order, reason: c.eq(order.filledQty) ? 'duplicate' : 'stale' };
    }
  } else if (update.type === 'status') {
    event = SNAPSHOT_EVENT[update.status];
    if (event === undefined) return { outcome: 'ignored', order, reason: 'no-information' };
  } else {
    event = update.type;
  }

  if (update.type === 'replaced' && update.quantity.lt(order.filledQty)) {
    return reject(
      new InvalidArgumentError('quantity', update.quantity.toString(), `is below the filled ${order.filledQty}`),
    );
  }
  const moved = transition(order.status, event, order.clientOrderId);
  if (!moved.ok) return reject(moved.error);

  const filledQty = cum !== undefined && cum.gt(order.filledQty) ? cum : order.filledQty;
  const quantity = update.type === 'replaced' ? update.quantity : order.quantity;
  const price = update.type === 'replaced' ? (update.price ?? order.price) : order.price;
  const status = settleOpenStatus(moved.value, filledQty, quantity);
  const next: Order = {
    ...order,
    status,
    quantity,
    price,
    filledQty,
    filledQuoteQty:
      filledQty.gt(order.filledQty) || order.filledQuoteQty === undefined
        ? (quoteCum ?? order.filledQuoteQty)
        : order.filledQuoteQty,
    venueOrderId: order.venueOrderId ?? venueOrderId,
    rejectReason: update.type === 'rejected' ? (update.reason ?? order.rejectReason) : order.rejectReason,
    updatedAtMs: Math.max(order.updatedAtMs, update.atMs),
  };
  if (unchanged(order, next)) return { outcome: 'ignored', order, reason: 'duplicate' };
  return { outcome: 'applied', order: next, from: order.status, newlyFilled: filledQty.minus(order.filledQty) };
}

// `new` and `partially-filled` are one open state split by whether anything has filled; an event
// that returns an order to open (cancel-rejected, replaced) lands on whichever the quantities say.
function settleOpenStatus(status: OrderStatus, filled: Decimal, quantity: Decimal): OrderStatus {
  if (status !== 'new' && status !== 'partially-filled') return status;
  if (filled.isZero()) return 'new';
  return filled.gte(quantity) ? 'filled' : 'partially-filled';
}

function unchanged(a: Order, b: Order): boolean {
  return (
    a.status === b.status &&
    a.quantity.eq(b.quantity) &&
    a.filledQty.eq(b.filledQty) &&
    same(a.price, b.price) &&
    same(a.filledQuoteQty, b.filledQuoteQty) &&
    a.venueOrderId === b.venueOrderId &&
    a.rejectReason === b.rejectReason
  );
}

function same(a: Decimal | undefined, b: Decimal | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.eq(b);
}
