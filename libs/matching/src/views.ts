import { formatUnits } from './decimal.js';
import type { Order } from './order.js';
import type { OrderList } from './order-list.js';
import { formatPrice, formatQty, type SymbolSpec } from './symbol-spec.js';
import type { TradeRecord } from './trade-record.js';
import type { AccountTrade, OrderListView, OrderView, PublicTrade } from './types.js';

const ZERO = '0.00000000';

export function orderView(spec: SymbolSpec, o: Order): OrderView {
  const view: OrderView = {
    accountId: o.accountId,
    symbol: spec.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    price: o.priceTicks > 0 ? formatPrice(spec, o.priceTicks) : ZERO,
    origQty: formatQty(spec, o.qtyLots),
    executedQty: formatQty(spec, o.filledLots),
    cummulativeQuoteQty: formatUnits(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: o.stopTicks > 0 ? formatPrice(spec, o.stopTicks) : ZERO,
    icebergQty: ZERO,
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.workingTime,
    origQuoteOrderQty: formatUnits(o.quoteOrderQty),
    selfTradePreventionMode: o.stp,
  };
  if (o.trailingDelta > 0) {
    view.trailingDelta = o.trailingDelta;
    view.trailingTime = o.trailingTime;
  }
  if (o.preventedMatchId >= 0) {
    view.preventedMatchId = o.preventedMatchId;
    view.preventedQuantity = formatQty(spec, o.preventedLots);
  }
  return view;
}

export function publicTradeView(spec: SymbolSpec, t: TradeRecord): PublicTrade {
  return {
    id: t.id,
    price: formatPrice(spec, t.priceTicks),
    qty: formatQty(spec, t.qtyLots),
    quoteQty: formatUnits(t.quote),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    isBestMatch: true,
  };
}

export function accountTradeView(spec: SymbolSpec, t: TradeRecord, asBuyer: boolean): AccountTrade {
  return {
    accountId: asBuyer ? t.buyerAccountId : t.sellerAccountId,
    symbol: spec.symbol,
    id: t.id,
    orderId: asBuyer ? t.buyerOrderId : t.sellerOrderId,
    orderListId: asBuyer ? t.buyerOrderListId : t.sellerOrderListId,
    price: formatPrice(spec, t.priceTicks),
    qty: formatQty(spec, t.qtyLots),
    quoteQty: formatUnits(t.quote),
    commission: formatUnits(asBuyer ? t.buyerCommission : t.sellerCommission),
    commissionAsset: asBuyer ? spec.baseAsset : spec.quoteAsset,
    time: t.time,
    isBuyer: asBuyer,
    isMaker: asBuyer === t.isBuyerMaker,
    isBestMatch: true,
  };
}

export function orderListView(spec: SymbolSpec, list: OrderList, legs: Order[]): OrderListView {
  return {
    accountId: list.accountId,
    orderListId: list.orderListId,
    contingencyType: list.contingencyType,
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: spec.symbol,
    orders: legs.map((o) => ({ symbol: spec.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}
