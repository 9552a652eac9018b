import {
  type MarketSnapshot,
  type SnapshotDepth,
  type SnapshotTop,
  type SnapshotTrade,
  type BookDelta,
  type BookSnapshot,
  type Quote,
  type Trade,
} from '@bourse/contracts';
import type { InstrumentFeedView } from './staleness.js';
import type { GatewayInstrument } from './types.js';

// The hot snapshot of one instrument that the gateway keeps in Redis: top of book, N levels, the
// last trade, the feed's state, and both the exchange's and our receive timestamps, so a reader
// can judge freshness against its own clock. Pure: it holds the latest value of each part only
// (memory does not grow with the event rate) and builds the document when the shell writes it.

/** The local book's top levels, as the adapter's `MarketDataFeed.book()` returns them. */
export interface BookView {
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
  readonly updateId: number;
}

interface BookMeta {
  updateId: number;
  venueTime: number | undefined;
  receivedAt: number;
}

const maxOf = (...xs: (number | undefined)[]): number | undefined => {
  const defined = xs.filter((x): x is number => x !== undefined);
  return defined.length === 0 ? undefined : Math.max(...defined);
};

/** Latest quote, trade, book stamp and feed state of one instrument; `dirty` until written. */
export class InstrumentSnapshot {
  readonly venue: string;
  readonly info: GatewayInstrument;
  #quote: Quote | undefined;
  #trade: Trade | undefined;
  #book: BookMeta | undefined;
  #feed: InstrumentFeedView | undefined;
  #dirty = false;

  constructor(venue: string, info: GatewayInstrument) {
    this.venue = venue;
    this.info = info;
  }

  /** Changed since the last `markWritten()`. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Something was applied at least once (an instrument that never had news is not written). */
  get hasContent(): boolean {
    return (
      this.#quote !== undefined || this.#trade !== undefined || this.#book !== undefined || this.#feed !== undefined
    );
  }

  applyQuote(quote: Quote): void {
    // Quotes carry an update id on Binance; an older one (e.g. replayed after a rotation) must not win.
    const prev = this.#quote;
    if (prev?.updateId !== undefined && quote.updateId !== undefined && quote.updateId < prev.updateId) return;
    this.#quote = quote;
    this.#dirty = true;
  }

  applyTrade(trade: Trade): void {
    this.#trade = trade;
    this.#dirty = true;
  }

  /** A book snapshot or delta was applied by the adapter: remember its stamps; levels are read at write time. */
  applyBook(message: BookSnapshot | BookDelta): void {
    this.#book = { updateId: message.lastUpdateId, venueTime: message.venueTime, receivedAt: message.receivedAt };
    this.#dirty = true;
  }

  applyFeed(view: InstrumentFeedView): void {
    this.#feed = view;
    this.#dirty = true;
  }

  markWritten(): void {
    this.#dirty = false;
  }

  /** Marks the snapshot for writing again (a failed write). */
  markDirty(): void {
    this.#dirty = true;
  }

  /** The document to store now; `book` is the adapter's current local book (undefined while rebuilding). */
  build(now: number, book: BookView | undefined, depthLevels: number): MarketSnapshot {
    const depth = this.#depth(book, depthLevels);
    const top = this.#top(depth);
    const trade = this.#trade;
    const lastTrade: SnapshotTrade | null =
      trade === undefined
        ? null
        : {
            venueTradeId: trade.venueTradeId,
            price: trade.price,
            qty: trade.qty,
            aggressor: trade.aggressor,
            venueTime: trade.venueTime,
            receivedAt: trade.receivedAt,
          };
    const feed = this.#feed;
    const venueTime = maxOf(top?.venueTime, depth?.venueTime, lastTrade?.venueTime);
    const receivedAt = maxOf(top?.receivedAt, depth?.receivedAt, lastTrade?.receivedAt);
    return {
      v: 1,
      venue: this.venue,
      instrument: this.info.instrument,
      venueSymbol: this.info.venueSymbol,
      feed: {
        state: feed?.state ?? 'starting',
        ...(feed?.reason !== undefined ? { reason: feed.reason } : {}),
        changedAt: feed?.changedAt ?? now,
      },
      top,
      depth,
      lastTrade,
      ...(venueTime !== undefined ? { venueTime } : {}),
      ...(receivedAt !== undefined ? { receivedAt } : {}),
      writtenAt: now,
    };
  }

  #depth(book: BookView | undefined, levels: number): SnapshotDepth | null {
    const meta = this.#book;
    if (book === undefined || meta === undefined) return null;
    return {
      levels,
      bids: book.bids.slice(0, levels).map(([p, q]) => [p, q] as [string, string]),
      asks: book.asks.slice(0, levels).map(([p, q]) => [p, q] as [string, string]),
      updateId: book.updateId,
      // The stamps of the last book message seen; the levels may be a few diffs newer, never older.
      ...(meta.venueTime !== undefined ? { venueTime: meta.venueTime } : {}),
      receivedAt: meta.receivedAt,
    };
  }

  #top(depth: SnapshotDepth | null): SnapshotTop | null {
    const q = this.#quote;
    if (q !== undefined) {
      return {
        bidPrice: q.bidPrice,
        bidQty: q.bidQty,
        askPrice: q.askPrice,
        askQty: q.askQty,
        source: 'quote',
        ...(q.updateId !== undefined ? { updateId: q.updateId } : {}),
        ...(q.venueTime !== undefined ? { venueTime: q.venueTime } : {}),
        receivedAt: q.receivedAt,
      };
    }
    if (depth === null) return null;
    const bid = depth.bids[0];
    const ask = depth.asks[0];
    // An empty side is written as "0" / "0", as in a Quote.
    return {
      bidPrice: bid?.[0] ?? '0',
      bidQty: bid?.[1] ?? '0',
      askPrice: ask?.[0] ?? '0',
      askQty: ask?.[1] ?? '0',
      source: 'book',
      updateId: depth.updateId,
      ...(depth.venueTime !== undefined ? { venueTime: depth.venueTime } : {}),
      receivedAt: depth.receivedAt,
    };
  }
}

/** The Redis key of one instrument's snapshot: `<prefix><venue>:<venueSymbol>`. */
