import type WebSocket from 'ws';
import type { FeedState, InstrumentSymbol, VenueId } from '@bourse/contracts';
import type { InstrumentRegistry } from '@bourse/domain';
import {
  VenueError,
  VenueErrorCode,
  type BookLevel,
  type ConnectionState,
  type MarketDataEvent,
  type MarketDataFeed,
  type MarketDataSubscription,
  type Unsubscribe,
  type VenueClock,
} from '@bourse/venues';
import { backoffDelay } from '../common/backoff.js';
import { combinedStreamUrl } from '../common/config.js';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import {
  BookTickerEvent,
  CombinedStreamFrame,
  DepthUpdateEvent,
  TradeEvent,
  type DepthSnapshot,
} from '../common/models.js';
import { LocalOrderBook } from '../common/order-book.js';
import {
  internalSymbol,
  parseBookTicker,
  parseDepthDiff,
  parseDepthSnapshot,
  parseTradeEvent,
  toBookDelta,
  toBookSnapshot,
  toFeedStatus,
  venueSymbol,
} from '../common/parse.js';
import { ManagedSocket } from './managed-socket.js';

// Market data over one combined-stream connection: trades (`@trade`), top of book (`@bookTicker`)
// and local order books from diff depth (`@depth@100ms`) kept by Binance's documented procedure.
// Duplicates are dropped by id, so the overlap of a planned rotation and a replayed frame are
// harmless; a depth gap discards the book and rebuilds it from a fresh snapshot.

export interface MarketDataFeedOptions {
  wsStreamUrl: string;
  registry: () => InstrumentRegistry;
  fetchDepth: (venueSymbol: string, limit: number) => Promise<DepthSnapshot>;
  clock: VenueClock;
  venue: VenueId;
  depthSnapshotLimit: number;
  bookLevels: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  rotateMs: number;
  staleMs: number;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
}

const CHANNEL_SUFFIX = { trades: '@trade', quotes: '@bookTicker', book: '@depth@100ms' } as const;
/** Binance takes at most 5 incoming messages a second per connection; stay under. */
const SUBSCRIBE_BATCH = 100;

interface BookState {
  symbol: InstrumentSymbol;
  book: LocalOrderBook;
  fetching: boolean;
  attempts: number;
  status: FeedState | undefined;
}

export class BinanceMarketDataFeed implements MarketDataFeed {
  readonly #o: MarketDataFeedOptions;
  readonly #socket: ManagedSocket;
  readonly #streams = new Set<string>();
  readonly #books = new Map<string, BookState>();
  readonly #lastTrade = new Map<string, number>();
  readonly #lastQuote = new Map<string, number>();
  readonly #listeners = new Set<(e: MarketDataEvent) => void>();
  readonly #pendingAcks = new Map<number, { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  readonly #log: VenueLogger;
  #nextId = 1;
  #started: Promise<void> | undefined;
  /** The streams named in the URL of the connection being opened. */
  #urlStreams = new Set<string>();
  #closed = false;

