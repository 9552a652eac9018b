import type { FillEvent, OrderRequest, OrderStatus, OrderStatusUpdate, VenueOrderId } from '@bourse/contracts';
import {
  applyOrderUpdate,
  averageFillPrice,
  createOrder,
  dec,
  isLive,
  isTerminal,
  PositionBook,
  transition,
  ZERO,
  type Decimal,
  type Fill,
  type Order,
  type OrderUpdate,
  type Position,
} from '@bourse/domain';
import type { VenueOrder } from '@bourse/venues';
import { fillEventId, orderStatusEventId } from './event-ids.js';
import { OrderManagerError, OrderManagerErrorCode } from './errors.js';
import { unsupportedReason } from './venue-request.js';

/** Who refused an order (the contract's `rejectedBy`). */
export type RejectedBy = NonNullable<OrderStatusUpdate['rejectedBy']>;

// Every order the OMS follows, keyed by client order id, moved only through the domain's state
// machine. Each venue report is authoritative: the cumulative filled quantity decides, so duplicate
// and late reports are ignored (and said so), and a fill can arrive before the acknowledgement.
// Positions move on fills only, each applied once by venue fill id (the domain's PositionBook).
// Nothing here does I/O: every call returns a TrackerChange, which says what to persist and what to
// publish on EXEC (each message with a deterministic id for JetStream de-duplication).

/** One followed order: the request as journaled, the domain order, and bookkeeping for events and fills. */
export interface TrackedOrder {
  readonly request: OrderRequest;
  readonly order: Order;
  /** Status changes published so far (persist it with the order; it numbers the next event id). */
  readonly seq: number;
  /** Base and quote quantity of the fills applied to positions for this order. */
  readonly fillQty: Decimal;
  readonly fillQuoteQty: Decimal;
}

/** A fill applied for the first time: persist it (with its strategy) and publish `event`. */
export interface AppliedFill {
  readonly event: FillEvent;
  readonly strategyId: string;
}

export type TrackerOutcome =
  /** Something changed: see statusUpdates, fills, positions. */
  | 'applied'
  /** Nothing to change: a duplicate, a stale report, or a report that says nothing new. */
  | 'ignored'
  /** The report contradicts what we know (illegal transition, overfill, other order's fill); nothing applied. */
  | 'rejected'
  /** No order with that client order id is followed here (not ours, or not loaded). */
  | 'unknown-order';

export interface TrackerChange {
  readonly clientOrderId: string;
  readonly outcome: TrackerOutcome;
  /** Why it was ignored or rejected: `duplicate`, `stale`, `no-information`, or the error's message. */
  readonly detail?: string;
  readonly error?: Error;
  /** The order after the change (or unchanged); undefined for `unknown-order`. */
  readonly tracked?: TrackedOrder;
  /** OrderStatusUpdates to publish on EXEC, in order. */
  readonly statusUpdates: readonly OrderStatusUpdate[];
  /** Fills applied now (never a duplicate): persist, then publish. */
  readonly fills: readonly AppliedFill[];
  /** Positions that moved (only ever because of `fills`). */
  readonly positions: readonly Position[];
}

/** Events the OMS itself learns about an order (not a venue report). */
export type LocalOrderEvent =
  /** placeOrder came back unknown: the order is `unknown` until a query or an update decides. */
  | { readonly type: 'submit-timeout'; readonly reason?: string }
  | { readonly type: 'cancel-requested' }
  | { readonly type: 'cancel-rejected'; readonly reason?: string }
  /**
   * The venue rejected it (`by: 'venue'`), or the OMS refused it itself (`by: 'bourse'`: trading
   * state, an order abandoned after an unknown outcome). Published as the update's `rejectedBy`.
   */
  | { readonly type: 'rejected'; readonly reason: string; readonly by: RejectedBy }
  /**
   * The OMS refused to send it because its decision outlived its shelf life (DESIGN 13): nothing was
   * sent. Published as status `expired` with `decisionAgeMs` when the decision time is known.
   */
  | { readonly type: 'expired'; readonly reason: string; readonly decisionAgeMs?: number };

