import { FillEvent, type AmountDifference, type Side, type VenueFillId, type VenueId } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { VenueOrder, VenueTrade } from '@bourse/venues';
import type { Checkpoint, OurFill, OurOrder, TradeCheckpoint } from './types.js';
import { amount, compareIds } from './values.js';

// Venue trades since the checkpoint against our fills. A trade whose fill id we do not hold is a
// missed fill: it goes back to the OMS as a FillEvent whose event id is the one the venue's
// user-data stream would have given it, so the OMS drops it if the stream copy lands after all.

/** A missed fill in exact numbers, for the balance and position checks. */
export interface MissedFill {
  readonly strategyId: string;
  readonly instrument: string;
  readonly side: Side;
  readonly qty: Decimal;
  readonly price: Decimal;
  readonly fee: { readonly asset: string; readonly amount: Decimal };
}

export interface FillComparison {
  /** In venue order (time, then trade id). */
  readonly events: readonly FillEvent[];
  readonly missed: readonly MissedFill[];
  readonly differences: readonly AmountDifference[];
  readonly haltReasons: readonly string[];
  readonly checkpoint: Checkpoint;
  readonly checked: number;
  /** Trades of orders placed after our snapshot (see `FillContext.ourLoadedAt`). */
  readonly inFlight: number;
}

export interface FillContext {
  readonly venue: VenueId;
  readonly checkpoint: Checkpoint;
  readonly trades: readonly VenueTrade[];
  readonly venueOrders: readonly VenueOrder[];
  readonly ourOrders: readonly OurOrder[];
  readonly ourFills: readonly OurFill[];
  /**
   * When our side was read. A trade at or after it of an order our snapshot does not know is in
   * flight: most likely an order placed after the snapshot and filled before the venue was read.
   * Its amounts count as expected (the venue's balances hold it); it is not sent to the OMS (which
   * books it from the stream, or a later run does), and the checkpoint stops before it, so a later
   * run examines it again. A trade of another program on the account is older than the next run's
   * snapshot and shows as drift there.
   */
  readonly ourLoadedAt?: number;
  /**
   * Client order ids of our submissions without a venue answer on record (the OMS is settling
   * them). A trade of one of these (tied through the venue's order) is in flight, as above.
   */
  readonly submissions?: ReadonlySet<string>;
}

/**
 * The event id the venue adapter gives a fill (`binance:fill:BTCUSDT:12345`), so both copies share
 * it. The adapter's fill id may already carry the symbol (`BTCUSDT:12345`); it is not repeated.
 */
export function fillEventId(venue: string, instrument: string, venueFillId: string): string {
  const symbol = instrument.replace('/', '');
  const local = venueFillId.startsWith(`${symbol}:`) ? venueFillId.slice(symbol.length + 1) : venueFillId;
  return `${venue}:fill:${symbol}:${local}`;
}

