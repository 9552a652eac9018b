// The WebSocket API at /ws-api/v3: Binance's `{id, method, params}` → `{id, status, result | error,
// rateLimits}` protocol over the same endpoints as REST, plus user data subscriptions whose events
// arrive as `{subscriptionId, event}`.

import type { WebSocket } from 'ws';
import { accountEndpoints as a } from '../api/account.js';
import { weightOf, type Call, type Endpoint, type SimContext } from '../api/endpoint.js';
import { marketEndpoints as m } from '../api/market.js';
import { orderListEndpoints as l } from '../api/order-lists.js';
import { orderListQueries as q } from '../api/oto-lists.js';
import { tradingEndpoints as t } from '../api/trading.js';
import { requireTradePermission } from '../api/trade-permission.js';
import {
  checkTimestamp,
  DEFAULT_RECV_WINDOW_MS,
  MAX_RECV_WINDOW_MS,
  wsApiSigningPayload,
  type ApiKeyRecord,
} from '../auth.js';
import { BinanceApiError, binanceErrors, isBinanceApiError } from '../errors.js';
import { Params } from '../params.js';
import { wsRateLimits, type OrderUsage } from '../rate-limits.js';
import type { AccountEvent } from '../venue.js';
import type { UserDataHub, UserDataSubscriber } from './user-data-hub.js';
import { inPlacementSpan, type IncomingTrace } from '../trace.js';

const METHODS: Readonly<Record<string, Endpoint>> = {
  ping: m.ping,
  time: m.time,
  exchangeInfo: m.exchangeInfo,
  depth: m.depth,
  'trades.recent': m.trades,
  'ticker.book': m.bookTicker,
  'ticker.price': m.tickerPrice,
  avgPrice: m.avgPrice,
  klines: m.klines,
  'order.place': t.newOrder,
  'order.test': t.testOrder,
  'order.status': a.getOrder,
  'order.cancel': t.cancelOrder,
  'order.cancelReplace': t.cancelReplace,
  'openOrders.status': a.openOrders,
  'openOrders.cancelAll': t.cancelOpenOrders,
  allOrders: a.allOrders,
  'account.status': a.account,
  myTrades: a.myTrades,
  'orderList.place.oco': l.newOrderListOco,
  'orderList.place.oto': l.newOrderListOto,
  'orderList.place.otoco': l.newOrderListOtoco,
  'orderList.cancel': l.cancelOrderList,
  'orderList.status': q.getOrderList,
  'openOrderLists.status': q.openOrderLists,
  'userDataStream.start': a.startUserStream,
  'userDataStream.ping': a.keepAliveUserStream,
  'userDataStream.stop': a.closeUserStream,
};

type RequestId = number | string | null;

interface Session {
  key?: ApiKeyRecord;
  authorizedSince?: number;
  readonly connectedSince: number;
}

export interface WsApiDeps {
  readonly sim: SimContext;
  readonly userData: UserDataHub;
  readonly ip: string;
  readonly log: (line: string) => void;
  /** `returnRateLimits=false` in the connection URL leaves `rateLimits` out of replies. */
  readonly returnRateLimits: boolean;
  /** Told of every request's method and status (`dropped`: the drop-response fault swallowed the reply). */
  readonly countRequest?: (method: string, status: number | 'dropped') => void;
}

