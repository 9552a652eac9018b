import type { OrderRequest, OrderStatusUpdate, OrderStyle, Side } from '@bourse/contracts';
import { TERMINAL_ORDER_STATUSES } from '@bourse/contracts';
import { Decimal, ZERO, dec } from '@bourse/domain';

// One order as the risk gate follows it: what it commits until it is done. Built from the accepted
// OrderRequest and the execution events for its client order id, in any order: filled quantities
// only grow (the maximum of what status updates and fills say) and a terminal status sticks, so a
// repeated or late event never brings an order back or double counts a fill.

export interface TrackedOrder {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrument: string;
  /** Unknown for an order we only heard of through a status update (placed outside the gate). */
  readonly side?: Side;
  readonly style?: OrderStyle;
  readonly qty?: Decimal;
  readonly quoteQty?: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly createdAt?: number;
  /** True once any execution event for it was seen: it is no longer in flight. */
  readonly eventSeen: boolean;
  readonly terminal: boolean;
  /** Highest cumulative filled quantity a status update reported. */
  readonly statusFilledQty: Decimal;
  readonly statusFilledQuote: Decimal;
  /** Sum of the distinct fills applied. */
  readonly fillFilledQty: Decimal;
  readonly fillFilledQuote: Decimal;
}

/** A tracked order for an accepted request, in flight until its first execution event. */
export function trackedFromRequest(order: OrderRequest): TrackedOrder {
  return {
    clientOrderId: order.clientOrderId,
    strategyId: order.strategyId,
    instrument: order.instrument,
    side: order.side,
    style: order.style,
    qty: order.qty === undefined ? undefined : dec(order.qty),
    quoteQty: order.quoteQty === undefined ? undefined : dec(order.quoteQty),
    price: order.price === undefined ? undefined : dec(order.price),
    stopPrice: order.stopPrice === undefined ? undefined : dec(order.stopPrice),
    createdAt: order.createdAt,
    eventSeen: false,
    terminal: false,
    statusFilledQty: ZERO,
    statusFilledQuote: ZERO,
    fillFilledQty: ZERO,
    fillFilledQuote: ZERO,
  };
}

/** A tracked order known only from an execution event. */
export function trackedFromEvent(clientOrderId: string, strategyId: string, instrument: string): TrackedOrder {
  return {
    clientOrderId,
    strategyId,
    instrument,
    eventSeen: true,
    terminal: false,
    statusFilledQty: ZERO,
    statusFilledQuote: ZERO,
    fillFilledQty: ZERO,
    fillFilledQuote: ZERO,
  };
}

/** Merges the request into an order first seen through its events (the events keep their say). */
export function mergeRequest(known: TrackedOrder, order: OrderRequest): TrackedOrder {
  const fresh = trackedFromRequest(order);
  return {
    ...fresh,
    eventSeen: known.eventSeen,
    terminal: known.terminal,
    statusFilledQty: known.statusFilledQty,
    statusFilledQuote: known.statusFilledQuote,
    fillFilledQty: known.fillFilledQty,
    fillFilledQuote: known.fillFilledQuote,
  };
}

/** Applies a status update: cumulative quantities only grow, a terminal status sticks. */
export function applyStatus(order: TrackedOrder, update: OrderStatusUpdate): TrackedOrder {
  return {
    ...order,
    eventSeen: true,
    terminal: order.terminal || TERMINAL_ORDER_STATUSES.includes(update.status),
    statusFilledQty: Decimal.max(order.statusFilledQty, dec(update.filledQty)),
    statusFilledQuote: Decimal.max(order.statusFilledQuote, dec(update.cumulativeQuoteQty)),
  };
}

/** True while accepted by the gate and not yet heard of on EXEC. */
export function isInFlight(order: TrackedOrder): boolean {
  return !order.eventSeen && !order.terminal;
}

/** Closes an in-flight order the OMS never received: it stops counting and committing. */
export function expireOrder(order: TrackedOrder): TrackedOrder {
  return { ...order, terminal: true };
}

/** Adds one distinct fill (the caller de-duplicates). */
export function applyOrderFill(order: TrackedOrder, qty: Decimal, price: Decimal): TrackedOrder {
  return {
    ...order,
    eventSeen: true,
    fillFilledQty: order.fillFilledQty.plus(qty),
    fillFilledQuote: order.fillFilledQuote.plus(qty.times(price)),
  };
}

/** Base quantity still to trade (zero when done or unknown); quote-sized orders are converted at `mid`, rounded up. */
export function remainingQty(order: TrackedOrder, mid: Decimal | undefined): Decimal {
  if (order.terminal) return ZERO;
  if (order.qty !== undefined) {
    const left = order.qty.minus(Decimal.max(order.statusFilledQty, order.fillFilledQty));
    return left.isPositive() ? left : ZERO;
  }
  const quote = remainingQuote(order);
  if (quote.isZero() || mid === undefined || !mid.isPositive()) return ZERO;
  return quote.div(mid, 12, 'ceil');
}

/** Quote amount still to trade on a quote-sized order; zero otherwise. */
export function remainingQuote(order: TrackedOrder): Decimal {
  if (order.terminal || order.quoteQty === undefined) return ZERO;
  const left = order.quoteQty.minus(Decimal.max(order.statusFilledQuote, order.fillFilledQuote));
  return left.isPositive() ? left : ZERO;
}

/**
 * What the order still holds of each asset: a BUY its remaining quote (at its limit price, its stop
 * price, or `mid` for a market order), a SELL its remaining base. Empty when the side is unknown.
 */
export function committedBy(
  order: TrackedOrder,
  assets: { base: string; quote: string },
  mid: Decimal | undefined,
): [asset: string, amount: Decimal] | undefined {
  if (order.terminal || order.side === undefined) return undefined;
  if (order.side === 'SELL') return [assets.base, remainingQty(order, mid)];
  if (order.quoteQty !== undefined) return [assets.quote, remainingQuote(order)];
  const price = order.price ?? order.stopPrice ?? mid;
  if (price === undefined) return undefined;
  return [assets.quote, remainingQty(order, mid).times(price)];
}
