import { FillEvent } from '@bourse/contracts';
import { ZERO, type Decimal } from '@bourse/domain';
import type { VenueClient, VenueTrade } from '@bourse/venues';
import { fillEventId } from './event-ids.js';
import type { OrderTracker, TrackedOrder, TrackerChange } from './order-tracker.js';

// An order the venue reports (partially) filled whose fills the OMS does not hold: the user-data
// stream lost them (a dropped connection; Binance never replays). The venue still lists the order's
// trades (`myTrades` by orderId), so they are fetched and applied as fills at once, each once by its
// venue fill id (a stream copy that lands later is a duplicate), instead of waiting for the
// reconciler. Nothing here decides to retry: a failed query is reported, and the order stays
// "not fully booked" in the store, where the next start and the reconciler's window find it.

/** Trades per query; Binance's maximum. An order with more trades is paged by trade id. */
export const ORDER_TRADES_PAGE = 1_000;

/** What the venue executed of an order beyond the fills applied for it (zero when nothing is missing). */
export function unbookedQty(tracked: TrackedOrder): Decimal {
  const missing = tracked.order.filledQty.minus(tracked.fillQty);
  return missing.isPositive() ? missing : ZERO;
}

export interface MissingFillsDeps {
  readonly venue: Pick<VenueClient, 'trades'>;
  readonly tracker: OrderTracker;
  /**
   * Which of these fill ids are stored already. The tracker knows the fills of its restored
   * checkpoint only for orders it followed at the start; the store knows them all.
   */
  readonly storedFillIds: (instrument: string, venueFillIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

export type MissingFillsResult =
  /** Nothing was missing, or the order has no venue order id to ask with. */
  | { readonly kind: 'none'; readonly reason: string }
  /** The venue was asked; `booked` are the fill ids applied now (possibly none), `stillMissing` what is left. */
  | {
      readonly kind: 'booked';
      readonly changes: readonly TrackerChange[];
      readonly booked: readonly string[];
      readonly stillMissing: Decimal;
      /** Trades the venue listed that could not be applied, with the reason. */
      readonly refused: readonly string[];
    }
  /** The venue could not be asked. */
  | { readonly kind: 'failed'; readonly reason: string };

/** Asks the venue for the trades of `clientOrderId` when its fills do not add up, and applies the missing ones. */
export async function recoverMissingFills(clientOrderId: string, deps: MissingFillsDeps): Promise<MissingFillsResult> {
  const tracked = deps.tracker.get(clientOrderId);
  if (tracked === undefined) return { kind: 'none', reason: 'not followed' };
  if (!unbookedQty(tracked).isPositive()) return { kind: 'none', reason: 'fills add up' };
  const venueOrderId = tracked.order.venueOrderId;
  if (venueOrderId === undefined) return { kind: 'none', reason: 'no venue order id yet' };
  const { request } = tracked;
  let trades: VenueTrade[];
  try {
    trades = await tradesOfOrder(deps.venue, request.instrument, venueOrderId);
  } catch (error) {
    return { kind: 'failed', reason: `trades of order ${venueOrderId}: ${messageOf(error)}` };
  }
  const stored = await deps.storedFillIds(
    request.instrument,
    trades.map((t) => t.venueFillId),
  );
  const changes: TrackerChange[] = [];
  const booked: string[] = [];
  const refused: string[] = [];
  for (const trade of trades) {
    if (trade.venueOrderId !== venueOrderId || stored.has(trade.venueFillId)) continue;
    const event = FillEvent.safeParse({
      v: 1,
      type: 'fill',
      eventId: fillEventId(request.venue, request.venueSymbol, trade.venueFillId),
      venue: request.venue,
      venueFillId: trade.venueFillId,
      clientOrderId: request.clientOrderId,
      venueOrderId: trade.venueOrderId,
      instrument: request.instrument,
      side: trade.side,
      qty: trade.quantity,
      price: trade.price,
      fee: trade.commission,
      feeAsset: trade.commissionAsset,
      liquidity: trade.liquidity,
      venueTime: trade.time,
    });
    if (!event.success) {
      refused.push(
        `${trade.venueFillId}: ${event.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`,
      );
      continue;
    }
    const change = deps.tracker.applyFill(event.data);
    if (change.outcome === 'applied') {
      booked.push(trade.venueFillId);
      changes.push(change);
    } else if (change.outcome === 'rejected') {
      refused.push(`${trade.venueFillId}: ${change.detail ?? 'rejected'}`);
    }
  }
  const after = deps.tracker.get(clientOrderId);
  return {
    kind: 'booked',
    changes,
    booked,
    stillMissing: after === undefined ? ZERO : unbookedQty(after),
    refused,
  };
}

async function tradesOfOrder(
  venue: Pick<VenueClient, 'trades'>,
  instrument: TrackedOrder['request']['instrument'],
  venueOrderId: string,
): Promise<VenueTrade[]> {
  const all: VenueTrade[] = [];
  // From the first trade on: without fromId the venue may answer with the most recent page only.
  let fromId = '0';
  for (;;) {
    const page = await venue.trades({ symbol: instrument, orderId: venueOrderId, fromId, limit: ORDER_TRADES_PAGE });
    all.push(...page);
    const last = page.at(-1);
    const n = last === undefined ? undefined : /(\d+)$/.exec(last.venueFillId)?.[1];
    if (page.length < ORDER_TRADES_PAGE || n === undefined) return all;
    fromId = (BigInt(n) + 1n).toString();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
