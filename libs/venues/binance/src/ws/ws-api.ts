import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { z } from 'zod';
import { VenueError, VenueErrorCode, asLocalVenueError, type ConnectionState, type VenueClock } from '@bourse/venues';
import type { CredentialsProvider } from '../common/credentials.js';
import { mapBinanceError } from '../common/errors.js';
import { silentLogger, type VenueLogger } from '../common/logger.js';
import type { BinanceMetrics } from '../common/metrics.js';
import { WsApiEventFrame, WsApiResponse } from '../common/models.js';
import type { BinanceRateLimiter } from '../common/rate-limiter.js';
import { recvWindowFor } from '../common/deadline.js';
import { resyncClock, type ServerClock } from '../common/server-clock.js';
import { wsApiSignaturePayload, type Params } from '../common/signing.js';
import { ManagedSocket } from './managed-socket.js';
import { activeTraceId, injectTraceContext, SpanKind, withSpan } from '@bourse/telemetry';

// Binance's WebSocket API: `{id, method, params}` → `{id, status, result | error, rateLimits}`.
// The low-latency path for orders. Same rules as REST: a request that changes state and gets no
// answer (timeout, connection lost after sending) is an unknown outcome, never resent; -1021 is
// resent once after the clock offset is measured again.

export interface WsApiRequest<S extends z.ZodType> {
  method: string;
  params?: Params;
  signed: boolean;
  weight: number;
  orders?: number;
  /** Place/cancel: an unanswered request is an unknown outcome. */
  mutating: boolean;
  /** Local ms: never sent at or after it, and signed so the venue refuses a later arrival (signed only). */
  notAfter?: number;
  schema: S;
}

export interface WsApiOptions {
  name: string;
  url: string;
  credentials: CredentialsProvider | undefined;
  limiter: BinanceRateLimiter;
  serverClock: ServerClock;
  clock: VenueClock;
  recvWindowMs: number;
  requestTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  rotateMs: number;
  staleMs: number;
  venue: string;
  metrics?: BinanceMetrics;
  logger?: VenueLogger;
  /** Runs on every fresh connection before requests use it (e.g. user-data subscribe). */
  onConnection?: (api: BinanceWsApi, socket: WebSocket, reason: 'first' | 'reconnect' | 'rotation') => Promise<void>;
  /** Pushed events (`{subscriptionId, event}`). */
  onEvent?: (event: { e: string } & Record<string, unknown>, subscriptionId: number | undefined) => void;
  onState?: (state: ConnectionState, reason: string) => void;
  /**
   * Adds the W3C `traceparent` as a top-level field of each request frame sent inside a trace. Binance
   * documents no such field, so only a venue known to accept it (the exchange simulator) gets it.
   */
  traceField?: boolean;
}

interface Pending {
  socket: WebSocket;
  operation: string;
  mutating: boolean;
  resolve: (value: unknown) => void;
  reject: (err: VenueError) => void;
  timer: NodeJS.Timeout;
  schema: z.ZodType;
}

export class BinanceWsApi {
  readonly #o: WsApiOptions;
  readonly #socket: ManagedSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #log: VenueLogger;

