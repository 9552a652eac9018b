import type { FeedState, InstrumentSymbol, VenueId } from '@bourse/contracts';
import type { InstrumentRegistry } from '@bourse/domain';
import type { BookLevel, ConnectionState, MarketDataEvent } from '@bourse/venues';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import {
  BookTickerEvent,
  CombinedStreamFrame,
  DepthUpdateEvent,
  type DepthSnapshot,
  TradeEvent,
} from '../common/models.js';
import { LocalOrderBook } from '../common/order-book.js';
import {
  parseBookTicker,
  parseDepthDiff,
  parseDepthSnapshot,
  parseTradeEvent,
  toBookDelta,
  toBookSnapshot,
  toFeedStatus,
} from '../common/parse.js';

// Binance market-data frames → Bourse events, with no socket and no timer: duplicate filtering by
// id, the local order books and their status. The live feed drives it with the frames it receives
// and the depth snapshots it fetches; a replay drives it with the same frames and snapshots read
// back from a capture, so both see identical events. Time comes in with every call.

export interface MarketDecoderOptions {
  registry: () => InstrumentRegistry;
  venue: VenueId;
  /** Levels per side in the BookSnapshot emitted after each (re)sync. */
  bookLevels: number;
  emit: (event: MarketDataEvent) => void;
  /** The book of this venue symbol needs a REST depth snapshot (first diffs buffered, a gap, or one too old). */
  needSnapshot: (venueSymbol: string) => void;
  /** A frame that produced nothing, by low-cardinality reason. */
  drop: (reason: string) => void;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
  /**
   * Replay: subscriptions are not in a capture, so a book opens for any symbol whose depth arrives.
   * Live: only subscribed books are kept (`addBook`); other depth is dropped.
   */
  booksOnDemand?: boolean;
}

interface BookState {
  readonly symbol: InstrumentSymbol;
  readonly book: LocalOrderBook;
  status: FeedState | undefined;
}

export class BinanceMarketDecoder {
  readonly #o: MarketDecoderOptions;
  readonly #books = new Map<string, BookState>();
  readonly #lastTrade = new Map<string, number>();
  readonly #lastQuote = new Map<string, number>();
  readonly #log: VenueLogger;

  constructor(options: MarketDecoderOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
  }

  hasBook(venueSymbol: string): boolean {
    return this.#books.has(venueSymbol.toUpperCase());
  }

