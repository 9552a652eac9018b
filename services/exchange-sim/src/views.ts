// Binance's JSON shapes for orders, trades and accounts, built from the engine's views. Numbers that
// Binance sends as strings (prices, quantities, commissions) are strings with 8 decimals here too;
// ids and times are JSON numbers.

import type {
  AccountTrade,
  Balance,
  Fill,
  OrderListView,
  OrderView,
  PlaceOrderResult,
  PublicTrade,
} from '@bourse/matching';
import { toFixed8 } from './binance-numbers.js';

export type NewOrderRespType = 'ACK' | 'RESULT' | 'FULL';

export function defaultRespType(type: string): NewOrderRespType {
  return type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK';
}

const HAS_STOP = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

function prevented(o: OrderView): Record<string, unknown> {
  return o.preventedMatchId === undefined
    ? {}
    : { preventedMatchId: o.preventedMatchId, preventedQuantity: toFixed8(o.preventedQuantity ?? '0') };
}

/** Binance's conditional fields of a trailing stop: `trailingDelta` (BIPS) and `trailingTime` (-1 until it tracks). */
export function trailing(o: OrderView): Record<string, unknown> {
  return o.trailingDelta === undefined ? {} : { trailingDelta: o.trailingDelta, trailingTime: o.trailingTime ?? -1 };
}

export function fillView(f: Fill): Record<string, unknown> {
  return {
    price: toFixed8(f.price),
    qty: toFixed8(f.qty),
    commission: toFixed8(f.commission),
    commissionAsset: f.commissionAsset,
    tradeId: f.tradeId,
  };
}

export function newOrderView(
  result: PlaceOrderResult,
  respType: NewOrderRespType,
  transactTime: number,
): Record<string, unknown> {
  const o = result.order;
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    transactTime,
  };
  if (respType === 'ACK') return ack;
  const body: Record<string, unknown> = {
    ...ack,
    price: toFixed8(o.price),
    origQty: toFixed8(o.origQty),
    executedQty: toFixed8(o.executedQty),
    origQuoteOrderQty: toFixed8(o.origQuoteOrderQty),
    cummulativeQuoteQty: toFixed8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
  if (HAS_STOP.has(o.type)) body.stopPrice = toFixed8(o.stopPrice);
  Object.assign(body, trailing(o));
  body.workingTime = o.workingTime;
  body.selfTradePreventionMode = o.selfTradePreventionMode;
  Object.assign(body, prevented(o));
  if (respType === 'FULL') body.fills = result.fills.map(fillView);
  return body;
}

/** GET /api/v3/order, openOrders, allOrders. */
export function orderView(o: OrderView): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    price: toFixed8(o.price),
    origQty: toFixed8(o.origQty),
    executedQty: toFixed8(o.executedQty),
    cummulativeQuoteQty: toFixed8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: toFixed8(o.stopPrice),
    icebergQty: toFixed8(o.icebergQty),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.workingTime,
    origQuoteOrderQty: toFixed8(o.origQuoteOrderQty),
    selfTradePreventionMode: o.selfTradePreventionMode,
    ...trailing(o),
    ...prevented(o),
  };
}

/** DELETE /api/v3/order: `clientOrderId` is the cancel's own id, `origClientOrderId` the order's. */
export function cancelView(o: OrderView, cancelClientOrderId: string, transactTime: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: cancelClientOrderId,
    transactTime,
    price: toFixed8(o.price),
    origQty: toFixed8(o.origQty),
    executedQty: toFixed8(o.executedQty),
    origQuoteOrderQty: toFixed8(o.origQuoteOrderQty),
    cummulativeQuoteQty: toFixed8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
  if (HAS_STOP.has(o.type)) body.stopPrice = toFixed8(o.stopPrice);
  Object.assign(body, trailing(o));
  body.selfTradePreventionMode = o.selfTradePreventionMode;
  return body;
}

export function orderListView(l: OrderListView): Record<string, unknown> {
  return {
    orderListId: l.orderListId,
    contingencyType: l.contingencyType,
    listStatusType: l.listStatusType,
    listOrderStatus: l.listOrderStatus,
    listClientOrderId: l.listClientOrderId,
    transactionTime: l.transactionTime,
    symbol: l.symbol,
    orders: l.orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}

/** An order report inside an order list response (OCO placement or cancel). */
export function listOrderReport(o: OrderView, transactTime: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    transactTime,
    price: toFixed8(o.price),
    origQty: toFixed8(o.origQty),
    executedQty: toFixed8(o.executedQty),
    origQuoteOrderQty: toFixed8(o.origQuoteOrderQty),
    cummulativeQuoteQty: toFixed8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
  if (HAS_STOP.has(o.type)) body.stopPrice = toFixed8(o.stopPrice);
  Object.assign(body, trailing(o));
  body.workingTime = o.workingTime;
  body.selfTradePreventionMode = o.selfTradePreventionMode;
  return body;
}

export function myTradeView(t: AccountTrade): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: t.orderListId,
    price: toFixed8(t.price),
    qty: toFixed8(t.qty),
    quoteQty: toFixed8(t.quoteQty),
    commission: toFixed8(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: t.isBestMatch,
  };
}

export function publicTradeView(t: PublicTrade): Record<string, unknown> {
  return {
    id: t.id,
    price: toFixed8(t.price),
    qty: toFixed8(t.qty),
    quoteQty: toFixed8(t.quoteQty),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    isBestMatch: t.isBestMatch,
  };
}

export function balanceView(b: Balance): Record<string, unknown> {
  return { asset: b.asset, free: toFixed8(b.free), locked: toFixed8(b.locked) };
}

/** Basis points as Binance's integer `makerCommission` (0.001 → 10). */
export function rateToBps(rate: string): number {
  const [w = '0', f = ''] = rate.split('.');
  return Number(w) * 10_000 + Number((f + '0000').slice(0, 4));
}
