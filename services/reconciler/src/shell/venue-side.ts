// The venue's side of a run, read after ours (see README: the order of reads). Any failure is a
// RunFailedError naming the read, so the run is stored as failed-to-run and never passes.
// The venue has no consistent snapshot of trades and balances: a fill landing between the two reads
// would be in one and not the other, i.e. drift that is not there. So balances are read after the
// trades and the trades are asked again after the balances: only when no trade arrived in between
// do the balances reflect exactly the trades read; otherwise the new trades are added and the
// balances read again, a bounded number of times.

import type { VenueClient, VenueOrder, VenueTrade, TradesQuery } from '@bourse/venues';
import {
  ordersToQuery,
  tradeNumber,
  tradeQueries,
  type Checkpoint,
  type DatedOrder,
  type InFlightSubmission,
  type OurOrder,
  type VenueSnapshot,
} from '@bourse/reconciliation';
import { RunFailedError, RunFailureCode, describe } from './errors.js';

/** Trades per request; a full page means there may be more. */
export const TRADES_PAGE = 1_000;
/** Pages per instrument in one run; the checkpoint carries the rest to the next run. */
export const MAX_TRADE_PAGES = 20;
/** Balance reads per run; each further one follows trades that arrived while the previous was read. */
export const MAX_BALANCE_READS = 5;

export interface VenueReadContext {
  readonly checkpoint: Checkpoint;
  /** Every order of ours the run may meet (open, and closed ones we hold fills of). */
  readonly ourOrders: readonly OurOrder[];
  /** Submissions the OMS has not settled yet: asked by client order id, so their trades are known as ours. */
  readonly submissions?: readonly InFlightSubmission[];
  /** Our open orders with their creation time (they date the first trade query of an instrument). */
  readonly ourOpenOrders: readonly DatedOrder[];
  /** Our orders whose filled quantity is above their stored fills (so do these). */
  readonly unbookedOrders: readonly DatedOrder[];
  /** Per instrument, our first order's creation time: the window's start when nothing else dates it. */
  readonly firstOrderAt: Readonly<Record<string, number>>;
}

export async function readVenueSide(venue: VenueClient, ctx: VenueReadContext): Promise<VenueSnapshot> {
  const openOrders = await step('openOrders', () => venue.openOrders());
  const queriedOrders: VenueOrder[] = [];
  for (const request of ordersToQuery(ctx.ourOrders, openOrders, ctx.submissions)) {
    const found = await step(`queryOrder ${request.clientOrderId}`, () => venue.queryOrder(request));
    if (found) queriedOrders.push(found);
  }
  const queries = tradeQueries({
    checkpoint: ctx.checkpoint,
    ourOpenOrders: ctx.ourOpenOrders,
    unbookedOrders: ctx.unbookedOrders,
    venueOpen: openOrders,
    firstOrderAt: ctx.firstOrderAt,
  });
  const trades: VenueTrade[] = [];
  // An instrument whose trades did not fit in this run's pages cannot match the balances anyway;
  // asking again would only read the next pages, so it is not asked again.
  const complete: TradesQuery[] = [];
  for (const query of queries) {
    const read = await tradesFrom(venue, query);
    trades.push(...read.trades);
    if (read.complete) complete.push(query);
  }
  for (let reads = 1; ; reads++) {
    const balances = await step('balances', () => venue.balances());
    const arrived = await tradesAfter(venue, complete, trades);
    if (arrived.length === 0) return { openOrders, queriedOrders, trades, balances };
    if (reads >= MAX_BALANCE_READS) {
      throw new RunFailedError(
        RunFailureCode.VENUE_UNSETTLED,
        'venue.balances',
        `trades kept arriving while the venue's balances were read (${reads} reads, ${arrived.length} new trade(s) after the last); the next run tries again`,
      );
    }
    trades.push(...arrived);
  }
}

/** Trades after the newest one read per instrument (all of the original query where none was read). */
async function tradesAfter(
  venue: VenueClient,
  queries: readonly TradesQuery[],
  read: readonly VenueTrade[],
): Promise<VenueTrade[]> {
  const arrived: VenueTrade[] = [];
  const seen = new Set(read.map((t) => `${t.symbol} ${t.venueFillId}`));
  for (const query of queries) {
    let newest: bigint | undefined;
    for (const t of read) {
      const n = t.symbol === query.symbol ? tradeNumber(t.venueFillId) : undefined;
      if (n !== undefined && (newest === undefined || BigInt(n) > newest)) newest = BigInt(n);
    }
    const next = newest === undefined ? query : { symbol: query.symbol, fromId: (newest + 1n).toString() };
    // A trade read already is not new (a fill id without a trade number repeats the first query).
    const again = (await tradesFrom(venue, next)).trades;
    arrived.push(...again.filter((t) => !seen.has(`${t.symbol} ${t.venueFillId}`)));
  }
  return arrived;
}

/** Pages forward by trade id (Binance refuses fromId with a time range, so later pages use fromId alone). */
async function tradesFrom(
  venue: VenueClient,
  first: TradesQuery,
): Promise<{ trades: VenueTrade[]; complete: boolean }> {
  const all: VenueTrade[] = [];
  let query: TradesQuery = { ...first, limit: TRADES_PAGE };
  for (let page = 0; page < MAX_TRADE_PAGES; page++) {
    const batch = await step(`trades ${first.symbol}`, () => venue.trades(query));
    all.push(...batch);
    const last = batch.at(-1);
    const n = last === undefined ? undefined : tradeNumber(last.venueFillId);
    if (batch.length < TRADES_PAGE || n === undefined) return { trades: all, complete: true };
    query = { symbol: first.symbol, fromId: (BigInt(n) + 1n).toString(), limit: TRADES_PAGE };
  }
  return { trades: all, complete: false };
}

async function step<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new RunFailedError(
      RunFailureCode.VENUE_UNAVAILABLE,
      `venue.${what}`,
      `venue ${what} failed: ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
}
