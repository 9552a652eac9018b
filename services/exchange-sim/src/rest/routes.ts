// The REST route table: Binance's paths and methods, each pointing at a transport-neutral endpoint.

import { accountEndpoints as a } from '../api/account.js';
import type { Endpoint } from '../api/endpoint.js';
import { marketEndpoints as m } from '../api/market.js';
import { orderListEndpoints as l } from '../api/order-lists.js';
import { orderListQueries as q } from '../api/oto-lists.js';
import { tradingEndpoints as t } from '../api/trading.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const REST_ROUTES: Readonly<Record<string, Partial<Record<HttpMethod, Endpoint>>>> = {
  '/api/v3/ping': { GET: m.ping },
  '/api/v3/time': { GET: m.time },
  '/api/v3/exchangeInfo': { GET: m.exchangeInfo },
  '/api/v3/depth': { GET: m.depth },
  '/api/v3/trades': { GET: m.trades },
  '/api/v3/avgPrice': { GET: m.avgPrice },
  '/api/v3/klines': { GET: m.klines },
  '/api/v3/ticker/bookTicker': { GET: m.bookTicker },
  '/api/v3/ticker/price': { GET: m.tickerPrice },
  '/api/v3/order': { POST: t.newOrder, GET: a.getOrder, DELETE: t.cancelOrder },
  '/api/v3/order/test': { POST: t.testOrder },
  '/api/v3/order/cancelReplace': { POST: t.cancelReplace },
  '/api/v3/openOrders': { GET: a.openOrders, DELETE: t.cancelOpenOrders },
  '/api/v3/allOrders': { GET: a.allOrders },
  '/api/v3/orderList/oco': { POST: l.newOrderListOco },
  '/api/v3/orderList/oto': { POST: l.newOrderListOto },
  '/api/v3/orderList/otoco': { POST: l.newOrderListOtoco },
  '/api/v3/order/oco': { POST: l.newOrderOcoLegacy },
  '/api/v3/orderList': { DELETE: l.cancelOrderList, GET: q.getOrderList },
  '/api/v3/openOrderList': { GET: q.openOrderLists },
  '/api/v3/account': { GET: a.account },
  '/api/v3/myTrades': { GET: a.myTrades },
  '/api/v3/userDataStream': { POST: a.startUserStream, PUT: a.keepAliveUserStream, DELETE: a.closeUserStream },
};