export interface OrderTrackerOptions {
  /** Contract multiplier per instrument (1 for spot, the default). */
  readonly multiplier?: (instrument: string) => Decimal;
}

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>();
  readonly positions: PositionBook;

  constructor(options: OrderTrackerOptions = {}) {
    this.positions = new PositionBook(options.multiplier);
  }

  /**
   * Starts following a journaled request in `pending-new` and returns its first status update. A
   * request already followed is `ignored` (redelivery); throws OMS_UNSUPPORTED_REQUEST for a shape
   * the venue port cannot carry (submission refuses those first). A quote-sized market order is
   * followed with a provisional base quantity until the venue says how much it executed.
   */
  track(request: OrderRequest, at: number): TrackerChange {
    const known = this.orders.get(request.clientOrderId);
    if (known !== undefined) return nothing(request.clientOrderId, 'ignored', known, 'duplicate');
    const reason = unsupportedReason(request);
    if (reason !== undefined) {
      throw new OrderManagerError(OrderManagerErrorCode.UNSUPPORTED_REQUEST, reason, request.clientOrderId);
    }
    const order = createOrder({
      clientOrderId: request.clientOrderId,
      strategyId: request.strategyId,
      instrument: request.instrument,
      side: request.side,
      style: request.style,
      quantity: request.qty !== undefined ? dec(request.qty) : UNSIZED_QUANTITY,
      ...(request.price !== undefined ? { price: dec(request.price) } : {}),
      atMs: at,
    });
    const tracked: TrackedOrder = { request, order, seq: 1, fillQty: ZERO, fillQuoteQty: ZERO };
    this.orders.set(request.clientOrderId, tracked);
    return {
      clientOrderId: request.clientOrderId,
      outcome: 'applied',
      tracked,
      statusUpdates: [statusUpdateOf(tracked, at, undefined, 'bourse')],
      fills: [],
      positions: [],
    };
  }

  /** A report from the venue's user-data stream: the status update, and the fill when it was an execution. */
  applyExecutionReport(update: OrderStatusUpdate, fill?: FillEvent): TrackerChange {
    const first = this.applyUpdate(update.clientOrderId, fromStatusUpdate(update), update.reason, 'venue');
    if (fill === undefined) return first;
    return merge(first, this.applyFill(fill));
  }

  /** The venue's view of an order, from placeOrder, cancelOrder or a query by client order id. */
  applyVenueOrder(venueOrder: VenueOrder): TrackerChange {
    return this.applyUpdate(venueOrder.clientOrderId, fromVenueOrder(venueOrder), undefined, 'venue');
  }

  /** Something the OMS itself learnt about the order, at `at` on its clock. */
  applyLocal(clientOrderId: string, event: LocalOrderEvent, at: number): TrackerChange {
    const update: OrderUpdate =
      event.type === 'rejected'
        ? { type: 'rejected', reason: event.reason, atMs: at }
        : event.type === 'cancel-rejected'
          ? { type: 'cancel-rejected', ...(event.reason !== undefined ? { reason: event.reason } : {}), atMs: at }
          : { type: event.type, atMs: at };
    const reason = 'reason' in event ? event.reason : undefined;
    const age = event.type === 'expired' ? event.decisionAgeMs : undefined;
    return this.applyUpdate(clientOrderId, update, reason, event.type === 'rejected' ? event.by : 'bourse', age);
  }

  /**
   * One execution. Applied to the position once per venue fill id, whatever the order's status says
   * (a fill is a fact at the venue). When the fills add up to more than the order's known filled
   * quantity (the fill beat the status report), the order is moved by that cumulative quantity too.
   */
  applyFill(fill: FillEvent): TrackerChange {
    const tracked = this.orders.get(fill.clientOrderId);
    if (tracked === undefined) return nothing(fill.clientOrderId, 'unknown-order', undefined, 'not followed here');
    const { request } = tracked;
    if (fill.instrument !== request.instrument || fill.side !== request.side || fill.venue !== request.venue) {
      const error = new OrderManagerError(
        OrderManagerErrorCode.FILL_MISMATCH,
        `fill ${fill.venueFillId} (${fill.venue} ${fill.instrument} ${fill.side}) does not belong to order ${request.clientOrderId} (${request.venue} ${request.instrument} ${request.side})`,
        fill.venueFillId,
      );
      return { ...nothing(fill.clientOrderId, 'rejected', tracked, error.message), error };
    }
    const qty = dec(fill.qty);
    const price = dec(fill.price);
    const applied = this.positions.applyFill(domainFill(fill, request));
    if (applied.outcome === 'duplicate') return nothing(fill.clientOrderId, 'ignored', tracked, 'duplicate');
    if (applied.outcome === 'rejected') {
      return { ...nothing(fill.clientOrderId, 'rejected', tracked, applied.error.message), error: applied.error };
    }
    const withFill: TrackedOrder = {
      ...tracked,
      fillQty: tracked.fillQty.plus(qty),
      fillQuoteQty: tracked.fillQuoteQty.plus(qty.times(price)),
    };
    this.orders.set(fill.clientOrderId, withFill);
    const change: TrackerChange = {
      clientOrderId: fill.clientOrderId,
      outcome: 'applied',
      tracked: withFill,
      statusUpdates: [],
      fills: [
        {
          event: { ...fill, eventId: fillEventId(request.venue, request.venueSymbol, fill.venueFillId) },
          strategyId: request.strategyId,
        },
      ],
      positions: [applied.position],
    };
    if (!withFill.fillQty.gt(withFill.order.filledQty)) return change;
    const catchUp = this.applyUpdate(
      fill.clientOrderId,
      {
        type: 'fill',
        cumulativeQty: withFill.fillQty,
        cumulativeQuoteQty: withFill.fillQuoteQty,
        venueOrderId: fill.venueOrderId,
        atMs: fill.venueTime,
      },
      undefined,
      'venue', // a fill is the venue's word (a fill update never rejects)
    );
    // The position moved either way; a rejected catch-up (a fill on an order we hold as rejected) is reported.
    return merge(change, catchUp);
  }

  /** The followed order, or undefined. */
  get(clientOrderId: string): TrackedOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Orders that may still trade at the venue (not filled, canceled, rejected or expired). */
  liveOrders(): TrackedOrder[] {
    return [...this.orders.values()].filter((t) => isLive(t.order.status));
  }

  /** Every followed order. */
  all(): TrackedOrder[] {
    return [...this.orders.values()];
  }

  /**
   * Puts back an order loaded from the store on restart; `seq` (stored with it) continues the event
   * numbering. Then give it its stored fills with `restoreFill`.
   */
  restore(request: OrderRequest, order: Order, seq: number): void {
    this.orders.set(request.clientOrderId, { request, order, seq, fillQty: ZERO, fillQuoteQty: ZERO });
  }

  private restoreAppliedFill(fill: FillEvent): TrackerChange {
    const tracked = this.orders.get(fill.clientOrderId);
    if (tracked === undefined) return nothing(fill.clientOrderId, 'unknown-order', undefined, 'not followed here');
    const restored = this.applyFill(fill);
    const now = this.orders.get(fill.clientOrderId) ?? tracked;
    // Keep the fill totals and positions, drop the catch-up of the order and anything to publish.
    this.orders.set(fill.clientOrderId, { ...now, order: tracked.order, seq: tracked.seq });
    return { ...restored, statusUpdates: [], fills: [] };
  }

  /**
   * Puts back a position checkpoint loaded from the store on restart (the position as saved with the
   * fills it covers). Give it the fills after the checkpoint with `restoreFill`, and the covered fills
   * of the orders followed again with `restoreFill(fill, true)`.
   */
  restorePosition(position: Position): void {
    this.positions.restore(position);
  }

  /**
   * Puts back a fill loaded from the store on restart. Does not move the order (its stored filled
   * quantity already counts it) and publishes nothing. `covered`: the fill is inside a restored
   * position checkpoint, so it counts toward its order's fills and is known by id, but the position
   * is not moved again.
   */
  restoreFill(fill: FillEvent, covered = false): TrackerChange {
    if (!covered) return this.restoreAppliedFill(fill);
    const tracked = this.orders.get(fill.clientOrderId);
    if (tracked === undefined) return nothing(fill.clientOrderId, 'unknown-order', undefined, 'not followed here');
    this.positions.restoreCovered(domainFill(fill, tracked.request));
    const qty = dec(fill.qty);
    const next: TrackedOrder = {
      ...tracked,
      fillQty: tracked.fillQty.plus(qty),
      fillQuoteQty: tracked.fillQuoteQty.plus(qty.times(dec(fill.price))),
    };
    this.orders.set(fill.clientOrderId, next);
    return nothing(fill.clientOrderId, 'ignored', next, 'covered by the position checkpoint');
  }

  /** Forgets a terminal order (bounded memory); returns false for a live or unknown one. */
  evict(clientOrderId: string): boolean {
    const tracked = this.orders.get(clientOrderId);
    if (tracked === undefined || !isTerminal(tracked.order.status)) return false;
    return this.orders.delete(clientOrderId);
  }

  /** `rejectedBy`: who refused the order, should this update reject it. */
  private applyUpdate(
    clientOrderId: string,
    update: OrderUpdate,
    reason: string | undefined,
    rejectedBy: RejectedBy,
    decisionAgeMs?: number,
  ): TrackerChange {
    const tracked = this.orders.get(clientOrderId);
    if (tracked === undefined) return nothing(clientOrderId, 'unknown-order', undefined, 'not followed here');
    const sized = sizeFromVenue(tracked, update);
    const result = sized ?? applyOrderUpdate(tracked.order, update);
    if (result.outcome === 'ignored') return nothing(clientOrderId, 'ignored', tracked, result.reason);
    if (result.outcome === 'rejected') {
      return { ...nothing(clientOrderId, 'rejected', tracked, result.error.message), error: result.error };
    }
    const next: TrackedOrder = { ...tracked, order: result.order, seq: tracked.seq + 1 };
    this.orders.set(clientOrderId, next);
    return {
      clientOrderId,
      outcome: 'applied',
      tracked: next,
      statusUpdates: [statusUpdateOf(next, update.atMs, reason, rejectedBy, decisionAgeMs)],
      fills: [],
      positions: [],
    };
  }
}

