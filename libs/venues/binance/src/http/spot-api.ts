import { z } from 'zod';
import {
  AccountInfo,
  AccountTrade,
  CanceledOrder,
  DepthSnapshot,
  ExchangeInfo,
  ListenKey,
  OrderListResponse,
  OrderResponse,
  QueriedOrder,
  ServerTime,
} from '../common/models.js';
import type { Params } from '../common/signing.js';
import type { BinanceRestClient } from './rest-client.js';
import { KlineRow } from './kline-row.js';
import { OrderListStatus } from '@bourse/contracts';

// The Binance Spot REST endpoints Bourse uses, with their documented request weights.

export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

export interface NewOrderParams {
  symbol: string;
  side: string;
  type: string;
  /** Exactly one of quantity (base asset) and quoteOrderQty (quote asset, MARKET only). */
  quantity?: string;
  quoteOrderQty?: string;
  newClientOrderId: string;
  price?: string;
  stopPrice?: string;
  /** BIPS, STOP_LOSS(_LIMIT) / TAKE_PROFIT(_LIMIT) only. */
  trailingDelta?: number;
  timeInForce?: string;
}

export class BinanceSpotRest {
  constructor(private readonly http: BinanceRestClient) {}

  async serverTime(): Promise<number> {
    const r = await this.http.request({
      method: 'GET',
      path: '/api/v3/time',
      security: 'NONE',
      weight: 1,
      idempotent: true,
      schema: ServerTime,
    });
    return r.serverTime;
  }

  exchangeInfo(): Promise<ExchangeInfo> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/exchangeInfo',
      security: 'NONE',
      weight: 20,
      idempotent: true,
      schema: ExchangeInfo,
    });
  }

  depth(symbol: string, limit: number): Promise<DepthSnapshot> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/depth',
      params: { symbol, limit },
      security: 'NONE',
      weight: depthWeight(limit),
      idempotent: true,
      schema: DepthSnapshot,
    });
  }

  /** Candles, oldest first; weight 2 (Binance, any limit up to 1000). */
  klines(symbol: string, interval: string, limit: number): Promise<KlineRow[]> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/klines',
      params: { symbol, interval, limit },
      security: 'NONE',
      weight: 2,
      idempotent: true,
      schema: z.array(KlineRow),
    });
  }

  /** `notAfter` (local ms): not sent at or after it, and refused by the venue if it arrives later. */
  newOrder(p: NewOrderParams, notAfter?: number): Promise<OrderResponse> {
    const params: Params = { ...p, newOrderRespType: 'RESULT' };
    return this.http.request({
      method: 'POST',
      path: '/api/v3/order',
      params,
      security: 'SIGNED',
      weight: 1,
      orders: 1,
      idempotent: false,
      ...(notAfter !== undefined ? { notAfter } : {}),
      schema: OrderResponse,
    });
  }

  queryOrder(symbol: string, origClientOrderId: string): Promise<QueriedOrder> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/order',
      params: { symbol, origClientOrderId },
      security: 'SIGNED',
      weight: 4,
      idempotent: true,
      schema: QueriedOrder,
    });
  }

  cancelOrder(symbol: string, origClientOrderId: string, newClientOrderId?: string): Promise<CanceledOrder> {
    return this.http.request({
      method: 'DELETE',
      path: '/api/v3/order',
      params: { symbol, origClientOrderId, newClientOrderId },
      security: 'SIGNED',
      weight: 1,
      idempotent: false,
      schema: CanceledOrder,
    });
  }

  /** POST /api/v3/orderList/{oco,oto,otoco}: weight 1, 2 or 3 orders (Binance's unfilled order count). */
  newOrderList(kind: 'oco' | 'oto' | 'otoco', params: Params, orders: number): Promise<OrderListResponse> {
    return this.http.request({
      method: 'POST',
      path: `/api/v3/orderList/${kind}`,
      params: { ...params, newOrderRespType: 'RESULT' },
      security: 'SIGNED',
      weight: 1,
      orders,
      idempotent: false,
      schema: OrderListResponse,
    });
  }

  /** DELETE /api/v3/orderList: by the list's client id; the cancel's own id optional. */
  cancelOrderList(symbol: string, listClientOrderId: string, newClientOrderId?: string): Promise<OrderListResponse> {
    return this.http.request({
      method: 'DELETE',
      path: '/api/v3/orderList',
      params: { symbol, listClientOrderId, newClientOrderId },
      security: 'SIGNED',
      weight: 1,
      idempotent: false,
      schema: OrderListResponse,
    });
  }

  /** GET /api/v3/orderList by `origClientOrderId` (the list's client id) or `orderListId`; weight 4. */
  queryOrderList(ref: { listClientOrderId: string } | { orderListId: number }): Promise<OrderListStatus> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/orderList',
      params: 'orderListId' in ref ? { orderListId: ref.orderListId } : { origClientOrderId: ref.listClientOrderId },
      security: 'SIGNED',
      weight: 4,
      idempotent: true,
      schema: OrderListStatus,
    });
  }

  /** GET /api/v3/openOrderList: every executing list of the account; weight 6. */
  openOrderLists(): Promise<OrderListStatus[]> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/openOrderList',
      security: 'SIGNED',
      weight: 6,
      idempotent: true,
      schema: z.array(OrderListStatus),
    });
  }

  openOrders(symbol?: string): Promise<QueriedOrder[]> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/openOrders',
      params: { symbol },
      security: 'SIGNED',
      weight: symbol === undefined ? 80 : 6,
      idempotent: true,
      schema: z.array(QueriedOrder),
    });
  }

  /** Binance weighs a query of one order's trades (`orderId`) 5, any other 20. */
  myTrades(p: {
    symbol: string;
    orderId?: string;
    fromId?: string;
    startTime?: number;
    endTime?: number;
    limit?: number;
  }): Promise<AccountTrade[]> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/myTrades',
      params: {
        symbol: p.symbol,
        orderId: p.orderId,
        fromId: p.fromId,
        startTime: p.startTime,
        endTime: p.endTime,
        limit: p.limit,
      },
      security: 'SIGNED',
      weight: p.orderId === undefined ? 20 : 5,
      idempotent: true,
      schema: z.array(AccountTrade),
    });
  }

  account(): Promise<AccountInfo> {
    return this.http.request({
      method: 'GET',
      path: '/api/v3/account',
      params: { omitZeroBalances: true },
      security: 'SIGNED',
      weight: 20,
      idempotent: true,
      schema: AccountInfo,
    });
  }

  /** listenKey user-data stream, only for venues without userDataStream.subscribe.signature. */
  async createListenKey(): Promise<string> {
    const r = await this.http.request({
      method: 'POST',
      path: '/api/v3/userDataStream',
      security: 'API_KEY',
      weight: 2,
      idempotent: true,
      schema: ListenKey,
    });
    return r.listenKey;
  }

  async keepAliveListenKey(listenKey: string): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: '/api/v3/userDataStream',
      params: { listenKey },
      security: 'API_KEY',
      weight: 2,
      idempotent: true,
      schema: z.unknown(),
    });
  }

  async closeListenKey(listenKey: string): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: '/api/v3/userDataStream',
      params: { listenKey },
      security: 'API_KEY',
      weight: 2,
      idempotent: true,
      schema: z.unknown(),
    });
  }
}
