// The venue's side of a run, read after ours (see README: the order of reads). Any failure is a
// RunFailedError naming the read, so the run is stored as failed-to-run and never passes.

import type { VenueClient, VenueOrder, VenueTrade, TradesQuery } from '@bourse/venues';
import { ordersToQuery } from '../core/orders.js';
import { tradeQueries, type DatedOrder } from '../core/trade-queries.js';
import { tradeNumber } from '../core/values.js';
import type { Checkpoint, OurOrder, VenueSnapshot } from '../core/types.js';
import { RunFailedError, RunFailureCode, describe } from './errors.js';

/** Trades per request; a full page means there may be more. */
export const TRADES_PAGE = 1_000;
/** Pages per instrument in one run; the checkpoint carries the rest to the next run. */
export const MAX_TRADE_PAGES = 20;

export interface VenueReadContext {
  readonly checkpoint: Checkpoint;
  /** Every order of ours the run may meet (open, and closed ones we hold fills of). */
  readonly ourOrders: readonly OurOrder[];
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
  for (const request of ordersToQuery(ctx.ourOrders, openOrders)) {
    const found = await step(`queryOrder ${request.clientOrderId}`, () => venue.queryOrder(request));
    if (found) queriedOrders.push(found);
  }
  const trades: VenueTrade[] = [];
  const queries = tradeQueries({
    checkpoint: ctx.checkpoint,
    ourOpenOrders: ctx.ourOpenOrders,
    unbookedOrders: ctx.unbookedOrders,
    venueOpen: openOrders,
    firstOrderAt: ctx.firstOrderAt,
  });
  for (const query of queries) trades.push(...(await tradesFrom(venue, query)));
  const balances = await step('balances', () => venue.balances());
  return { openOrders, queriedOrders, trades, balances };
}

/** Pages forward by trade id (Binance refuses fromId with a time range, so later pages use fromId alone). */
async function tradesFrom(venue: VenueClient, first: TradesQuery): Promise<VenueTrade[]> {
  const all: VenueTrade[] = [];
  let query: TradesQuery = { ...first, limit: TRADES_PAGE };
  for (let page = 0; page < MAX_TRADE_PAGES; page++) {
    const batch = await step(`trades ${first.symbol}`, () => venue.trades(query));
    all.push(...batch);
    const last = batch.at(-1);
    const n = last === undefined ? undefined : tradeNumber(last.venueFillId);
    if (batch.length < TRADES_PAGE || n === undefined) break;
    query = { symbol: first.symbol, fromId: (BigInt(n) + 1n).toString(), limit: TRADES_PAGE };
  }
  return all;
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
