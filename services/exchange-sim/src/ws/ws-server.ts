// WebSocket endpoints on the sim's HTTP port: `/ws`, `/ws/<streams>`, `/stream?streams=a/b` (each with
// an optional `timeUnit`) and `/ws-api/v3`. Sends server pings and drops connections that stop
// answering them; can drop every connection at once for the drop-ws fault.

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimContext } from '../api/endpoint.js';
import type { Random } from '../random.js';
import type { MarketHub } from './market-hub.js';
import { StreamConnection } from './stream-connection.js';
import { isValidStreamName } from './stream-names.js';
import { parseTimeUnit } from './time-unit.js';
import type { UserDataHub } from './user-data-hub.js';
import { WsApiConnection } from './ws-api.js';

export interface WsServerOptions {
  readonly sim: SimContext;
  readonly hub: MarketHub;
  readonly userData: UserDataHub;
  readonly random: Random;
  readonly pingIntervalMs: number;
  readonly log: (line: string) => void;
  /** Told of every WebSocket API request (the sim's request metric). */
  readonly countRequest?: (method: string, status: number | 'dropped') => void;
}

interface Tracked {
  lastPong: number;
}

/** How long a connection may go without answering pings (Binance: one minute). */
const PONG_TIMEOUT_MS = 60_000;

export class WsServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Map<WebSocket, Tracked>();
  private readonly streamConnections = new Set<StreamConnection>();
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    server: Server,
    private readonly options: WsServerOptions,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.pingTimer = setInterval(() => this.pingAll(), options.pingIntervalMs);
    this.pingTimer.unref();
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Cuts every connection without a close handshake, as a network failure would. */
  dropAll(): number {
    const n = this.clients.size;
    for (const ws of this.clients.keys()) ws.terminate();
    return n;
  }

  /**
   * Stops as Binance's stream servers do: every market-stream connection gets a `serverShutdown`
   * event and a close frame (clients reconnect at once); whatever has not closed within the grace
   * period is cut.
   */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.pingTimer);
    const eventTime = this.options.sim.clock.now();
    const closing = [...this.streamConnections].map((c) => c.shutDown(eventTime));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closing),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const ws of this.clients.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private reject(socket: Duplex, status: number, message: string): void {
    const body = JSON.stringify({ code: -1000, msg: message });
    socket.end(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const path = url.pathname;
    if (path === '/ws-api/v3') {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.track(ws);
        new WsApiConnection(ws, {
          sim: this.options.sim,
          userData: this.options.userData,
          ip: req.socket.remoteAddress ?? 'unknown',
          log: this.options.log,
          returnRateLimits: url.searchParams.get('returnRateLimits') !== 'false',
          ...(this.options.countRequest ? { countRequest: this.options.countRequest } : {}),
        });
      });
      return;
    }
    let combined: boolean;
    let requested: string[];
    if (path === '/ws' || path.startsWith('/ws/')) {
      combined = false;
      requested = path.slice(3).split('/');
    } else if (path === '/stream' || path === '/stream/') {
      combined = true;
      requested = (url.searchParams.get('streams') ?? '').split('/');
    } else {
      this.reject(socket, 404, `No WebSocket endpoint at ${path}.`);
      return;
    }
    // Binance opens the connection whatever follows `/ws/`: a segment that is not a stream name
    // (`/ws/0`, the shard index widely used clients put there, or `BTCUSDT@trade` in upper case)
    // subscribes to nothing and the client subscribes with SUBSCRIBE. Refusing the upgrade would
    // leave those clients without market data.
    const streams = requested.filter((s) => s !== '' && isValidStreamName(s));
    const timeUnit = parseTimeUnit(url.searchParams.get('timeUnit'));
    if (timeUnit === undefined) {
      this.reject(
        socket,
        400,
        `Invalid timeUnit: ${url.searchParams.get('timeUnit') ?? ''} (MILLISECOND or MICROSECOND).`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.track(ws);
      const connection = new StreamConnection(ws, combined, streams, {
        hub: this.options.hub,
        userData: this.options.userData,
        listenKeys: this.options.sim.listenKeys,
        faults: this.options.sim.faults,
        random: this.options.random,
        now: () => performance.now(),
        maxIncomingPerSecond: 5,
        microseconds: timeUnit === 'MICROSECOND',
      });
      this.streamConnections.add(connection);
      ws.on('close', () => this.streamConnections.delete(connection));
    });
  }

  private track(ws: WebSocket): void {
    this.clients.set(ws, { lastPong: performance.now() });
    ws.on('pong', () => {
      const t = this.clients.get(ws);
      if (t) t.lastPong = performance.now();
    });
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
  }

  private pingAll(): void {
    const now = performance.now();
    for (const [ws, t] of this.clients) {
      if (now - t.lastPong > Math.max(PONG_TIMEOUT_MS, 3 * this.options.pingIntervalMs)) {
        ws.terminate();
        continue;
      }
      if (ws.readyState === ws.OPEN) ws.ping(Buffer.from(String(Date.now())));
    }
  }
}
