// The gate's start-up read of the order manager's tables (the OMS is their only writer; the gate
// only reads). Open orders come back as the OrderRequest the OMS journaled in its outbox plus a
// status update carrying what filled so far; fills come back as FillEvents with a synthetic event
// id (the core de-duplicates fills by venue fill id, so the same fill arriving later on EXEC counts
// once). Every order a fill belongs to comes back with its current status too: a fill alone does
// not say whether its order is done, and without the closing status every filled order of the
// past would count as open. Positions are rebuilt from fills rather than loaded, because the core's
// FIFO lots and daily P&L buckets are derived from the fills themselves.

import { ExecutionEvent, OrderRequest, type FillEvent, type OrderStatusUpdate } from '@bourse/contracts';
import { dec, spotInstrument, type InstrumentSpec } from '@bourse/domain';
import type { Queryable } from '@bourse/store';
import {
  listFills,
  listOpenOrders,
  listOrdersUpdatedSince,
  loadBalances,
  loadInstruments,
  loadOrders,
  loadOutbox,
  type FillRecord,
  type StoredInstrument,
  type StoredOrder,
} from '@bourse/ledger';
import type { BalanceSnapshot } from '@bourse/risk';
import type { StartupSnapshot, StartupSource } from './types.js';

export class OmsStartupSource implements StartupSource {
  constructor(private readonly db: Queryable) {}

  async load(venue: string): Promise<StartupSnapshot> {
    const [stored, open, fills, balances] = await Promise.all([
      loadInstruments(this.db, venue),
      listOpenOrders(this.db),
      listFills(this.db),
      loadBalances(this.db, venue),
    ]);
    const openOfVenue = open.filter((o) => o.venue === venue);
    const fillsOfVenue = fills.filter((f) => f.venue === venue);
    const openIds = new Set(openOfVenue.map((o) => o.clientOrderId));
    const closed = await loadOrders(
      this.db,
      [...new Set(fillsOfVenue.map((f) => f.clientOrderId))].filter((id) => !openIds.has(id)),
    );
    const requests = new Map<string, OrderRequest>();
    for (const order of openOfVenue) {
      const journaled = await loadOutbox(this.db, order.clientOrderId);
      if (journaled) requests.set(order.clientOrderId, OrderRequest.parse(journaled.request));
    }
    return {
      instruments: stored.map(specFromStored),
      ...startupFromStore(venue, { orders: [...openOfVenue, ...closed], requests, fills: fillsOfVenue }),
      ...(balances.length > 0 ? { balances: balanceSnapshot(balances) } : {}),
    };
  }

  async knownOrderIds(venue: string, sinceMs: number): Promise<Set<string>> {
    const orders = await listOrdersUpdatedSince(this.db, sinceMs);
    return new Set(orders.filter((o) => o.venue === venue).map((o) => o.clientOrderId));
  }
}

/** What the OMS's rows say, as the core's rebuild input: open orders' requests, every order's status, every fill. */
export function startupFromStore(
  venue: string,
  store: {
    readonly orders: readonly StoredOrder[];
    /** The journaled request of each open order (by client order id). */
    readonly requests: ReadonlyMap<string, OrderRequest>;
    readonly fills: readonly FillRecord[];
  },
): { orders: OrderRequest[]; events: ExecutionEvent[] } {
  const orders: OrderRequest[] = [];
  const events: ExecutionEvent[] = [];
  for (const order of store.orders) {
    if (order.venue !== venue) continue;
    const request = store.requests.get(order.clientOrderId);
    if (request) orders.push(request);
    events.push(statusFromOrder(order));
  }
  for (const fill of store.fills) if (fill.venue === venue) events.push(fillEvent(fill));
  return { orders, events };
}

function specFromStored({ instrument: i }: StoredInstrument): InstrumentSpec {
  return spotInstrument(i.symbol, i.venue, i.venueSymbol, {
    tickSize: dec(i.tickSize),
    stepSize: dec(i.stepSize),
    ...(i.marketStepSize === undefined ? {} : { marketStepSize: dec(i.marketStepSize) }),
    minQty: dec(i.minQty),
    maxQty: dec(i.maxQty),
    minNotional: dec(i.minNotional),
    multiplier: dec(i.multiplier),
  });
}

function statusFromOrder(o: StoredOrder): ExecutionEvent {
  const update: OrderStatusUpdate = ExecutionEvent.parse({
    v: 1,
    type: 'order-status',
    // Version-scoped, so a later version of the same order is a new event and an equal one a repeat.
    eventId: `db-order:${o.clientOrderId}:v${o.version}`,
    venue: o.venue,
    instrument: o.instrument,
    clientOrderId: o.clientOrderId,
    ...(o.venueOrderId === undefined ? {} : { venueOrderId: o.venueOrderId }),
    status: o.status,
    filledQty: o.filledQty,
    cumulativeQuoteQty: o.cumulativeQuoteQty,
    ...(o.avgPrice === undefined ? {} : { avgPrice: o.avgPrice }),
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    venueTime: o.updatedAt,
  }) as OrderStatusUpdate;
  return update;
}

function fillEvent(f: FillRecord): ExecutionEvent {
  const event: FillEvent = ExecutionEvent.parse({
    v: 1,
    type: 'fill',
    eventId: `db-fill:${f.instrument}:${f.venueFillId}`.replace(/\s/g, '_').slice(0, 128),
    venue: f.venue,
    venueFillId: f.venueFillId,
    clientOrderId: f.clientOrderId,
    // The contract requires it; a fill stored without one (recorded before the ack) keeps a marker.
    venueOrderId: f.venueOrderId ?? 'unknown',
    instrument: f.instrument,
    side: f.side,
    qty: f.qty,
    price: f.price,
    fee: f.fee,
    feeAsset: f.feeAsset,
    liquidity: f.liquidity,
    venueTime: f.venueTime,
  }) as FillEvent;
  return event;
}

function balanceSnapshot(
  rows: readonly { asset: string; free: string; locked: string; updatedAt: number }[],
): BalanceSnapshot {
  return {
    asOf: Math.max(...rows.map((r) => r.updatedAt)),
    balances: Object.fromEntries(rows.map((r) => [r.asset, { free: dec(r.free), locked: dec(r.locked) }])),
  };
}
