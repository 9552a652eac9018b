// USER_DATA endpoints (order queries, account, trades) and the legacy listenKey endpoints.

import { binanceErrors } from '../errors.js';
import type { Params } from '../params.js';
import { balanceView, myTradeView, orderView, rateToBps } from '../views.js';
import { DEFAULT_FEE_RATE } from '../venue.js';
import { engineCall, requireAccount, type Call, type Endpoint } from './endpoint.js';
import { orderRef, requireSymbol } from './trading.js';

function timeRange(p: Params): { start?: number; end?: number } {
  const start = p.optionalInteger('startTime');
  const end = p.optionalInteger('endTime');
  if (start !== undefined && end !== undefined && end - start > 24 * 3_600_000) {
    throw binanceErrors.invalidMessage('More than 24 hours between startTime and endTime.');
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

function limitParam(p: Params, fallback: number, max: number): number {
  const limit = p.optionalInteger('limit') ?? fallback;
  if (limit < 1) throw binanceErrors.invalidParameter('limit');
  if (limit > max) throw binanceErrors.tooGreat('limit', String(max));
  return limit;
}

const getOrder: Endpoint = {
  security: 'SIGNED',
  weight: 4,
  handle(call, p) {
    const symbol = requireSymbol(call, p);
    const ref = orderRef(call, p, symbol);
    return orderView(engineCall(call, () => call.sim.venue.engine.getOrder(ref), 'query'));
  },
};

const openOrders: Endpoint = {
  security: 'SIGNED',
  weight: (p) => (p.has('symbol') ? 6 : 80),
  handle(call, p) {
    const account = requireAccount(call);
    const symbol = p.has('symbol') ? requireSymbol(call, p) : undefined;
    return engineCall(call, () => call.sim.venue.engine.getOpenOrders(account, symbol), 'query').map(orderView);
  },
};

const allOrders: Endpoint = {
  security: 'SIGNED',
  weight: 20,
  handle(call, p) {
    const account = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const fromOrderId = p.optionalInteger('orderId');
    const { start, end } = timeRange(p);
    const limit = limitParam(p, 500, 1000);
    let orders = engineCall(call, () => call.sim.venue.engine.getAllOrders(account, symbol), 'query');
    orders = orders.filter(
      (o) =>
        (fromOrderId === undefined || o.orderId >= fromOrderId) &&
        (start === undefined || o.time >= start) &&
        (end === undefined || o.time <= end),
    );
    orders.sort((a, b) => a.orderId - b.orderId);
    // With a start (id or time) Binance returns the oldest from there; otherwise the most recent.
    const fromStart = fromOrderId !== undefined || start !== undefined;
    const page = fromStart ? orders.slice(0, limit) : orders.slice(Math.max(0, orders.length - limit));
    return page.map(orderView);
  },
};

const myTrades: Endpoint = {
  security: 'SIGNED',
  weight: (p) => (p.has('orderId') ? 5 : 20),
  handle(call, p) {
    const account = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const orderId = p.optionalInteger('orderId');
    const fromId = p.optionalInteger('fromId');
    const { start, end } = timeRange(p);
    // Binance takes orderId alone or with fromId, and fromId without a time range; -1128 otherwise.
    if ((fromId !== undefined || orderId !== undefined) && (start !== undefined || end !== undefined)) {
      throw binanceErrors.invalidParameterCombination();
    }
    const limit = limitParam(p, 500, 1000);
    // Every retained trade from `fromId` on: the engine's default count (its newest 500) would hide the
    // older trades a caller pages through by `fromId`.
    let trades = engineCall(
      call,
      () => call.sim.venue.engine.getMyTrades(account, symbol, Number.MAX_SAFE_INTEGER, fromId),
      'query',
    );
    trades = trades.filter(
      (t) =>
        (orderId === undefined || t.orderId === orderId) &&
        (fromId === undefined || t.id >= fromId) &&
        (start === undefined || t.time >= start) &&
        (end === undefined || t.time <= end),
    );
    trades.sort((a, b) => a.id - b.id);
    const fromStart = fromId !== undefined || start !== undefined;
    const page = fromStart ? trades.slice(0, limit) : trades.slice(Math.max(0, trades.length - limit));
    return page.map(myTradeView);
  },
};

function accountView(call: Call, omitZero: boolean): Record<string, unknown> {
  const account = requireAccount(call);
  const balances = call.sim.venue.run((e) => e.getBalances(account));
  const shown = omitZero
    ? balances.filter((b) => !/^0(\.0*)?$/.test(b.free) || !/^0(\.0*)?$/.test(b.locked))
    : balances;
  const bps = rateToBps(DEFAULT_FEE_RATE);
  return {
    makerCommission: bps,
    takerCommission: bps,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: call.sim.clock.now(),
    accountType: 'SPOT',
    balances: shown.map(balanceView),
    permissions: ['SPOT'],
    uid: uidOf(account),
  };
}

/** A stable numeric uid per account name. */
function uidOf(account: string): number {
  let h = 0;
  for (const ch of account) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000_007;
  return h;
}

const account: Endpoint = {
  security: 'SIGNED',
  weight: 20,
  handle(call, p) {
    return accountView(call, p.optionalBoolean('omitZeroBalances') ?? false);
  },
};

const startUserStream: Endpoint = {
  security: 'USER_STREAM',
  weight: 2,
  handle(call) {
    return { listenKey: call.sim.listenKeys.create(requireAccount(call)) };
  },
};

const keepAliveUserStream: Endpoint = {
  security: 'USER_STREAM',
  weight: 2,
  handle(call, p) {
    const key = p.required('listenKey');
    if (!call.sim.listenKeys.keepAlive(key, requireAccount(call))) throw binanceErrors.invalidListenKey();
    return {};
  },
};

const closeUserStream: Endpoint = {
  security: 'USER_STREAM',
  weight: 2,
  handle(call, p) {
    const key = p.required('listenKey');
    if (!call.sim.listenKeys.close(key, requireAccount(call))) throw binanceErrors.invalidListenKey();
    return {};
  },
};

export const accountEndpoints = {
  getOrder,
  openOrders,
  allOrders,
  myTrades,
  account,
  startUserStream,
  keepAliveUserStream,
  closeUserStream,
} as const;

export { accountView };
