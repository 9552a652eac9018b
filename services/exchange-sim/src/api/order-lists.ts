// OCO order lists: POST /api/v3/orderList/oco (above/below legs: one STOP_LOSS(_LIMIT), the other
// LIMIT_MAKER or TAKE_PROFIT(_LIMIT), either may trail), the older POST /api/v3/order/oco (LIMIT_MAKER +
// stop-loss), and DELETE /api/v3/orderList. OTO / OTOCO and the list queries are in oto-lists.ts.

import type { NewOcoRequest, OrderSide, TimeInForce } from '@bourse/matching';
import {
  checkListFilters,
  checkPairPositions,
  engineLeg,
  LEG_TYPES,
  ocoResponse,
  readListCommon,
  readListLeg,
} from './list-legs.js';
import { otoEndpoints } from './oto-lists.js';
import { binanceErrors } from '../errors.js';
import { checkFilters } from '../filters.js';
import { cancelView, orderListView } from '../views.js';
import { engineCall, requireAccount, type Call, type Endpoint } from './endpoint.js';
import { requireSymbol } from './trading.js';

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const signedParams = ['timestamp', 'recvWindow', 'signature', 'apiKey'];

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
    const above = readListLeg(p, 'above', LEG_TYPES);
    const below = readListLeg(p, 'below', LEG_TYPES);
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    const stp = readListCommon(p);
    p.assertAllRead();
    checkPairPositions(side, above, below);
    checkListFilters(call, accountId, symbol, [
      { leg: above, side, quantity },
      { leg: below, side, quantity },
    ]);
    const result = engineCall(call, () =>
      call.sim.venue.engine.placeOcoList({
        accountId,
        symbol,
        side,
        quantity,
        above: engineLeg(above),
        below: engineLeg(below),
        ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
        ...(stp !== undefined ? { selfTradePreventionMode: stp } : {}),
      }),
    );
    return ocoResponse(result);
  },
};

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

export const orderListEndpoints = {
  newOrderListOco,
  newOrderOcoLegacy,
  cancelOrderList,
  ...otoEndpoints,
} as const;