function domainFill(fill: FillEvent, request: OrderRequest): Fill {
  return {
    fillId: fill.venueFillId,
    strategyId: request.strategyId,
    instrument: request.instrument,
    side: fill.side,
    qty: dec(fill.qty),
    price: dec(fill.price),
    fee: { asset: fill.feeAsset, amount: dec(fill.fee) },
    atMs: fill.venueTime,
    clientOrderId: fill.clientOrderId,
  };
}

/**
 * The base quantity a quote-sized market order is followed with until the venue's final word: more
 * than any fill can reach, so no report before that word reads as `filled` or as an overfill.
 */
export const UNSIZED_QUANTITY = dec('1000000000000000000000000000000');

/** True while `order` (of `request`) is quote-sized and the venue has not said how much it executed. */
export function isUnsized(request: OrderRequest, order: Order): boolean {
  return request.qty === undefined && order.quantity.eq(UNSIZED_QUANTITY);
}

/**
 * The base quantity of a stored quote-sized order: what it executed once the venue closed it with
 * something filled, otherwise still provisional.
 */
export function quoteSizedQuantity(status: OrderStatus, filledQty: Decimal): Decimal {
  return isTerminal(status) && filledQty.isPositive() ? filledQty : UNSIZED_QUANTITY;
}

// A quote-sized order's base quantity is what the venue executed, known only when the venue closes
// it (filled, or canceled/expired with something filled). That report fixes the quantity; when our
// fills already reached the executed quantity (a fill beat the report), the domain would call the
// report a duplicate, so the `filled` move is made here, through the same transition table.
function sizeFromVenue(tracked: TrackedOrder, update: OrderUpdate): ReturnType<typeof applyOrderUpdate> | undefined {
  const { order, request } = tracked;
  if (!isUnsized(request, order) || update.type !== 'status' || !isTerminal(update.status)) return undefined;
  const executed = update.cumulativeQty;
  if (!executed.isPositive() || executed.lt(order.filledQty)) return undefined;
  const sized: Order = { ...order, quantity: executed };
  if (update.status !== 'filled' || executed.gt(order.filledQty)) return applyOrderUpdate(sized, update);
  const moved = transition(order.status, 'filled', order.clientOrderId);
  if (!moved.ok) return { outcome: 'rejected', order, error: moved.error };
  const next: Order = {
    ...sized,
    status: moved.value,
    filledQuoteQty: order.filledQuoteQty ?? update.cumulativeQuoteQty,
    venueOrderId: order.venueOrderId ?? update.venueOrderId,
    updatedAtMs: Math.max(order.updatedAtMs, update.atMs),
  };
  return { outcome: 'applied', order: next, from: order.status, newlyFilled: ZERO };
}