  constructor(options: MarketDataFeedOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#socket = new ManagedSocket({
      name: 'market',
      url: () => {
        this.#urlStreams = new Set(this.#streams);
        return combinedStreamUrl(options.wsStreamUrl, [...this.#urlStreams]);
      },
      clock: options.clock,
      reconnectBaseMs: options.reconnectBaseMs,
      reconnectMaxMs: options.reconnectMaxMs,
      rotateMs: options.rotateMs,
      staleMs: options.staleMs,
      venue: options.venue,
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      // Every stream is in the URL: nothing to do once open.
      // Streams (un)subscribed while this connection was opening are not in its URL: catch up.
      onOpen: async (socket) => {
        const missing = [...this.#streams].filter((st) => !this.#urlStreams.has(st));
        const extra = [...this.#urlStreams].filter((st) => !this.#streams.has(st));
        for (let i = 0; i < missing.length; i += SUBSCRIBE_BATCH)
          await this.#request(socket, 'SUBSCRIBE', missing.slice(i, i + SUBSCRIBE_BATCH));
        for (let i = 0; i < extra.length; i += SUBSCRIBE_BATCH)
          await this.#request(socket, 'UNSUBSCRIBE', extra.slice(i, i + SUBSCRIBE_BATCH));
      },
      onMessage: (text) => this.#onMessage(text),
      onState: (state, reason) => this.#onState(state, reason),
    });
  }

  get state(): ConnectionState {
    return this.#socket.state;
  }

  on(listener: (event: MarketDataEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  book(
    symbol: InstrumentSymbol,
    levels: number,
  ): { bids: BookLevel[]; asks: BookLevel[]; updateId: number } | undefined {
    const state = this.#books.get(venueSymbol(this.#o.registry(), symbol));
    if (state === undefined || !state.book.synced) return undefined;
    return { bids: state.book.bids(levels), asks: state.book.asks(levels), updateId: state.book.updateId };
  }

  async subscribe(subscriptions: readonly MarketDataSubscription[]): Promise<void> {
    if (this.#closed) throw new VenueError('fatal', VenueErrorCode.CLOSED, 'market data feed is closed');
    const added: string[] = [];
    for (const sub of subscriptions) {
      const vs = venueSymbol(this.#o.registry(), sub.symbol);
      const stream = `${vs.toLowerCase()}${CHANNEL_SUFFIX[sub.channel]}`;
      if (sub.channel === 'book' && !this.#books.has(vs)) {
        this.#books.set(vs, {
          symbol: sub.symbol,
          book: new LocalOrderBook(vs),
          fetching: false,
          attempts: 0,
          status: undefined,
        });
      }
      if (!this.#streams.has(stream)) {
        this.#streams.add(stream);
        added.push(stream);
      }
    }
    if (this.#started === undefined) {
      // The first connection carries every stream in its URL.
      this.#started = this.#socket.start();
      await this.#started;
      return;
    }
    await this.#started;
    await this.#send('SUBSCRIBE', added);
  }

  async unsubscribe(subscriptions: readonly MarketDataSubscription[]): Promise<void> {
    const removed: string[] = [];
    for (const sub of subscriptions) {
      const vs = venueSymbol(this.#o.registry(), sub.symbol);
      const stream = `${vs.toLowerCase()}${CHANNEL_SUFFIX[sub.channel]}`;
      if (this.#streams.delete(stream)) removed.push(stream);
      if (sub.channel === 'book') this.#books.delete(vs);
    }
    if (this.#started === undefined) return;
    await this.#started;
    await this.#send('UNSUBSCRIBE', removed);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#pendingAcks.values()) {
      clearTimeout(p.timer);
      p.reject(new VenueError('fatal', VenueErrorCode.CLOSED, 'market data feed closed'));
    }
    this.#pendingAcks.clear();
    await this.#socket.close();
  }

  async #send(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', streams: readonly string[]): Promise<void> {
    for (let i = 0; i < streams.length; i += SUBSCRIBE_BATCH) {
      const batch = streams.slice(i, i + SUBSCRIBE_BATCH);
      const socket = this.#socket.socket;
      // Not connected: the next connection's URL lists the streams anyway.
      if (socket === undefined) return;
      await this.#request(socket, method, batch);
    }
  }

  #request(socket: WebSocket, method: string, params: string[]): Promise<void> {
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingAcks.delete(id);
        reject(new VenueError('retryable', VenueErrorCode.TIMEOUT, `${method}: no answer from the stream server`));
      }, 10_000);
      this.#pendingAcks.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ method, params, id }));
    });
  }