  constructor(options: WsApiOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#socket = new ManagedSocket({
      name: options.name,
      url: () => options.url,
      clock: options.clock,
      reconnectBaseMs: options.reconnectBaseMs,
      reconnectMaxMs: options.reconnectMaxMs,
      rotateMs: options.rotateMs,
      staleMs: options.staleMs,
      pingIntervalMs: Math.floor(options.staleMs / 3),
      venue: options.venue,
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      onOpen: async (socket, reason) => {
        await options.onConnection?.(this, socket, reason);
      },
      onMessage: (text) => this.#onMessage(text),
      onSocketClosed: (socket) => this.#failPending(socket),
      ...(options.onState !== undefined ? { onState: options.onState } : {}),
    });
  }

  get state(): ConnectionState {
    return this.#socket.state;
  }

  start(): Promise<void> {
    return this.#socket.start();
  }

  close(): Promise<void> {
    return this.#socket.close();
  }

  /** Drops the connection and opens a fresh one (which runs onConnection again). */
  recycle(reason: string): void {
    this.#socket.recycle(reason);
  }

  /** Sends on the current connection. A request that could not be sent is retryable (it never left). */
  request<S extends z.ZodType>(req: WsApiRequest<S>): Promise<z.infer<S>> {
    const socket = this.#socket.socket;
    if (socket === undefined) {
      return Promise.reject(
        new VenueError('retryable', VenueErrorCode.NOT_CONNECTED, `${req.method}: WebSocket API not connected`, {
          operation: req.method,
          local: true,
        }),
      );
    }
    return this.requestOn(socket, req);
  }

  /** Sends on a given socket: used while a fresh connection is being set up, before it is current. */
  async requestOn<S extends z.ZodType>(socket: WebSocket, req: WsApiRequest<S>): Promise<z.infer<S>> {
    let resynced = false;
    for (;;) {
      try {
        const result = await this.#traced(req, () => this.#once(socket, req));
        this.#o.metrics?.requests.inc({ venue: this.#o.venue, operation: req.method, outcome: 'ok' });
        return result;
      } catch (err) {
        if (err instanceof VenueError)
          this.#o.metrics?.requests.inc({ venue: this.#o.venue, operation: req.method, outcome: err.code });
        if (err instanceof VenueError && err.code === VenueErrorCode.CLOCK_SKEW && !resynced) {
          resynced = true;
          await resyncClock(this.#o.serverClock, req.method);
          this.#log.warn(
            { operation: req.method, offsetMs: this.#o.serverClock.offsetMs },
            'clock skew (-1021): offset measured again',
          );
          continue;
        }
        throw err;
      }
    }
  }

  /** A request made for a traced operation is a client span of that trace (method and path only: never params). */
  #traced<T>(req: WsApiRequest<z.ZodType>, send: () => Promise<T>): Promise<T> {
    if (activeTraceId() === undefined) return send();
    const url = new URL(this.#o.url);
    const attributes = {
      'rpc.system': 'binance-ws-api',
      'rpc.method': req.method,
      'url.path': url.pathname,
      'url.scheme': url.protocol.replace(':', ''),
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'wss:' ? 443 : 80)),
    };
    return withSpan(`ws-api ${req.method}`, { kind: SpanKind.CLIENT, attributes }, send);
  }

  async #once<S extends z.ZodType>(socket: WebSocket, req: WsApiRequest<S>): Promise<z.infer<S>> {
    try {
      await this.#o.limiter.acquire({ weight: req.weight, orders: req.orders ?? 0 }, req.method);
    } catch (err) {
      // Nothing has left the process yet: the failure is ours, never the venue's answer.
      throw err instanceof VenueError ? asLocalVenueError(err) : err;
    }
    let params: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(req.params ?? {})) if (v !== undefined) params[k] = v;
    if (req.signed) {
      if (this.#o.credentials === undefined) {
        throw new VenueError('fatal', VenueErrorCode.AUTH, `${req.method}: needs an API key and none is configured`, {
          operation: req.method,
          local: true,
        });
      }
      const creds = this.#o.credentials.current();
      let recvWindow: number;
      try {
        recvWindow = recvWindowFor(req.method, this.#o.recvWindowMs, req.notAfter, this.#o.clock.now());
      } catch (err) {
        throw err instanceof VenueError ? asLocalVenueError(err) : err;
      }
      params = {
        ...params,
        apiKey: creds.apiKey,
        recvWindow,
        timestamp: this.#o.serverClock.now(),
      };
      params.signature = creds.sign(wsApiSignaturePayload(params));
    }
    const id = randomUUID();
    const frame: Record<string, unknown> = { id, method: req.method, params };
    if (this.#o.traceField === true) injectTraceContext((name, value) => (frame[name] = value));
    return new Promise<z.infer<S>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(this.#noAnswer(req.method, req.mutating, `no response within ${this.#o.requestTimeoutMs} ms`));
      }, this.#o.requestTimeoutMs);
      this.#pending.set(id, {
        socket,
        operation: req.method,
        mutating: req.mutating,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        schema: req.schema,
      });
      socket.send(JSON.stringify(frame), (err) => {
        if (err === undefined || err === null) return;
        const pending = this.#pending.get(id);
        if (pending === undefined) return;
        clearTimeout(pending.timer);
        this.#pending.delete(id);
        // The write failed locally: nothing reached the venue.
        reject(
          new VenueError('retryable', VenueErrorCode.NOT_CONNECTED, `${req.method}: send failed: ${err.message}`, {
            operation: req.method,
            local: true,
          }),
        );
      });
    });
  }

  #noAnswer(operation: string, mutating: boolean, why: string): VenueError {
    return new VenueError(mutating ? 'unknown-outcome' : 'retryable', VenueErrorCode.TIMEOUT, `${operation}: ${why}`, {
      operation,
    });
  }

  #failPending(socket: WebSocket): void {
    for (const [id, p] of this.#pending) {
      if (p.socket !== socket) continue;
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(this.#noAnswer(p.operation, p.mutating, 'connection lost before the response'));
    }
  }

  #onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#o.metrics?.droppedFrames.inc({ venue: this.#o.venue, connection: this.#o.name, reason: 'not-json' });
      return;
    }
    const event = WsApiEventFrame.safeParse(json);
    if (event.success) {
      this.#o.onEvent?.(event.data.event, event.data.subscriptionId);
      return;
    }
    const response = WsApiResponse.safeParse(json);
    if (!response.success) {
      // An answer we cannot read but can match to its request settles it now, naming the bad
      // fields, rather than leaving it to time out as if the venue had never answered.
      const id = (json as { id?: unknown } | null)?.id;
      const pending = typeof id === 'string' || typeof id === 'number' ? this.#pending.get(String(id)) : undefined;
      this.#o.metrics?.droppedFrames.inc({
        venue: this.#o.venue,
        connection: this.#o.name,
        reason: pending === undefined ? 'unexpected-frame' : 'malformed',
      });
      if (pending !== undefined) {
        this.#pending.delete(String(id));
        clearTimeout(pending.timer);
        pending.reject(
          new VenueError(
            pending.mutating ? 'unknown-outcome' : 'non-retryable',
            VenueErrorCode.MALFORMED_RESPONSE,
            `${pending.operation}: unreadable response: ${response.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
            { operation: pending.operation },
          ),
        );
      }
      return;
    }
    if (response.data.id === null) {
      this.#o.metrics?.droppedFrames.inc({
        venue: this.#o.venue,
        connection: this.#o.name,
        reason: 'unexpected-frame',
      });
      return;
    }
    const r = response.data;
    const pending = this.#pending.get(String(r.id));
    if (r.rateLimits !== undefined) {
      this.#o.limiter.observeWsRateLimits(r.rateLimits).catch((err: unknown) => {
        this.#log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'could not record WS-API rate limits',
        );
      });
    }
    if (pending === undefined) {
      // Answer to a request that already timed out: its outcome is being resolved by a query.
      this.#o.metrics?.droppedFrames.inc({ venue: this.#o.venue, connection: this.#o.name, reason: 'late-response' });
      return;
    }
    this.#pending.delete(String(r.id));
    clearTimeout(pending.timer);
    if (r.status === 200) {
      const parsed = pending.schema.safeParse(r.result);
      if (parsed.success) pending.resolve(parsed.data);
      else
        pending.reject(
          new VenueError(
            pending.mutating ? 'unknown-outcome' : 'non-retryable',
            VenueErrorCode.MALFORMED_RESPONSE,
            `${pending.operation}: unexpected result: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
            {
              operation: pending.operation,
              httpStatus: 200,
            },
          ),
        );
      return;
    }
    const data = r.error?.['data'] as { retryAfter?: unknown; serverTime?: unknown } | undefined;
    const retryAfterMs =
      typeof data?.retryAfter === 'number' && typeof data.serverTime === 'number'
        ? Math.max(0, data.retryAfter - data.serverTime)
        : undefined;
    const err = mapBinanceError({
      httpStatus: r.status,
      ...(r.error !== undefined ? { code: r.error.code, msg: r.error.msg } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      operation: pending.operation,
      mutating: pending.mutating,
    });
    const block =
      r.status === 418
        ? this.#o.limiter.onBanned(retryAfterMs)
        : r.status === 429
          ? this.#o.limiter.onRateLimited(retryAfterMs)
          : undefined;
    if (block === undefined) pending.reject(err);
    else
      block.then(
        () => pending.reject(err),
        () => pending.reject(err),
      );
  }
}
