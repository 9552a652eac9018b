// OCO order lists: POST /api/v3/orderList/oco (above/below legs), the older POST /api/v3/order/oco,
// and DELETE /api/v3/orderList. The engine's OCO is a LIMIT_MAKER leg plus a stop-loss leg, which is
// what both Binance endpoints describe for a take-profit-and-stop pair.

import type { NewOcoRequest, OcoResult, OrderSide, TimeInForce } from '@bourse/matching';
import { BinanceApiError, binanceErrors } from '../errors.js';
import { checkFilters } from '../filters.js';
import type { Params } from '../params.js';
import { cancelView, listOrderReport, orderListView } from '../views.js';
import { engineCall, requireAccount, type Call, type Endpoint } from './endpoint.js';
import { requireSymbol } from './trading.js';

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const LEG_TYPES = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const signedParams = ['timestamp', 'recvWindow', 'signature', 'apiKey'];

const typeNotSupported = (): BinanceApiError => new BinanceApiError(400, -1158, 'Order type not supported in OCO.');

function ocoResponse(result: OcoResult): Record<string, unknown> {
  const t = result.orderList.transactionTime;
  return { ...orderListView(result.orderList), orderReports: result.orderReports.map((o) => listOrderReport(o, t)) };
}

function checkLegs(call: Call, req: NewOcoRequest): void {
  const spec = call.sim.venue.spec(req.symbol);
  if (!spec) throw binanceErrors.badSymbol();
  const openOrders = call.sim.venue.run((e) => e.getOpenOrders(req.accountId, req.symbol)).length;
  checkFilters(spec, { type: 'LIMIT_MAKER', quantity: req.quantity, price: req.price, openOrders: openOrders + 1 });
  checkFilters(spec, {
    type: req.stopLimitPrice === undefined ? 'STOP_LOSS' : 'STOP_LOSS_LIMIT',
    quantity: req.quantity,
    stopPrice: req.stopPrice,
    ...(req.stopLimitPrice !== undefined ? { price: req.stopLimitPrice } : {}),
    openOrders: openOrders + 1,
  });
}

function place(call: Call, req: NewOcoRequest): Record<string, unknown> {
  checkLegs(call, req);
  return ocoResponse(engineCall(call, () => call.sim.venue.engine.placeOco(req)));
}

const newOrderListOco: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 2,
  placesOrder: true,
  handle(call, p) {
    const accountId = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const side = p.requiredEnum('side', SIDES, binanceErrors.invalidSide);
    const quantity = p.optionalDecimal('quantity');
    if (quantity === undefined) throw binanceErrors.mandatoryMissing('quantity');
    const above = readLeg(p, 'above');
    const below = readLeg(p, 'below');
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    p.optional('selfTradePreventionMode');
    p.touch(...signedParams, 'newOrderRespType');
    p.assertAllRead();
    // SELL: take profit above (LIMIT_MAKER), stop below. BUY: stop above, take profit below (LIMIT_MAKER).
    const [limitLeg, stopLeg] = side === 'SELL' ? [above, below] : [below, above];
    if (limitLeg.type !== 'LIMIT_MAKER' || (stopLeg.type !== 'STOP_LOSS' && stopLeg.type !== 'STOP_LOSS_LIMIT')) {
      throw typeNotSupported();
    }
    if (limitLeg.price === undefined) throw binanceErrors.mandatoryMissing(`${limitLeg.prefix}Price`);
    if (stopLeg.stopPrice === undefined) throw binanceErrors.mandatoryMissing(`${stopLeg.prefix}StopPrice`);
    if (stopLeg.type === 'STOP_LOSS_LIMIT') {
      if (stopLeg.price === undefined) throw binanceErrors.mandatoryMissing(`${stopLeg.prefix}Price`);
      if (stopLeg.timeInForce === undefined) throw binanceErrors.mandatoryMissing(`${stopLeg.prefix}TimeInForce`);
    }
    return place(call, {
      accountId,
      symbol,
      side,
      quantity,
      price: limitLeg.price,
      stopPrice: stopLeg.stopPrice,
      ...(stopLeg.type === 'STOP_LOSS_LIMIT' && stopLeg.price !== undefined ? { stopLimitPrice: stopLeg.price } : {}),
      ...(stopLeg.timeInForce !== undefined ? { stopLimitTimeInForce: stopLeg.timeInForce } : {}),
      ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
      ...(limitLeg.clientOrderId !== undefined ? { limitClientOrderId: limitLeg.clientOrderId } : {}),
      ...(stopLeg.clientOrderId !== undefined ? { stopClientOrderId: stopLeg.clientOrderId } : {}),
    });
  },
};