  #emit(event: MarketDataEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // A faulty consumer must not stop the feed for the others.
        this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'market data listener threw');
      }
    }
  }

  #onState(state: ConnectionState, reason: string): void {
    const time = this.#o.clock.now();
    this.#emit({ kind: 'connection', state, reason, time });
    if (state === 'reconnecting') {
      // Events may be missing now; the book stays until a gap proves it wrong, but consumers must not trust it.
      for (const b of this.#books.values()) this.#setStatus(b, 'stale', `connection lost: ${reason}`);
    }
  }

  #setStatus(b: BookState, state: FeedState, reason: string): void {
    if (b.status === state) return;
    b.status = state;
    const time = this.#o.clock.now();
    this.#emit({ kind: 'feed-status', status: toFeedStatus(b.symbol, this.#o.venue, state, reason, time) });
  }

  #drop(reason: string): void {
    this.#o.metrics?.droppedFrames.inc({ venue: this.#o.venue, connection: 'market', reason });
  }

  #onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#drop('not-json');
    }
    const frame = CombinedStreamFrame.safeParse(json);
    if (!frame.success) return this.#onControl(json);
    const { stream, data } = frame.data;
    const receivedAt = this.#o.clock.now();
    try {
      if (stream.endsWith('@trade')) this.#onTrade(TradeEvent.parse(data), receivedAt);
      else if (stream.endsWith('@bookTicker')) this.#onQuote(BookTickerEvent.parse(data), receivedAt);
      else if (stream.includes('@depth')) this.#onDepth(DepthUpdateEvent.parse(data), receivedAt);
      else this.#drop('unknown-stream');
    } catch (err) {
      this.#log.warn(
        { stream, err: err instanceof Error ? err.message : String(err) },
        'dropped a malformed market frame',
      );
      this.#drop('malformed');
    }
  }

  #onControl(json: unknown): void {
    const msg = json as { id?: unknown; result?: unknown; error?: { code?: number; msg?: string } };
    if (typeof msg.id !== 'number') return this.#drop('unexpected-frame');
    const pending = this.#pendingAcks.get(msg.id);
    if (pending === undefined) return;
    this.#pendingAcks.delete(msg.id);
    clearTimeout(pending.timer);
    if (msg.error !== undefined) {
      pending.reject(
        new VenueError(
          'non-retryable',
          VenueErrorCode.INVALID_REQUEST,
          `stream request refused: ${msg.error.msg ?? 'unknown'} (${msg.error.code ?? '?'})`,
        ),
      );
    } else pending.resolve();
  }

  #onTrade(t: TradeEvent, receivedAt: number): void {
    const last = this.#lastTrade.get(t.s) ?? -1;
    // Trade ids rise per symbol: anything not newer is a duplicate (or a replay after rotation).
    if (t.t <= last) return this.#drop('duplicate');
    this.#lastTrade.set(t.s, t.t);
    this.#emit({ kind: 'trade', trade: parseTradeEvent(t, this.#o.registry(), this.#o.venue, receivedAt) });
  }

  #onQuote(q: BookTickerEvent, receivedAt: number): void {
    const last = this.#lastQuote.get(q.s) ?? -1;
    if (q.u <= last) return this.#drop('duplicate');
    this.#lastQuote.set(q.s, q.u);
    this.#emit({ kind: 'quote', quote: parseBookTicker(q, this.#o.registry(), this.#o.venue, receivedAt) });
  }

  #onDepth(e: DepthUpdateEvent, receivedAt: number): void {
    const b = this.#books.get(e.s.toUpperCase());
    if (b === undefined) return this.#drop('unsubscribed');
    const result = b.book.onDiff(parseDepthDiff(e));
    switch (result.kind) {
      case 'buffered':
        this.#fetchSnapshot(b);
        return;
      case 'stale':
        return this.#drop('duplicate');
      case 'applied':
        this.#setStatus(b, 'live', '');
        this.#emit({ kind: 'book-delta', delta: toBookDelta(e, b.symbol, this.#o.venue, receivedAt) });
        return;
      case 'gap':
        this.#onGap(b, `sequence gap: expected U=${result.expectedU}, got ${result.gotU}`);
        return;
    }
  }

  #onGap(b: BookState, reason: string): void {
    this.#o.metrics?.bookGaps.inc({ venue: this.#o.venue, symbol: b.book.symbol });
    this.#log.warn({ symbol: b.book.symbol, reason }, 'order book gap; rebuilding from a snapshot');
    this.#setStatus(b, 'reset', reason);
    this.#fetchSnapshot(b);
  }

  #fetchSnapshot(b: BookState): void {
    if (b.fetching || this.#closed) return;
    b.fetching = true;
    const delay = b.attempts === 0 ? 0 : backoffDelay(b.attempts, this.#o.reconnectBaseMs, this.#o.reconnectMaxMs);
    b.attempts += 1;
    const run = async (): Promise<void> => {
      try {
        const snapshot = await this.#o.fetchDepth(b.book.symbol, this.#o.depthSnapshotLimit);
        if (this.#books.get(b.book.symbol) !== b) return;
        const result = b.book.onSnapshot(parseDepthSnapshot(snapshot));
        b.fetching = false;
        switch (result.kind) {
          case 'synced':
            b.attempts = 0;
            this.#o.metrics?.bookResyncs.inc({ venue: this.#o.venue, symbol: b.book.symbol });
            this.#emit({
              kind: 'book-snapshot',
              snapshot: toBookSnapshot(
                {
                  updateId: b.book.updateId,
                  bids: b.book.bids(this.#o.bookLevels),
                  asks: b.book.asks(this.#o.bookLevels),
                },
                b.symbol,
                this.#o.venue,
                this.#o.clock.now(),
              ),
            });
            this.#setStatus(b, 'live', '');
            return;
          case 'snapshot-too-old':
          case 'no-events':
            // Binance: fetch again until the snapshot is at least as new as the first buffered event.
            if (result.kind === 'snapshot-too-old') this.#fetchSnapshot(b);
            return;
          case 'gap':
            this.#onGap(b, `snapshot ${snapshot.lastUpdateId} does not join the buffered events (U=${result.gotU})`);
            return;
        }
      } catch (err) {
        b.fetching = false;
        this.#log.warn(
          { symbol: b.book.symbol, err: err instanceof Error ? err.message : String(err) },
          'depth snapshot failed; will retry',
        );
        if (!this.#closed && this.#books.get(b.book.symbol) === b) this.#fetchSnapshot(b);
      }
    };
    const timer = setTimeout(() => {
      void run();
    }, delay);
    timer.unref();
  }

  /** The internal symbol of a venue symbol, for consumers holding raw names. */
  internalSymbol(venueSym: string): InstrumentSymbol {
    return internalSymbol(this.#o.registry(), venueSym);
  }
}