export function compareFills(ctx: FillContext): FillComparison {
  const known = new Map(ctx.ourFills.map((f) => [fillKey(f.instrument, f.venueFillId), f]));
  const orderOf = orderResolver(ctx.ourOrders, ctx.venueOrders);
  const submitted = new Set(
    ctx.venueOrders.filter((v) => ctx.submissions?.has(v.clientOrderId) === true).map((v) => v.venueOrderId as string),
  );
  const seen = new Set<string>();
  const fresh: VenueTrade[] = [];
  for (const trade of ctx.trades) {
    const key = fillKey(trade.symbol, trade.venueFillId);
    const mark = ctx.checkpoint[trade.symbol];
    // The shell may ask from the checkpoint trade itself (inclusive); a run already handled it.
    if (seen.has(key) || (mark && compareIds(trade.venueFillId, mark.lastTradeId) <= 0)) continue;
    seen.add(key);
    fresh.push(trade);
  }
  fresh.sort((a, b) => a.time - b.time || compareIds(a.venueFillId, b.venueFillId));

  const events: FillEvent[] = [];
  const missed: MissedFill[] = [];
  const differences: AmountDifference[] = [];
  const haltReasons: string[] = [];
  const inFlight: VenueTrade[] = [];
  for (const trade of fresh) {
    const qty = amount(`trade ${trade.venueFillId} quantity`, trade.quantity);
    const price = amount(`trade ${trade.venueFillId} price`, trade.price);
    const ours = known.get(fillKey(trade.symbol, trade.venueFillId));
    if (ours) {
      const same =
        ours.side === trade.side &&
        amount(`fill ${ours.venueFillId} qty`, ours.qty).eq(qty) &&
        amount(`fill ${ours.venueFillId} price`, ours.price).eq(price);
      if (!same) {
        differences.push({ key: trade.venueFillId, expected: ours.qty, actual: trade.quantity });
        haltReasons.push(
          `fill ${trade.venueFillId} on ${trade.symbol} differs: ours ${ours.side} ${ours.qty} @ ${ours.price}, ` +
            `venue ${trade.side} ${trade.quantity} @ ${trade.price}`,
        );
      }
      continue;
    }
    differences.push({ key: trade.venueFillId, expected: null, actual: trade.quantity });
    const order = orderOf(trade.venueOrderId);
    const afterSnapshot = ctx.ourLoadedAt !== undefined && trade.time >= ctx.ourLoadedAt;
    if (!order && (afterSnapshot || submitted.has(trade.venueOrderId))) {
      inFlight.push(trade);
      missed.push({
        strategyId: IN_FLIGHT,
        instrument: trade.symbol,
        side: trade.side,
        qty,
        price,
        fee: {
          asset: trade.commissionAsset,
          amount: amount(`trade ${trade.venueFillId} commission`, trade.commission),
        },
      });
      continue;
    }
    if (!order) {
      // A trade of an order we never placed (another program on the account) or cannot tie to one:
      // not ours to apply. Reported here; its effect on balances shows as balance drift.
      continue;
    }
    if (order.side !== trade.side) {
      haltReasons.push(
        `fill ${trade.venueFillId} on ${trade.symbol} is ${trade.side} but order ${order.clientOrderId} is ${order.side}`,
      );
      continue;
    }
    const parsed = FillEvent.safeParse({
      v: 1,
      type: 'fill',
      eventId: fillEventId(ctx.venue, trade.symbol, trade.venueFillId),
      venue: ctx.venue,
      venueFillId: trade.venueFillId,
      clientOrderId: order.clientOrderId,
      venueOrderId: trade.venueOrderId,
      instrument: trade.symbol,
      side: trade.side,
      qty: trade.quantity,
      price: trade.price,
      fee: trade.commission,
      feeAsset: trade.commissionAsset,
      liquidity: trade.liquidity,
      venueTime: trade.time,
    });
    if (!parsed.success) {
      haltReasons.push(
        `fill ${trade.venueFillId} on ${trade.symbol} cannot be sent to the OMS: ` +
          parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', '),
      );
      continue;
    }
    events.push(parsed.data);
    missed.push({
      strategyId: order.strategyId,
      instrument: trade.symbol,
      side: trade.side,
      qty,
      price,
      fee: { asset: parsed.data.feeAsset, amount: amount(`trade ${trade.venueFillId} commission`, parsed.data.fee) },
    });
  }
  return {
    events,
    missed,
    differences,
    haltReasons,
    checkpoint: advance(ctx.checkpoint, before(fresh, inFlight)),
    checked: fresh.length,
    inFlight: inFlight.length,
  };
}

/** Strategy id of an in-flight trade's amounts (no order of ours names its strategy yet). */
export const IN_FLIGHT = '(in flight)';

/** The trades before each instrument's first in-flight trade: the checkpoint may pass only these. */
function before(trades: readonly VenueTrade[], inFlight: readonly VenueTrade[]): VenueTrade[] {
  const first = new Map<string, string>();
  for (const t of inFlight) {
    const seen = first.get(t.symbol);
    if (seen === undefined || compareIds(t.venueFillId, seen) < 0) first.set(t.symbol, t.venueFillId);
  }
  return trades.filter((t) => {
    const stop = first.get(t.symbol);
    return stop === undefined || compareIds(t.venueFillId, stop) < 0;
  });
}

/** The ids of the missed fills a result recovered, for the report. */
export function recoveredIds(events: readonly FillEvent[]): VenueFillId[] {
  return events.map((e) => e.venueFillId);
}

function fillKey(instrument: string, venueFillId: string): string {
  return `${instrument}|${venueFillId}`;
}

/** Ties a venue order id to our order: directly, or through the client order id the venue reports for it. */
function orderResolver(
  ourOrders: readonly OurOrder[],
  venueOrders: readonly VenueOrder[],
): (venueOrderId: string) => OurOrder | undefined {
  const byClientId = new Map(ourOrders.map((o) => [o.clientOrderId, o]));
  const byVenueId = new Map<string, OurOrder>();
  for (const o of ourOrders) if (o.venueOrderId) byVenueId.set(o.venueOrderId, o);
  for (const v of venueOrders) {
    const o = byClientId.get(v.clientOrderId);
    if (o && !byVenueId.has(v.venueOrderId)) byVenueId.set(v.venueOrderId, o);
  }
  return (venueOrderId) => byVenueId.get(venueOrderId);
}

function advance(checkpoint: Checkpoint, trades: readonly VenueTrade[]): Checkpoint {
  const next: Record<string, TradeCheckpoint> = { ...checkpoint };
  for (const t of trades) {
    const mark = next[t.symbol];
    if (!mark || compareIds(t.venueFillId, mark.lastTradeId) > 0) {
      next[t.symbol] = { lastTradeId: t.venueFillId, lastTradeTime: t.time };
    }
  }
  return next;
}