  addBook(symbol: InstrumentSymbol, venueSymbol: string): void {
    const vs = venueSymbol.toUpperCase();
    if (this.#books.has(vs)) return;
    this.#books.set(vs, { symbol, book: new LocalOrderBook(vs), status: undefined });
  }

  removeBook(venueSymbol: string): void {
    this.#books.delete(venueSymbol.toUpperCase());
  }

  /** The synced book's top levels, or undefined while it is being (re)built. */
  book(venueSymbol: string, levels: number): { bids: BookLevel[]; asks: BookLevel[]; updateId: number } | undefined {
    const state = this.#books.get(venueSymbol.toUpperCase());
    if (state === undefined || !state.book.synced) return undefined;
    return { bids: state.book.bids(levels), asks: state.book.asks(levels), updateId: state.book.updateId };
  }

  /**
   * Decodes one text frame received at `receivedAt`. Returns the parsed JSON when it is not a stream
   * frame (a SUBSCRIBE answer, for the caller), undefined otherwise.
   */
  decodeFrame(text: string, receivedAt: number): { control: unknown } | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#o.drop('not-json');
      return undefined;
    }
    const frame = CombinedStreamFrame.safeParse(json);
    if (!frame.success) return { control: json };
    const { stream, data } = frame.data;
    try {
      if (stream.endsWith('@trade')) this.#onTrade(TradeEvent.parse(data), receivedAt);
      else if (stream.endsWith('@bookTicker')) this.#onQuote(BookTickerEvent.parse(data), receivedAt);
      else if (stream.includes('@depth')) this.#onDepth(DepthUpdateEvent.parse(data), receivedAt);
      else this.#o.drop('unknown-stream');
    } catch (err) {
      this.#log.warn(
        { stream, err: err instanceof Error ? err.message : String(err) },
        'dropped a malformed market frame',
      );
      this.#o.drop('malformed');
    }
    return undefined;
  }

  /**
   * Applies a REST depth snapshot fetched for `venueSymbol`, received at `receivedAt`. Any further
   * fetch it needs (too old, or it did not join the buffered diffs) is asked for via `needSnapshot`.
   * `wait`: no diff buffered yet; `ignored`: no such book (unsubscribed meanwhile).
   */
  applySnapshot(
    venueSymbol: string,
    snapshot: DepthSnapshot,
    receivedAt: number,
  ): 'synced' | 'refetch' | 'wait' | 'ignored' {
    const b = this.#books.get(venueSymbol.toUpperCase());
    if (b === undefined) return 'ignored';
    const result = b.book.onSnapshot(parseDepthSnapshot(snapshot));
    switch (result.kind) {
      case 'synced':
        this.#o.metrics?.bookResyncs.inc({ venue: this.#o.venue, symbol: b.book.symbol });
        this.#o.emit({
          kind: 'book-snapshot',
          snapshot: toBookSnapshot(
            {
              updateId: b.book.updateId,
              bids: b.book.bids(this.#o.bookLevels),
              asks: b.book.asks(this.#o.bookLevels),
            },
            b.symbol,
            this.#o.venue,
            receivedAt,
          ),
        });
        this.#setStatus(b, 'live', '', receivedAt);
        return 'synced';
      case 'snapshot-too-old':
        // Binance: fetch again until the snapshot is at least as new as the first buffered event.
        this.#o.needSnapshot(b.book.symbol);
        return 'refetch';
      case 'no-events':
        return 'wait';
      case 'gap':
        this.#onGap(
          b,
          `snapshot ${snapshot.lastUpdateId} does not join the buffered events (U=${result.gotU})`,
          receivedAt,
        );
        return 'refetch';
    }
  }

  /** The connection changed: a lost connection makes every book untrustworthy until proven fine. */
  onConnection(state: ConnectionState, reason: string, time: number): void {
    this.#o.emit({ kind: 'connection', state, reason, time });
    if (state === 'reconnecting') {
      // Events may be missing now; the book stays until a gap proves it wrong, but consumers must not trust it.
      for (const b of this.#books.values()) this.#setStatus(b, 'stale', `connection lost: ${reason}`, time);
    }
  }

  #setStatus(b: BookState, state: FeedState, reason: string, at: number): void {
    if (b.status === state) return;
    b.status = state;
    this.#o.emit({ kind: 'feed-status', status: toFeedStatus(b.symbol, this.#o.venue, state, reason, at) });
  }

  #onTrade(t: TradeEvent, receivedAt: number): void {
    const last = this.#lastTrade.get(t.s) ?? -1;
    // Trade ids rise per symbol: anything not newer is a duplicate (or a replay after rotation).
    if (t.t <= last) return this.#o.drop('duplicate');
    this.#lastTrade.set(t.s, t.t);
    this.#o.emit({ kind: 'trade', trade: parseTradeEvent(t, this.#o.registry(), this.#o.venue, receivedAt) });
  }

  #onQuote(q: BookTickerEvent, receivedAt: number): void {
    const last = this.#lastQuote.get(q.s) ?? -1;
    if (q.u <= last) return this.#o.drop('duplicate');
    this.#lastQuote.set(q.s, q.u);
    this.#o.emit({ kind: 'quote', quote: parseBookTicker(q, this.#o.registry(), this.#o.venue, receivedAt) });
  }

  #onDepth(e: DepthUpdateEvent, receivedAt: number): void {
    const vs = e.s.toUpperCase();
    let b = this.#books.get(vs);
    if (b === undefined && this.#o.booksOnDemand === true) {
      const spec = this.#o.registry().byVenueSymbol(vs);
      if (spec !== undefined) {
        this.addBook(spec.symbol, vs);
        b = this.#books.get(vs);
      }
    }
    if (b === undefined) return this.#o.drop('unsubscribed');
    const result = b.book.onDiff(parseDepthDiff(e));
    switch (result.kind) {
      case 'buffered':
        this.#o.needSnapshot(vs);
        return;
      case 'stale':
        return this.#o.drop('duplicate');
      case 'applied':
        this.#setStatus(b, 'live', '', receivedAt);
        this.#o.emit({ kind: 'book-delta', delta: toBookDelta(e, b.symbol, this.#o.venue, receivedAt) });
        return;
      case 'gap':
        this.#onGap(b, `sequence gap: expected U=${result.expectedU}, got ${result.gotU}`, receivedAt);
        return;
    }
  }

  #onGap(b: BookState, reason: string, at: number): void {
    this.#o.metrics?.bookGaps.inc({ venue: this.#o.venue, symbol: b.book.symbol });
    this.#log.warn({ symbol: b.book.symbol, reason }, 'order book gap; rebuilding from a snapshot');
    this.#setStatus(b, 'reset', reason, at);
    this.#o.needSnapshot(b.book.symbol);
  }
}