export class WsApiConnection {
  private readonly session: Session;
  private readonly subscriptions = new Map<number, UserDataSubscriber>();
  private nextSubscriptionId = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: WsApiDeps,
  ) {
    this.session = { connectedSince: deps.sim.clock.now() };
    ws.on('message', (data, isBinary) => this.onMessage(isBinary ? '' : data.toString('utf8')));
    ws.on('close', () => this.dispose());
  }

  private send(body: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(body));
  }

  private dispose(): void {
    for (const s of this.subscriptions.values()) this.deps.userData.remove(s);
    this.subscriptions.clear();
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.send({ id: null, status: 400, error: { code: -1135, msg: 'Invalid JSON Request' } });
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.send({ id: null, status: 400, error: { code: -1135, msg: 'Invalid JSON Request' } });
      return;
    }
    const req = msg as Record<string, unknown>;
    const id = req.id;
    if (!(
      id === null ||
      (typeof id === 'number' && Number.isSafeInteger(id)) ||
      (typeof id === 'string' && id.length <= 36 && id.length > 0)
    )) {
      this.send({
        id: null,
        status: 400,
        error: { code: -1102, msg: "Mandatory parameter 'id' was not sent, was empty/null, or malformed." },
      });
      return;
    }
    const method = req.method;
    if (typeof method !== 'string') {
      this.send({
        id,
        status: 400,
        error: { code: -1102, msg: "Mandatory parameter 'method' was not sent, was empty/null, or malformed." },
      });
      return;
    }
    this.handle(id, method, req.params, { traceparent: req.traceparent, tracestate: req.tracestate });
  }

  private handle(id: RequestId, method: string, rawParams: unknown, incoming: IncomingTrace): void {
    const known = METHODS[method] !== undefined || this.specialWeight(method) !== undefined;
    let status: number | 'dropped' = 500;
    try {
      status = this.answer(id, method, rawParams, incoming);
    } finally {
      // Unknown method names are one label, so a client cannot grow the metric's label set.
      this.deps.countRequest?.(known ? method : 'unknown', status);
    }
  }

  /** Handles one request and replies; returns the reply's status. */
  private answer(id: RequestId, method: string, rawParams: unknown, incoming: IncomingTrace): number | 'dropped' {
    const sim = this.deps.sim;
    let weight = 0;
    let orders: OrderUsage | undefined;
    try {
      const p = Params.fromJson(rawParams);
      p.touch('returnRateLimits');
      const endpoint = METHODS[method];
      const special = this.specialWeight(method);
      if (!endpoint && special === undefined) {
        throw new BinanceApiError(400, -1020, `Unknown method '${method}'. This operation is not supported.`);
      }
      weight = sim.limiter.spendWeight(this.deps.ip, endpoint ? weightOf(endpoint, p) : (special ?? 1)).usedWeight1m;
      if (!endpoint) {
        const result = this.handleSession(id, method, p);
        this.reply(rawParams, { id, status: 200, result }, wsRateLimits(sim.rateLimits(), weight));
        return 200;
      }
      const call = this.authenticate(endpoint, p);
      if (endpoint.orders && call.account !== undefined)
        orders = sim.limiter.countOrders(call.account, endpoint.orders);
      const result = endpoint.placesOrder
        ? inPlacementSpan(incoming, method, { 'rpc.system': 'binance-ws-api', 'rpc.method': method }, () =>
            endpoint.handle(call, p),
          )
        : endpoint.handle(call, p);
      if (endpoint.placesOrder && sim.faults.takeDropResponse('ws-api')) {
        this.deps.log(`fault: swallowed the WS-API response to ${method} id=${String(id)}`);
        return 'dropped';
      }
      this.reply(rawParams, { id, status: 200, result }, wsRateLimits(sim.rateLimits(), weight, orders));
      return 200;
    } catch (err) {
      const used = weight || sim.limiter.usedWeight(this.deps.ip);
      if (isBinanceApiError(err)) {
        const error: Record<string, unknown> = { code: err.code, msg: err.msg };
        if (err.data !== undefined) error.data = err.data;
        const retryAfter = err.headers['Retry-After'];
        if (retryAfter !== undefined)
          error.data = { serverTime: sim.clock.now(), retryAfter: sim.clock.now() + Number(retryAfter) * 1000 };
        this.reply(rawParams, { id, status: err.httpStatus, error }, wsRateLimits(sim.rateLimits(), used));
        return err.httpStatus;
      }
      this.deps.log(`ws-api: unexpected error in ${method}: ${String(err)}`);
      this.send({
        id,
        status: 500,
        error: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
        rateLimits: wsRateLimits(sim.rateLimits(), used),
      });
      return 500;
    }
  }

  /** Sends a reply with `rateLimits` unless the request or the connection asked to leave them out. */
  private reply(rawParams: unknown, body: Record<string, unknown>, rateLimits: Record<string, unknown>[]): void {
    const asked =
      typeof rawParams === 'object' && rawParams !== null
        ? (rawParams as { returnRateLimits?: unknown }).returnRateLimits
        : undefined;
    const include = asked === undefined ? this.deps.returnRateLimits : asked !== false && asked !== 'false';
    this.send(include ? { ...body, rateLimits } : body);
  }

  private specialWeight(method: string): number | undefined {
    switch (method) {
      case 'session.logon':
      case 'session.status':
      case 'session.logout':
      case 'session.subscriptions':
      case 'userDataStream.subscribe':
      case 'userDataStream.subscribe.signature':
      case 'userDataStream.unsubscribe':
        return 2;
      default:
        return undefined;
    }
  }

  /** Checks the key, signature and timestamp carried in `params`, or uses the logged-on session. */
  private verify(p: Params, signed: boolean): ApiKeyRecord {
    const sim = this.deps.sim;
    if (!p.has('apiKey') && !p.has('signature') && this.session.key) {
      if (signed) {
        const timestamp = p.optionalInteger('timestamp');
        if (timestamp === undefined) throw binanceErrors.mandatoryMissing('timestamp');
        checkTimestamp(timestamp, p.optionalInteger('recvWindow') ?? DEFAULT_RECV_WINDOW_MS, sim.clock.now());
      }
      return this.session.key;
    }
    const key = sim.keys.require(p.optional('apiKey') ?? '');
    if (!signed) return key;
    const signature = p.optional('signature');
    const timestamp = p.optionalInteger('timestamp');
    const recvWindow = p.optionalInteger('recvWindow') ?? DEFAULT_RECV_WINDOW_MS;
    if (timestamp === undefined) throw binanceErrors.mandatoryMissing('timestamp');
    if (signature === undefined) throw binanceErrors.mandatoryMissing('signature');
    if (recvWindow > MAX_RECV_WINDOW_MS) throw binanceErrors.badRecvWindow();
    if (
      !key.verify(wsApiSigningPayload(Object.fromEntries(p.keys().map((k) => [k, this.rawValue(p, k)]))), signature)
    ) {
      throw binanceErrors.badSignature();
    }
    checkTimestamp(timestamp, recvWindow, sim.clock.now());
    return key;
  }

  private rawValue(p: Params, k: string): string {
    // Params keeps text; the signing payload is built from the same text the client signed.
    return p.peek(k) ?? '';
  }

  private authenticate(endpoint: Endpoint, p: Params): Call {
    const sim = this.deps.sim;
    if (endpoint.security === 'NONE') return { sim, transport: 'ws-api' };
    const key = this.verify(p, endpoint.security === 'SIGNED');
    requireTradePermission(endpoint, key);
    return { sim, transport: 'ws-api', account: key.account, apiKey: key.apiKey };
  }

  private handleSession(_id: RequestId, method: string, p: Params): unknown {
    const sim = this.deps.sim;
    switch (method) {
      case 'session.logon': {
        const key = this.verify(p, true);
        // Binance: "Only Ed25519 keys are supported for this feature."
        if (key.keyType !== 'ED25519') throw binanceErrors.logonKeyTypeNotSupported(key.keyType);
        this.session.key = key;
        this.session.authorizedSince = sim.clock.now();
        return this.sessionStatus();
      }
      case 'session.status':
        return this.sessionStatus();
      case 'session.logout':
        delete this.session.key;
        delete this.session.authorizedSince;
        return this.sessionStatus();
      case 'session.subscriptions':
        return [...this.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      case 'userDataStream.subscribe': {
        if (!this.session.key) throw new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
        return { subscriptionId: this.subscribe(this.session.key.account) };
      }
      case 'userDataStream.subscribe.signature': {
        const key = this.verify(p, true);
        return { subscriptionId: this.subscribe(key.account) };
      }
      case 'userDataStream.unsubscribe': {
        const which = p.optionalInteger('subscriptionId');
        if (which === undefined) {
          for (const s of this.subscriptions.values()) this.deps.userData.remove(s);
          this.subscriptions.clear();
          return {};
        }
        const s = this.subscriptions.get(which);
        if (!s) throw new BinanceApiError(400, -2036, 'Subscription not found.');
        this.deps.userData.remove(s);
        this.subscriptions.delete(which);
        return {};
      }
    }
    throw new BinanceApiError(400, -1020, 'This operation is not supported.');
  }

  private sessionStatus(): Record<string, unknown> {
    return {
      apiKey: this.session.key?.apiKey ?? null,
      authorizedSince: this.session.authorizedSince ?? null,
      connectedSince: this.session.connectedSince,
      returnRateLimits: true,
      serverTime: this.deps.sim.clock.now(),
      userDataStream: this.subscriptions.size > 0,
    };
  }

  private subscribe(account: string): number {
    for (const s of this.subscriptions.values()) {
      if (s.account === account) throw new BinanceApiError(400, -2035, 'User Data Stream subscription already active.');
    }
    const subscriptionId = this.nextSubscriptionId++;
    const subscriber: UserDataSubscriber = {
      account,
      deliver: (event: AccountEvent) => this.send({ subscriptionId, event }),
      terminate: (eventTime: number) => {
        this.subscriptions.delete(subscriptionId);
        this.send({ subscriptionId, event: { e: 'eventStreamTerminated', E: eventTime } });
      },
    };
    this.subscriptions.set(subscriptionId, subscriber);
    this.deps.userData.add(subscriber);
    return subscriptionId;
  }
}