interface Leg {
  prefix: 'above' | 'below';
  type: (typeof LEG_TYPES)[number];
  price?: string;
  stopPrice?: string;
  timeInForce?: TimeInForce;
  clientOrderId?: string;
}

function readLeg(p: Params, prefix: 'above' | 'below'): Leg {
  const type = p.requiredEnum(`${prefix}Type`, LEG_TYPES, typeNotSupported);
  const price = p.optionalDecimal(`${prefix}Price`);
  const stopPrice = p.optionalDecimal(`${prefix}StopPrice`);
  const timeInForce = p.optionalEnum(`${prefix}TimeInForce`, TIFS, binanceErrors.invalidTif);
  const clientOrderId = p.optionalClientOrderId(`${prefix}ClientOrderId`);
  p.optional(`${prefix}IcebergQty`);
  p.optional(`${prefix}TrailingDelta`);
  p.optional(`${prefix}StrategyId`);
  p.optional(`${prefix}StrategyType`);
  return {
    prefix,
    type,
    ...(price !== undefined ? { price } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(timeInForce !== undefined ? { timeInForce } : {}),
    ...(clientOrderId !== undefined ? { clientOrderId } : {}),
  };
}

const newOrderOcoLegacy: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 2,
  placesOrder: true,
  handle(call, p) {
    const accountId = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const side = p.requiredEnum('side', SIDES, binanceErrors.invalidSide);
    const quantity = p.optionalDecimal('quantity');
    const price = p.optionalDecimal('price');
    const stopPrice = p.optionalDecimal('stopPrice');
    if (quantity === undefined) throw binanceErrors.mandatoryMissing('quantity');
    if (price === undefined) throw binanceErrors.mandatoryMissing('price');
    if (stopPrice === undefined) throw binanceErrors.mandatoryMissing('stopPrice');
    const stopLimitPrice = p.optionalDecimal('stopLimitPrice');
    const stopLimitTimeInForce = p.optionalEnum('stopLimitTimeInForce', TIFS, binanceErrors.invalidTif);
    if (stopLimitPrice !== undefined && stopLimitTimeInForce === undefined)
      throw binanceErrors.mandatoryMissing('stopLimitTimeInForce');
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    const limitClientOrderId = p.optionalClientOrderId('limitClientOrderId');
    const stopClientOrderId = p.optionalClientOrderId('stopClientOrderId');
    p.touch(...signedParams, 'newOrderRespType', 'selfTradePreventionMode', 'limitIcebergQty', 'stopIcebergQty');
    p.assertAllRead();
    return place(call, {
      accountId,
      symbol,
      side,
      quantity,
      price,
      stopPrice,
      ...(stopLimitPrice !== undefined ? { stopLimitPrice } : {}),
      ...(stopLimitTimeInForce !== undefined ? { stopLimitTimeInForce } : {}),
      ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
      ...(limitClientOrderId !== undefined ? { limitClientOrderId } : {}),
      ...(stopClientOrderId !== undefined ? { stopClientOrderId } : {}),
    });
  },
};

const cancelOrderList: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  handle(call, p) {
    const accountId = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const orderListId = p.optionalInteger('orderListId');
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    if (orderListId === undefined && listClientOrderId === undefined) {
      throw binanceErrors.eitherRequired('listClientOrderId', 'orderListId');
    }
    const newClientOrderId = p.optionalClientOrderId('newClientOrderId');
    const now = call.sim.clock.now();
    const cancelId = newClientOrderId ?? `x-cxl-list-${orderListId ?? 0}-${now}`.slice(0, 36);
    const result = engineCall(
      call,
      () =>
        call.sim.venue.engine.cancelOrderList({
          accountId,
          symbol,
          newClientOrderId: cancelId,
          ...(orderListId !== undefined ? { orderListId } : {}),
          ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
        }),
      'cancel',
    );
    return {
      ...orderListView(result.orderList),
      orderReports: result.orderReports.map((o) => cancelView(o, cancelId, now)),
    };
  },
};

export const orderListEndpoints = { newOrderListOco, newOrderOcoLegacy, cancelOrderList } as const;
