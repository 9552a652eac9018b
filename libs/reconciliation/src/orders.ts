import {
  OrderStatusUpdate,
  type ClientOrderId,
  type InstrumentSymbol,
  type OrderDifference,
  type OrderStatus,
  type UnknownOpenOrder,
  type VenueId,
} from '@bourse/contracts';
import { isTerminal, parseClientOrderId } from '@bourse/domain';
import type { CancelOrderRequest, QueryOrderRequest, VenueOrder } from '@bourse/venues';
import type { ReconcilerConfig } from './config.js';
import type { OurOrder, InFlightSubmission } from './types.js';
import { amount } from './values.js';

// Our open orders against the venue's. Rules (README, "Orders"):
// - open with us, closed at the venue → an OrderStatusUpdate carrying the venue's final state;
// - open on both, the venue further along (more filled, or acknowledging an order we hold as
//   pending-new / unknown) → an OrderStatusUpdate too; quantities are cumulative, so it is idempotent;
// - open with us, unknown to the venue → reported only (the OMS resolves its own unknowns, DESIGN 7);
// - we hold more filled than the venue → reported and halts: we would be trading on fills that do not exist;
// - open at the venue, not open with us → an UnknownOpenOrder, canceled per the `unknownOrders` policy.

/** Average price digits for an update (the venue gives cumulative quote and quantity, not the average). */
const AVG_PRICE_PLACES = 16;
/** Our statuses that wait on the venue: a venue "open" answer is no news for them. */
const IN_FLIGHT: ReadonlySet<OrderStatus> = new Set(['pending-cancel', 'pending-replace']);
/** Our statuses that a venue "open" answer resolves. */
const UNCONFIRMED: ReadonlySet<OrderStatus> = new Set(['pending-new', 'unknown']);

export interface OrderComparison {
  readonly differences: readonly OrderDifference[];
  readonly updates: readonly OrderStatusUpdate[];
  readonly unknown: readonly UnknownOpenOrder[];
  readonly cancels: readonly CancelOrderRequest[];
  readonly haltReasons: readonly string[];
  readonly checked: number;
}

export interface OrderContext {
  readonly venue: VenueId;
  readonly config: ReconcilerConfig;
  readonly ourOrders: readonly OurOrder[];
  readonly ourLoadedAt: number;
  readonly venueOpen: readonly VenueOrder[];
  readonly venueQueried: readonly VenueOrder[];
  /** Client order ids of our submissions the OMS is still settling: open at the venue, they are ours. */
  readonly submissions?: ReadonlySet<string>;
}

/**
 * Our open orders the venue no longer lists as open, and our submissions in flight it does not list
 * as open: the shell queries each by client order id before `reconcile`.
 */
export function ordersToQuery(
  ourOrders: readonly OurOrder[],
  venueOpen: readonly VenueOrder[],
  submissions: readonly InFlightSubmission[] = [],
): QueryOrderRequest[] {
  const open = new Set(venueOpen.map((o) => o.clientOrderId as string));
  const asked = new Set<string>();
  const queries: QueryOrderRequest[] = [];
  const ask = (clientOrderId: string, instrument: string): void => {
    if (open.has(clientOrderId) || asked.has(clientOrderId)) return;
    asked.add(clientOrderId);
    queries.push({ symbol: instrument as InstrumentSymbol, clientOrderId: clientOrderId as ClientOrderId });
  };
  for (const o of ourOrders) if (!isTerminal(o.status)) ask(o.clientOrderId, o.instrument);
  for (const s of submissions) ask(s.clientOrderId, s.instrument);
  return queries;
}

