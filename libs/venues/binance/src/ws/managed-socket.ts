import WebSocket from 'ws';
import type { ConnectionState, VenueClock } from '@bourse/venues';
import { backoffDelay } from '../common/backoff.js';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import { CONNECTION_STATE_VALUE, type BinanceMetrics } from '../common/metrics.js';

// One logical WebSocket connection that stays up: reconnects with exponential backoff and jitter,
// answers server pings (ws does that) and pings the server itself, drops a connection that went
// silent, and replaces itself before Binance's 24-hour cut by opening the successor first and
// closing the old socket only once the new one is ready — both deliver for a moment, so consumers
// de-duplicate (update ids, trade ids, event ids) rather than see a gap.

export interface ManagedSocketOptions {
  /** `market`, `ws-api`, `user-data`: the metric label and log name. */
  name: string;
  /** Computed at every connect: the stream list may have changed. */
  url: () => string;
  clock: VenueClock;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Open a successor after this long (0 = never). */
  rotateMs: number;
  /** A socket with no frame, ping or pong for this long is terminated. */
  staleMs: number;
  /** Our own ping interval; 0 = rely on the server's pings. */
  pingIntervalMs?: number;
  /** Runs on every fresh socket before it becomes current (re-subscribe, log on). A throw closes it and retries. */
  onOpen: (socket: WebSocket, reason: 'first' | 'reconnect' | 'rotation') => Promise<void>;
  onMessage: (text: string, socket: WebSocket) => void;
  onState?: (state: ConnectionState, reason: string) => void;
  /** A socket went away; requests pending on it will get no answer. */
  onSocketClosed?: (socket: WebSocket) => void;
  venue: string;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
  random?: () => number;
  /** How long the old socket keeps delivering after its successor took over. */
  overlapMs?: number;
}

export class ManagedSocket {
  #current: WebSocket | undefined;
  #state: ConnectionState = 'closed';
  #closed = false;
  #attempt = 0;
  #everOpened = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #rotateTimer: NodeJS.Timeout | undefined;
  #watchTimer: NodeJS.Timeout | undefined;
  #lastSeen = new WeakMap<WebSocket, number>();
  #sockets = new Set<WebSocket>();
  #firstOpen: { resolve: () => void; reject: (err: Error) => void } | undefined;
  readonly #log: VenueLogger;

  constructor(private readonly o: ManagedSocketOptions) {
    this.#log = o.logger ?? silentLogger;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The socket requests should go to, when open. */
  get socket(): WebSocket | undefined {
    return this.#current !== undefined && this.#current.readyState === WebSocket.OPEN ? this.#current : undefined;
  }

  /** Connects; resolves after the first socket is open and its onOpen ran. Keeps reconnecting afterwards. */
  start(): Promise<void> {
    if (this.#state !== 'closed' || this.#closed) return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => {
      this.#firstOpen = { resolve, reject };
    });
    this.#setState('connecting', 'start');
    this.#connect('first');
    const watchEvery = Math.max(50, Math.floor(this.o.staleMs / 3));
    this.#watchTimer = setInterval(() => this.#watch(), watchEvery);
    this.#watchTimer.unref();
    return opened;
  }

