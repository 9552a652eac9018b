import type WebSocket from 'ws';
import type { InstrumentSymbol, VenueId } from '@bourse/contracts';
import type { InstrumentRegistry } from '@bourse/domain';
import {
  VenueError,
  VenueErrorCode,
  type BookLevel,
  type ConnectionState,
  type Kline,
  type KlineInterval,
  type MarketDataEvent,
  type MarketDataFeed,
  type MarketDataSubscription,
  type RawMarketFrame,
  type Unsubscribe,
  type VenueClock,
} from '@bourse/venues';
import { backoffDelay } from '../common/backoff.js';
import { combinedStreamUrl } from '../common/config.js';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import type { DepthSnapshot } from '../common/models.js';
import { internalSymbol, venueSymbol } from '../common/parse.js';
import { toKline, type KlineRow } from '../http/kline-row.js';
import { ManagedSocket } from './managed-socket.js';
import { BinanceMarketDecoder } from './market-decoder.js';

// Market data over one combined-stream connection: trades (`@trade`), top of book (`@bookTicker`)
// and local order books from diff depth (`@depth@100ms`) kept by Binance's documented procedure.
// Duplicates are dropped by id, so the overlap of a planned rotation and a replayed frame are
// harmless; a depth gap discards the book and rebuilds it from a fresh snapshot. Decoding lives in
// BinanceMarketDecoder (no socket, no timer) so a replay of captured raw frames decodes identically;
// this class owns the socket, the subscriptions, the snapshot fetches and the raw-frame hook.

export interface MarketDataFeedOptions {
  wsStreamUrl: string;
  registry: () => InstrumentRegistry;
  fetchDepth: (venueSymbol: string, limit: number) => Promise<DepthSnapshot>;
  /** GET /api/v3/klines; absent: `klines()` refuses. */
  fetchKlines?: (venueSymbol: string, interval: KlineInterval, limit: number) => Promise<KlineRow[]>;
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

/** Most klines Binance returns per request. */
const MAX_KLINES = 1000;

interface SnapshotFetch {
  fetching: boolean;
  attempts: number;
}

export class BinanceMarketDataFeed implements MarketDataFeed {
  readonly #o: MarketDataFeedOptions;
  readonly #socket: ManagedSocket;
  readonly #streams = new Set<string>();
  readonly #decoder: BinanceMarketDecoder;
  readonly #fetches = new Map<string, SnapshotFetch>();
  readonly #listeners = new Set<(e: MarketDataEvent) => void>();
  readonly #rawListeners = new Set<(f: RawMarketFrame) => void>();
  /** A number per socket, for the raw-frame hook (two sockets deliver during a rotation). */
  readonly #connectionIds = new WeakMap<WebSocket, number>();
  #nextConnectionId = 1;
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
    this.#decoder = new BinanceMarketDecoder({
      registry: options.registry,
      venue: options.venue,
      bookLevels: options.bookLevels,
      emit: (event) => this.#emit(event),
      needSnapshot: (vs) => this.#fetchSnapshot(vs),
      drop: (reason) => this.#drop(reason),
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
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
      onMessage: (text, socket) => this.#onMessage(text, socket),
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

  onRawFrame(listener: (frame: RawMarketFrame) => void): Unsubscribe {
    this.#rawListeners.add(listener);
    return () => this.#rawListeners.delete(listener);
  }

  book(
    symbol: InstrumentSymbol,
    levels: number,
  ): { bids: BookLevel[]; asks: BookLevel[]; updateId: number } | undefined {
    return this.#decoder.book(venueSymbol(this.#o.registry(), symbol), levels);
  }

  async klines(symbol: InstrumentSymbol, interval: KlineInterval, limit: number): Promise<Kline[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_KLINES) {
      throw new VenueError(
        'non-retryable',
        VenueErrorCode.INVALID_REQUEST,
        `klines limit ${limit} is not 1..${MAX_KLINES}`,
      );
    }
    if (this.#o.fetchKlines === undefined) {
      throw new VenueError('non-retryable', VenueErrorCode.INVALID_REQUEST, 'this feed has no klines endpoint');
    }
    const rows = await this.#o.fetchKlines(venueSymbol(this.#o.registry(), symbol), interval, limit);
    return rows.map((row) => toKline(row, symbol));
  }

  async subscribe(subscriptions: readonly MarketDataSubscription[]): Promise<void> {
    if (this.#closed) throw new VenueError('fatal', VenueErrorCode.CLOSED, 'market data feed is closed');
    const added: string[] = [];
    for (const sub of subscriptions) {
      const vs = venueSymbol(this.#o.registry(), sub.symbol);
      const stream = `${vs.toLowerCase()}${CHANNEL_SUFFIX[sub.channel]}`;
      if (sub.channel === 'book' && !this.#decoder.hasBook(vs)) {
        this.#decoder.addBook(sub.symbol, vs);
        this.#fetches.set(vs, { fetching: false, attempts: 0 });
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
      if (sub.channel === 'book') {
        this.#decoder.removeBook(vs);
        this.#fetches.delete(vs);
      }
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

  #emitRaw(frame: RawMarketFrame): void {
    for (const listener of this.#rawListeners) {
      try {
        listener(frame);
      } catch (err) {
        this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'raw frame listener threw');
      }
    }
  }

  #onState(state: ConnectionState, reason: string): void {
    const time = this.#o.clock.now();
    this.#emitRaw({ kind: 'connection', receivedAt: time, state, reason });
    this.#decoder.onConnection(state, reason, time);
  }

  #drop(reason: string): void {
    this.#o.metrics?.droppedFrames.inc({ venue: this.#o.venue, connection: 'market', reason });
  }

  #onMessage(text: string, socket: WebSocket): void {
    const receivedAt = this.#o.clock.now();
    if (this.#rawListeners.size > 0) {
      let connection = this.#connectionIds.get(socket);
      if (connection === undefined) {
        connection = this.#nextConnectionId++;
        this.#connectionIds.set(socket, connection);
      }
      this.#emitRaw({ kind: 'frame', receivedAt, connection, text });
    }
    const control = this.#decoder.decodeFrame(text, receivedAt);
    if (control !== undefined) this.#onControl(control.control);
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

  #fetchSnapshot(vs: string): void {
    const f = this.#fetches.get(vs);
    if (f === undefined || f.fetching || this.#closed) return;
    f.fetching = true;
    const delay = f.attempts === 0 ? 0 : backoffDelay(f.attempts, this.#o.reconnectBaseMs, this.#o.reconnectMaxMs);
    f.attempts += 1;
    const run = async (): Promise<void> => {
      try {
        const snapshot = await this.#o.fetchDepth(vs, this.#o.depthSnapshotLimit);
        // Unsubscribed (or resubscribed afresh) while the request was out.
        if (this.#fetches.get(vs) !== f) return;
        f.fetching = false;
        const receivedAt = this.#o.clock.now();
        if (this.#rawListeners.size > 0) {
          this.#emitRaw({ kind: 'depth-snapshot', receivedAt, venueSymbol: vs, text: JSON.stringify(snapshot) });
        }
        if (this.#decoder.applySnapshot(vs, snapshot, receivedAt) === 'synced') f.attempts = 0;
      } catch (err) {
        f.fetching = false;
        this.#log.warn(
          { symbol: vs, err: err instanceof Error ? err.message : String(err) },
          'depth snapshot failed; will retry',
        );
        if (!this.#closed && this.#fetches.get(vs) === f) this.#fetchSnapshot(vs);
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
