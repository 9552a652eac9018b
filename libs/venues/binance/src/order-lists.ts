import type { OrderListRequest, OrderListStatus } from '@bourse/contracts';
import { VenueError, VenueErrorCode, asLocalVenueError, type OrderPath } from '@bourse/venues';
import type { VenueLogger } from './common/logger.js';
import { OrderListResponse } from './common/models.js';
import type { BinanceSpotRest } from './http/spot-api.js';
import { toOrderListCall } from './order-list-params.js';
import type { BinanceWsApi } from './ws/ws-api.js';

// Order lists (OCO, OTO, OTOCO) over the WebSocket API when it is open, REST otherwise, like single
// orders: a placement whose outcome is unknown is resolved by querying the list's client order id,
// never by sending it again. Responses are `@bourse/contracts`' OrderListStatus plus the legs' reports
// in Binance's vocabulary; the legs' changes arrive on the user-data feed as ordinary order events.

export type OrderListOutcome =
  | { outcome: 'accepted'; list: OrderListResponse | OrderListStatus; via: OrderPath; resolvedByQuery: boolean }
  | { outcome: 'rejected'; error: VenueError; via: OrderPath }
  | {
      outcome: 'unknown';
      listClientOrderId: string;
      query: 'not-found' | 'query-failed';
      error: VenueError;
      via: OrderPath;
    };

export type OrderListRef = { listClientOrderId: string } | { orderListId: number };

export interface BinanceOrderListsDeps {
  rest: BinanceSpotRest;
  /** The order WS-API, when the client has one. */
  orderApi: () => BinanceWsApi | undefined;
  requireTradingKey: (operation: string) => void;
  sleep: (ms: number) => Promise<void>;
  unknownQueryAttempts: number;
  unknownQueryDelayMs: number;
  logger: VenueLogger;
}

export class BinanceOrderLists {
  constructor(private readonly d: BinanceOrderListsDeps) {}

  #via(): OrderPath {
    return this.d.orderApi()?.state === 'open' ? 'ws-api' : 'rest';
  }

  async place(request: OrderListRequest): Promise<OrderListOutcome> {
    let via = this.#via();
    try {
      let call: ReturnType<typeof toOrderListCall>;
      try {
        this.d.requireTradingKey('placeOrderList');
        call = toOrderListCall(request);
      } catch (err) {
        throw err instanceof VenueError ? asLocalVenueError(err) : err;
      }
      const api = this.d.orderApi();
      if (via === 'ws-api' && api !== undefined) {
        try {
          const list = await api.request({
            method: call.wsMethod,
            params: { ...call.params, newOrderRespType: 'RESULT' },
            signed: true,
            weight: 1,
            orders: call.orders,
            mutating: true,
            schema: OrderListResponse,
          });
          return { outcome: 'accepted', list, via, resolvedByQuery: false };
        } catch (err) {
          // Never sent: safe to take the REST path with the same client ids.
          if (!(err instanceof VenueError) || err.code !== VenueErrorCode.NOT_CONNECTED) throw err;
          via = 'rest';
        }
      }
      const list = await this.d.rest.newOrderList(call.kind, call.params, call.orders);
      return { outcome: 'accepted', list, via, resolvedByQuery: false };
    } catch (err) {
      if (!(err instanceof VenueError)) throw err;
      if (err.kind === 'unknown-outcome') return this.#resolveUnknown(request.listClientOrderId, err, via);
      return { outcome: 'rejected', error: err, via };
    }
  }

  async #resolveUnknown(listClientOrderId: string, error: VenueError, via: OrderPath): Promise<OrderListOutcome> {
    this.d.logger.warn({ listClientOrderId, code: error.code, via }, 'order list outcome unknown; querying it');
    let query: 'not-found' | 'query-failed' = 'query-failed';
    for (let attempt = 0; attempt < this.d.unknownQueryAttempts; attempt++) {
      await this.d.sleep(this.d.unknownQueryDelayMs * (attempt + 1));
      try {
        const list = await this.query({ listClientOrderId });
        if (list !== undefined) return { outcome: 'accepted', list, via, resolvedByQuery: true };
        query = 'not-found';
      } catch (err) {
        query = 'query-failed';
        this.d.logger.warn(
          { listClientOrderId, err: err instanceof Error ? err.message : String(err) },
          'order list query failed',
        );
      }
    }
    return { outcome: 'unknown', listClientOrderId, query, error, via };
  }

  /** Cancels every open leg of the list (Binance cancels the whole list). Throws the venue's refusal as a VenueError. */
  async cancel(request: {
    symbol: string;
    listClientOrderId: string;
    cancelClientOrderId?: string;
  }): Promise<OrderListResponse> {
    this.d.requireTradingKey('cancelOrderList');
    const api = this.d.orderApi();
    if (api !== undefined && api.state === 'open') {
      try {
        return await api.request({
          method: 'orderList.cancel',
          params: {
            symbol: request.symbol,
            listClientOrderId: request.listClientOrderId,
            newClientOrderId: request.cancelClientOrderId,
          },
          signed: true,
          weight: 1,
          mutating: true,
          schema: OrderListResponse,
        });
      } catch (err) {
        if (!(err instanceof VenueError) || err.code !== VenueErrorCode.NOT_CONNECTED) throw err;
      }
    }
    return this.d.rest.cancelOrderList(request.symbol, request.listClientOrderId, request.cancelClientOrderId);
  }

  /** The list as the venue knows it; undefined when it does not (-2013 / -2011). Over REST. */
  async query(ref: OrderListRef): Promise<OrderListStatus | undefined> {
    try {
      return await this.d.rest.queryOrderList(ref);
    } catch (err) {
      if (err instanceof VenueError && err.code === VenueErrorCode.UNKNOWN_ORDER) return undefined;
      throw err;
    }
  }

  /** Every executing list of the account (reconciliation's `GET /api/v3/openOrderList`). */
  open(): Promise<OrderListStatus[]> {
    return this.d.rest.openOrderLists();
  }
}
