import { z } from 'zod';
import { BookLevel, FeedState } from './market-data.js';
import {
  EpochMs,
  InstrumentSymbol,
  NonNegativeDecimalString,
  PositiveDecimalString,
  Side,
  VenueId,
  VenueSymbol,
} from './primitives.js';

// The hot snapshot of one instrument that the market-data gateway keeps in Redis and that other
// services (the strategy runner's warm-up, `bourse quotes`) read: top of book, N levels, the last
// trade, the feed's state, and both the exchange's and the receive timestamps, so a reader can
// judge freshness against its own clock. It crosses a process through Redis, so its contract lives
// here with the others.

export const SnapshotTop = z.object({
  bidPrice: NonNegativeDecimalString,
  bidQty: NonNegativeDecimalString,
  askPrice: NonNegativeDecimalString,
  askQty: NonNegativeDecimalString,
  /** `quote`: the venue's top-of-book stream; `book`: level 0 of the local book (no quote subscription). */
  source: z.enum(['quote', 'book']),
  updateId: z.number().int().nonnegative().optional(),
  venueTime: EpochMs.optional(),
  receivedAt: EpochMs,
});
export type SnapshotTop = z.infer<typeof SnapshotTop>;

export const SnapshotDepth = z.object({
  /** The most levels per side kept (a side may hold fewer). */
  levels: z.number().int().positive(),
  bids: z.array(BookLevel),
  asks: z.array(BookLevel),
  /** The local book's last applied venue update id. */
  updateId: z.number().int().nonnegative(),
  venueTime: EpochMs.optional(),
  receivedAt: EpochMs,
});
export type SnapshotDepth = z.infer<typeof SnapshotDepth>;

export const SnapshotTrade = z.object({
  venueTradeId: z.string().min(1),
  price: PositiveDecimalString,
  qty: PositiveDecimalString,
  aggressor: Side,
  venueTime: EpochMs,
  receivedAt: EpochMs,
});
export type SnapshotTrade = z.infer<typeof SnapshotTrade>;

/** The Redis document of one instrument (JSON under `<prefix><venue>:<venueSymbol>`). */
export const MarketSnapshot = z.object({
  v: z.literal(1),
  venue: VenueId,
  instrument: InstrumentSymbol,
  venueSymbol: VenueSymbol,
  feed: z.object({
    /** `starting`: nothing received yet. */
    state: z.union([FeedState, z.literal('starting')]),
    reason: z.string().optional(),
    /** When the feed entered this state; `receivedAt` below says when data last arrived. */
    changedAt: EpochMs,
  }),
  top: SnapshotTop.nullable(),
  /** Null while the book is being (re)built or when the book channel is not subscribed. */
  depth: SnapshotDepth.nullable(),
  lastTrade: SnapshotTrade.nullable(),
  /** The latest exchange timestamp of anything above. */
  venueTime: EpochMs.optional(),
  /** The latest receive timestamp of anything above. */
  receivedAt: EpochMs.optional(),
  /** When the gateway wrote this document. */
  writtenAt: EpochMs,
});
export type MarketSnapshot = z.infer<typeof MarketSnapshot>;

/** The Redis key of an instrument's snapshot: `<prefix><venue>:<venueSymbol>` (prefix e.g. `bourse:md:`). */
export function marketSnapshotKey(prefix: string, venue: string, venueSymbol: string): string {
  return `${prefix}${venue}:${venueSymbol}`;
}

/**
 * The key prefix of a namespace's market snapshots: `bourse:md:` without a namespace, else
 * `bourse:<namespace>:md:`, so two platforms on one Redis never read each other's books.
 */
export function snapshotKeyPrefix(namespace: string): string {
  return namespace === '' ? 'bourse:md:' : `bourse:${namespace}:md:`;
}
