import { z } from 'zod';
import { compareDecimalStrings, isZeroDecimal } from './decimal-order.js';
import {
  EpochMs,
  InstrumentSymbol,
  NonNegativeDecimalString,
  PositiveDecimalString,
  Side,
  VenueId,
} from './primitives.js';

// Normalised market data as the gateway publishes it on core NATS (md.<venue>.<symbol>.<kind>).
// Every message says when the venue stamped it (venueTime) and when we received it (receivedAt), so
// consumers can measure staleness against their own clock.

/** Top of book. A side with no orders is sent as price and qty "0", as Binance does. */
export const Quote = z
  .object({
    v: z.literal(1),
    venue: VenueId,
    instrument: InstrumentSymbol,
    bidPrice: NonNegativeDecimalString,
    bidQty: NonNegativeDecimalString,
    askPrice: NonNegativeDecimalString,
    askQty: NonNegativeDecimalString,
    /** Venue's book update id when it gives one (Binance bookTicker `u`). */
    updateId: z.number().int().nonnegative().optional(),
    /** Venue timestamp; optional because Binance Spot's bookTicker stream carries none. */
    venueTime: EpochMs.optional(),
    receivedAt: EpochMs,
  })
  .superRefine((q, ctx) => {
    const bothSides = !isZeroDecimal(q.bidPrice) && !isZeroDecimal(q.askPrice);
    if (bothSides && compareDecimalStrings(q.bidPrice, q.askPrice) >= 0) {
      ctx.addIssue({ code: 'custom', path: ['askPrice'], message: `must be above bidPrice (${q.bidPrice})` });
    }
  });
export type Quote = z.infer<typeof Quote>;

/** One public trade on the venue. */
export const Trade = z.object({
  v: z.literal(1),
  venue: VenueId,
  instrument: InstrumentSymbol,
  venueTradeId: z.string().min(1),
  price: PositiveDecimalString,
  qty: PositiveDecimalString,
  /** The taker's side (Binance `m` = buyer is maker, so the aggressor was the seller). */
  aggressor: Side,
  venueTime: EpochMs,
  receivedAt: EpochMs,
});
export type Trade = z.infer<typeof Trade>;

/** `[price, qty]`, as Binance sends depth levels. */
export const BookLevel = z.tuple([PositiveDecimalString, NonNegativeDecimalString]);
export type BookLevel = z.infer<typeof BookLevel>;

function checkSideOrder(levels: BookLevel[], side: 'bids' | 'asks', ctx: z.RefinementCtx): void {
  // Bids run best (highest) first, asks best (lowest) first; a repeated or misordered price means a bad feed.
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    const cur = levels[i];
    if (prev === undefined || cur === undefined) continue;
    const cmp = compareDecimalStrings(cur[0], prev[0]);
    if ((side === 'bids' && cmp >= 0) || (side === 'asks' && cmp <= 0)) {
      ctx.addIssue({
        code: 'custom',
        path: [side, i, 0],
        message: side === 'bids' ? 'bids must fall strictly in price' : 'asks must rise strictly in price',
      });
    }
  }
}

/** A full depth snapshot (Binance GET /api/v3/depth): the base a gateway rebuilds its book from. */
export const BookSnapshot = z
  .object({
    v: z.literal(1),
    venue: VenueId,
    instrument: InstrumentSymbol,
    lastUpdateId: z.number().int().nonnegative(),
    bids: z.array(z.tuple([PositiveDecimalString, PositiveDecimalString])),
    asks: z.array(z.tuple([PositiveDecimalString, PositiveDecimalString])),
    venueTime: EpochMs.optional(),
    receivedAt: EpochMs,
  })
  .superRefine((book, ctx) => {
    checkSideOrder(book.bids, 'bids', ctx);
    checkSideOrder(book.asks, 'asks', ctx);
    const bestBid = book.bids[0];
    const bestAsk = book.asks[0];
    if (bestBid && bestAsk && compareDecimalStrings(bestBid[0], bestAsk[0]) >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['asks', 0, 0],
        message: `best ask must be above best bid (${bestBid[0]})`,
      });
    }
  });
export type BookSnapshot = z.infer<typeof BookSnapshot>;

/**
 * Changed levels between two venue update ids (Binance depthUpdate `U`..`u`). A qty of "0" removes
 * the level. A consumer applies a delta only when `firstUpdateId` follows the id it holds.
 */
export const BookDelta = z
  .object({
    v: z.literal(1),
    venue: VenueId,
    instrument: InstrumentSymbol,
    firstUpdateId: z.number().int().nonnegative(),
    lastUpdateId: z.number().int().nonnegative(),
    bids: z.array(BookLevel),
    asks: z.array(BookLevel),
    venueTime: EpochMs,
    receivedAt: EpochMs,
  })
  .superRefine((delta, ctx) => {
    if (delta.lastUpdateId < delta.firstUpdateId) {
      ctx.addIssue({
        code: 'custom',
        path: ['lastUpdateId'],
        message: `must be at least firstUpdateId (${delta.firstUpdateId})`,
      });
    }
  });
export type BookDelta = z.infer<typeof BookDelta>;

/**
 * The health of one feed. `stale`: no data for longer than allowed, decisions must wait.
 * `reset`: a sequence gap or reconnect; the book is being rebuilt and earlier state must be dropped.
 */
export const FeedState = z.enum(['live', 'stale', 'reset']);
export type FeedState = z.infer<typeof FeedState>;

export const FeedStatus = z
  .object({
    v: z.literal(1),
    venue: VenueId,
    /** Absent when the status covers the whole venue connection. */
    instrument: InstrumentSymbol.optional(),
    state: FeedState,
    reason: z.string().min(1).optional(),
    /** Last market message received on this feed, if any. */
    lastMessageAt: EpochMs.optional(),
    /** When the feed entered this state. */
    changedAt: EpochMs,
  })
  .superRefine((status, ctx) => {
    if (status.state !== 'live' && status.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `is required when state is ${status.state}` });
    }
  });
export type FeedStatus = z.infer<typeof FeedStatus>;