export function compareOrders(ctx: OrderContext): OrderComparison {
  const venueByClientId = new Map<string, VenueOrder>();
  for (const v of ctx.venueQueried) venueByClientId.set(v.clientOrderId, v);
  // The open list wins over a query answer: it is the fresher of the two reads.
  for (const v of ctx.venueOpen) venueByClientId.set(v.clientOrderId, v);
  const ourByClientId = new Map(ctx.ourOrders.map((o) => [o.clientOrderId, o]));

  const differences: OrderDifference[] = [];
  const updates: OrderStatusUpdate[] = [];
  const haltReasons: string[] = [];
  const ourOpen = ctx.ourOrders.filter((o) => !isTerminal(o.status));
  for (const ours of ourOpen) {
    const v = venueByClientId.get(ours.clientOrderId);
    if (!v) {
      differences.push(difference(ours, undefined));
      continue;
    }
    const ourFilled = amount(`order ${ours.clientOrderId} filledQty`, ours.filledQty);
    const venueFilled = amount(`venue order ${v.clientOrderId} cumulativeQuantity`, v.cumulativeQuantity);
    if (ourFilled.gt(venueFilled)) {
      differences.push(difference(ours, v));
      haltReasons.push(
        `order ${ours.clientOrderId}: we hold ${ours.filledQty} filled, the venue ${v.cumulativeQuantity}`,
      );
      continue;
    }
    const closed = isTerminal(v.status);
    const ahead = venueFilled.gt(ourFilled) || UNCONFIRMED.has(ours.status);
    if (!closed && !ahead) {
      if (v.status !== ours.status && !IN_FLIGHT.has(ours.status)) differences.push(difference(ours, v));
      continue;
    }
    differences.push(difference(ours, v));
    const update = statusUpdate(ctx.venue, v);
    if (update.success) updates.push(update.data);
    else {
      haltReasons.push(
        `venue state of order ${v.clientOrderId} is not a valid status update: ` +
          update.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', '),
      );
    }
  }

  const unknown: UnknownOpenOrder[] = [];
  const cancels: CancelOrderRequest[] = [];
  const horizon = ctx.ourLoadedAt - ctx.config.unknownOrderGraceMs;
  let venueOnly = 0;
  for (const v of ctx.venueOpen) {
    const ours = ourByClientId.get(v.clientOrderId);
    if (ours && !isTerminal(ours.status)) continue;
    if (ctx.submissions?.has(v.clientOrderId) === true) continue;
    venueOnly++;
    // Possibly placed after our side was read: the next run sees it in our records.
    if (v.createdAt >= horizon) continue;
    // We hold it closed, the venue open: as serious as a stranger, and worth naming in the differences.
    if (ours) differences.push(difference(ours, v));
    unknown.push(unknownOrder(v));
    if (shouldCancel(ctx.config, v, ours !== undefined))
      cancels.push({ symbol: v.symbol, clientOrderId: v.clientOrderId });
  }
  return { differences, updates, unknown, cancels, haltReasons, checked: ourOpen.length + venueOnly };
}

function shouldCancel(config: ReconcilerConfig, v: VenueOrder, knownToUs: boolean): boolean {
  switch (config.unknownOrders) {
    case 'report':
      return false;
    case 'cancel-all':
      return true;
    case 'cancel-ours':
      // Foreign ids belong to a person or another program on the account: never ours to cancel.
      return knownToUs || parseClientOrderId(v.clientOrderId).ok;
  }
}

function difference(ours: OurOrder, v: VenueOrder | undefined): OrderDifference {
  return {
    clientOrderId: ours.clientOrderId as ClientOrderId,
    ...(v ? { venueOrderId: v.venueOrderId } : {}),
    expectedStatus: ours.status,
    actualStatus: v?.status ?? null,
    expectedFilledQty: ours.filledQty,
    actualFilledQty: v?.cumulativeQuantity ?? null,
  };
}

function unknownOrder(v: VenueOrder): UnknownOpenOrder {
  const price = amount(`venue order ${v.clientOrderId} price`, v.price);
  return {
    venueOrderId: v.venueOrderId,
    clientOrderId: v.clientOrderId,
    instrument: v.symbol,
    side: v.side,
    qty: v.quantity,
    // A market order carries price 0 at Binance: no price to report.
    ...(price.isPositive() ? { price: v.price } : {}),
  };
}

/** The venue's view of an order as an OrderStatusUpdate; the event id names the state, so a re-run repeats it. */
export function statusUpdate(venue: VenueId, v: VenueOrder): ReturnType<typeof OrderStatusUpdate.safeParse> {
  const filled = amount(`venue order ${v.clientOrderId} cumulativeQuantity`, v.cumulativeQuantity);
  const quote = amount(`venue order ${v.clientOrderId} cumulativeQuote`, v.cumulativeQuote);
  const avg = filled.isPositive() && quote.isPositive() ? quote.div(filled, AVG_PRICE_PLACES) : undefined;
  return OrderStatusUpdate.safeParse({
    v: 1,
    type: 'order-status',
    eventId: `${venue}:recon:${v.clientOrderId}:${v.status}:${filled.toString()}`,
    venue,
    instrument: v.symbol,
    clientOrderId: v.clientOrderId,
    venueOrderId: v.venueOrderId,
    status: v.status,
    filledQty: filled.toString(),
    cumulativeQuoteQty: quote.toString(),
    ...(avg && avg.isPositive() ? { avgPrice: avg.toString() } : {}),
    reason: `reconciler: venue reports ${v.venueStatus}`,
    // The venue's own status: a rejection here is the venue's, which the rejection-burst trigger counts.
    ...(v.status === 'rejected' ? { rejectedBy: 'venue' } : {}),
    venueTime: v.updatedAt,
  });
}