/** A status update for a request that was never followed (the OMS refused it before tracking, e.g. a shape the venue port cannot carry). */
export function untrackedRejection(request: OrderRequest, reason: string, at: number): OrderStatusUpdate {
  return {
    v: 1,
    type: 'order-status',
    eventId: orderStatusEventId(request.clientOrderId, 1, 'rejected', '0'),
    venue: request.venue,
    instrument: request.instrument,
    clientOrderId: request.clientOrderId,
    status: 'rejected',
    filledQty: '0',
    cumulativeQuoteQty: '0',
    reason,
    rejectedBy: 'bourse',
    venueTime: at,
  };
}

function statusUpdateOf(
  tracked: TrackedOrder,
  at: number,
  reason: string | undefined,
  rejectedBy: RejectedBy,
  decisionAgeMs?: number,
): OrderStatusUpdate {
  const { order, request } = tracked;
  const filled = order.filledQty.isPositive();
  const avg = filled ? averageFillPrice(order) : undefined;
  const why = order.status === 'rejected' ? (order.rejectReason ?? reason) : reason;
  return {
    v: 1,
    type: 'order-status',
    eventId: orderStatusEventId(order.clientOrderId, tracked.seq, order.status, order.filledQty.toString()),
    venue: request.venue,
    instrument: request.instrument,
    clientOrderId: request.clientOrderId,
    ...(order.venueOrderId !== undefined ? { venueOrderId: order.venueOrderId as VenueOrderId } : {}),
    status: order.status,
    filledQty: order.filledQty.toString(),
    cumulativeQuoteQty: filled && order.filledQuoteQty !== undefined ? order.filledQuoteQty.toString() : '0',
    ...(avg !== undefined && avg.isPositive() ? { avgPrice: avg.normalize().toString() } : {}),
    ...(why !== undefined && why.length > 0 ? { reason: why } : {}),
    ...(order.status === 'rejected' ? { rejectedBy } : {}),
    ...(order.status === 'expired' && decisionAgeMs !== undefined ? { decisionAgeMs } : {}),
    venueTime: at,
  };
}