  /** Drops the current socket as if the network failed; reconnects. For a caller that saw a dead stream. */
  recycle(reason: string): void {
    const socket = this.#current;
    if (socket === undefined) return;
    this.#log.warn({ connection: this.o.name, reason }, 'recycling connection');
    socket.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#rotateTimer);
    clearInterval(this.#watchTimer);
    const closing = [...this.#sockets].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.readyState === WebSocket.CLOSED) return resolve();
          s.once('close', () => resolve());
          s.close(1000, 'client closing');
          setTimeout(() => {
            s.terminate();
            resolve();
          }, 1_000).unref();
        }),
    );
    await Promise.all(closing);
    this.#firstOpen?.reject(new Error(`${this.o.name} connection closed before it opened`));
    this.#firstOpen = undefined;
    this.#setState('closed', 'closed by client');
  }

  #setState(state: ConnectionState, reason: string): void {
    if (state === this.#state) return;
    this.#state = state;
    this.o.metrics?.connectionState.set(
      { venue: this.o.venue, connection: this.o.name },
      CONNECTION_STATE_VALUE[state],
    );
    this.o.onState?.(state, reason);
  }

  #connect(reason: 'first' | 'reconnect' | 'rotation'): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.o.url(), { handshakeTimeout: 10_000 });
    this.#sockets.add(socket);
    let becameCurrent = false;
    const seen = () => this.#lastSeen.set(socket, this.o.clock.now());
    seen();
    socket.on('ping', seen);
    socket.on('pong', seen);
    socket.on('message', (data, isBinary) => {
      seen();
      if (isBinary) return;
      this.o.onMessage(data.toString('utf8'), socket);
    });
    socket.on('error', (err) => {
      this.#log.warn({ connection: this.o.name, err: err.message }, 'websocket error');
    });
    socket.on('open', () => {
      seen();
      this.o
        .onOpen(socket, reason)
        .then(() => {
          if (this.#closed || socket.readyState !== WebSocket.OPEN) return;
          const previous = this.#current;
          this.#current = socket;
          becameCurrent = true;
          this.#attempt = 0;
          this.#everOpened = true;
          this.#setState('open', reason);
          this.#scheduleRotation();
          this.#firstOpen?.resolve();
          this.#firstOpen = undefined;
          if (previous !== undefined && previous !== socket) {
            // The successor is live; let the old one finish delivering for a moment.
            setTimeout(() => previous.close(1000, 'rotated'), this.o.overlapMs ?? 1_000).unref();
          }
        })
        .catch((err: unknown) => {
          this.#log.warn(
            { connection: this.o.name, err: err instanceof Error ? err.message : String(err) },
            'connection setup failed',
          );
          socket.terminate();
        });
    });
    socket.on('close', (code, why) => {
      this.#sockets.delete(socket);
      this.o.onSocketClosed?.(socket);
      if (this.#closed) return;
      const isCurrent = this.#current === socket;
      if (isCurrent) this.#current = undefined;
      // A retired socket (rotated away) closing is expected; only the current one, or a failed attempt, needs a new connection.
      if (!isCurrent && becameCurrent) return;
      if (!isCurrent && reason === 'rotation') {
        // The successor failed to come up: the current socket still serves; try again later.
        this.#scheduleRotation();
        return;
      }
      const text = `closed ${code}${why.length > 0 ? ` ${why.toString()}` : ''}`;
      this.#scheduleReconnect(text);
    });
  }

  #scheduleReconnect(reason: string): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    this.#setState(this.#everOpened ? 'reconnecting' : 'connecting', reason);
    const delay = backoffDelay(this.#attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs, this.o.random);
    this.#attempt += 1;
    this.#log.info({ connection: this.o.name, reason, delayMs: delay, attempt: this.#attempt }, 'reconnecting');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.o.metrics?.reconnects.inc({ venue: this.o.venue, connection: this.o.name });
      this.#connect('reconnect');
    }, delay);
    this.#reconnectTimer.unref();
  }

  #scheduleRotation(): void {
    clearTimeout(this.#rotateTimer);
    if (this.o.rotateMs <= 0 || this.#closed) return;
    this.#rotateTimer = setTimeout(() => {
      this.o.metrics?.reconnects.inc({ venue: this.o.venue, connection: this.o.name });
      this.#log.info({ connection: this.o.name }, 'rotating connection before the venue cuts it');
      this.#connect('rotation');
    }, this.o.rotateMs);
    this.#rotateTimer.unref();
  }

  #watch(): void {
    const now = this.o.clock.now();
    for (const socket of this.#sockets) {
      const last = this.#lastSeen.get(socket) ?? now;
      if (now - last > this.o.staleMs) {
        this.#log.warn({ connection: this.o.name, silentMs: now - last }, 'connection went silent; terminating');
        socket.terminate();
        continue;
      }
      const pingEvery = this.o.pingIntervalMs ?? 0;
      if (pingEvery > 0 && socket.readyState === WebSocket.OPEN && now - last > pingEvery) socket.ping();
    }
  }
}