function fromStatusUpdate(u: OrderStatusUpdate): OrderUpdate {
  return snapshot(u.status, u.filledQty, u.cumulativeQuoteQty, u.venueOrderId, u.venueTime, u.reason);
}

function fromVenueOrder(o: VenueOrder): OrderUpdate {
  return snapshot(o.status, o.cumulativeQuantity, o.cumulativeQuote, o.venueOrderId, o.updatedAt, undefined);
}

// A venue report is a snapshot of the order: its status and cumulative quantities. The domain turns
// the snapshot into the table's event (a fill by quantity, accepted, canceled, expired…).
function snapshot(
  status: OrderStatus,
  filledQty: string,
  quoteQty: string,
  venueOrderId: string | undefined,
  atMs: number,
  reason: string | undefined,
): OrderUpdate {
  const vid = venueOrderId !== undefined ? { venueOrderId } : {};
  if (status === 'rejected') return { type: 'rejected', ...(reason !== undefined ? { reason } : {}), ...vid, atMs };
  const cumulativeQty = dec(filledQty);
  const quote = cumulativeQty.isPositive() ? { cumulativeQuoteQty: dec(quoteQty) } : {};
  return { type: 'status', status, cumulativeQty, ...quote, ...vid, atMs };
}

function nothing(
  clientOrderId: string,
  outcome: TrackerOutcome,
  tracked: TrackedOrder | undefined,
  detail: string,
): TrackerChange {
  return {
    clientOrderId,
    outcome,
    detail,
    ...(tracked !== undefined ? { tracked } : {}),
    statusUpdates: [],
    fills: [],
    positions: [],
  };
}

// Two changes of one report (status, then fill) as one: applied when either applied.
function merge(a: TrackerChange, b: TrackerChange): TrackerChange {
  const applied = a.outcome === 'applied' || b.outcome === 'applied';
  const outcome: TrackerOutcome = applied ? 'applied' : b.outcome === 'ignored' ? a.outcome : b.outcome;
  const error = b.error ?? a.error;
  const detail = [a.detail, b.detail].filter((d) => d !== undefined).join('; ');
  const tracked = b.tracked ?? a.tracked;
  return {
    clientOrderId: a.clientOrderId,
    outcome,
    ...(detail.length > 0 ? { detail } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(tracked !== undefined ? { tracked } : {}),
    statusUpdates: [...a.statusUpdates, ...b.statusUpdates],
    fills: [...a.fills, ...b.fills],
    positions: [...a.positions, ...b.positions],
  };
}
