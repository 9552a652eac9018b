// POST /api/v3/orderList/oto and /orderList/otoco, GET /api/v3/orderList and GET /api/v3/openOrderList
// (and their WS API methods). The engine keeps the pending legs PENDING_NEW until the working leg has
// fully filled.

import type { OrderSide, OrderType } from '@bourse/matching';
import { binanceErrors } from '../errors.js';
import { orderListView } from '../views.js';
import { engineCall, requireAccount, type Endpoint } from './endpoint.js';
import {
  checkListFilters,
  checkPairPositions,
  engineLeg,
  LEG_TYPES,
  ocoResponse,
  readListCommon,
  readListLeg,
} from './list-legs.js';
import { requireSymbol } from './trading.js';

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const WORKING_TYPES: readonly OrderType[] = ['LIMIT', 'LIMIT_MAKER'];
const PENDING_TYPES: readonly OrderType[] = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];

function quantityOf(p: Parameters<Endpoint['handle']>[1], name: string): string {
  const q = p.optionalDecimal(name);
  if (q === undefined) throw binanceErrors.mandatoryMissing(name);
  return q;
}

const newOrderListOto: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 2,
  placesOrder: true,
  handle(call, p) {
    const accountId = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const working = readListLeg(p, 'working', WORKING_TYPES, binanceErrors.invalidOrderType);
    const workingSide = p.requiredEnum('workingSide', SIDES, binanceErrors.invalidSide);
    const workingQuantity = quantityOf(p, 'workingQuantity');
    const pending = readListLeg(p, 'pending', PENDING_TYPES, binanceErrors.invalidOrderType);
    const pendingSide = p.requiredEnum('pendingSide', SIDES, binanceErrors.invalidSide);
    const pendingQuantity = quantityOf(p, 'pendingQuantity');
    if (p.has('pendingQuoteOrderQty')) throw binanceErrors.paramNotRequired('pendingQuoteOrderQty');
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    const stp = readListCommon(p);
    p.assertAllRead();
    checkListFilters(call, accountId, symbol, [
      { leg: working, side: workingSide, quantity: workingQuantity },
      { leg: pending, side: pendingSide, quantity: pendingQuantity },
    ]);
    const result = engineCall(call, () =>
      call.sim.venue.engine.placeOto({
        accountId,
        symbol,
        working: { ...engineLeg(working), side: workingSide, quantity: workingQuantity },
        pending: { ...engineLeg(pending), side: pendingSide, quantity: pendingQuantity },
        ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
        ...(stp !== undefined ? { selfTradePreventionMode: stp } : {}),
      }),
    );
    return ocoResponse(result);
  },
};

const newOrderListOtoco: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 3,
  placesOrder: true,
  handle(call, p) {
    const accountId = requireAccount(call);
    const symbol = requireSymbol(call, p);
    const working = readListLeg(p, 'working', WORKING_TYPES, binanceErrors.invalidOrderType);
    const workingSide = p.requiredEnum('workingSide', SIDES, binanceErrors.invalidSide);
    const workingQuantity = quantityOf(p, 'workingQuantity');
    const pendingSide = p.requiredEnum('pendingSide', SIDES, binanceErrors.invalidSide);
    const pendingQuantity = quantityOf(p, 'pendingQuantity');
    const above = readListLeg(p, 'pendingAbove', LEG_TYPES);
    const below = readListLeg(p, 'pendingBelow', LEG_TYPES);
    const listClientOrderId = p.optionalClientOrderId('listClientOrderId');
    const stp = readListCommon(p);
    p.assertAllRead();
    checkPairPositions(pendingSide, above, below);
    checkListFilters(call, accountId, symbol, [
      { leg: working, side: workingSide, quantity: workingQuantity },
      { leg: above, side: pendingSide, quantity: pendingQuantity },
      { leg: below, side: pendingSide, quantity: pendingQuantity },
    ]);
    const result = engineCall(call, () =>
      call.sim.venue.engine.placeOtoco({
        accountId,
        symbol,
        working: { ...engineLeg(working), side: workingSide, quantity: workingQuantity },
        pendingSide,
        pendingQuantity,
        pendingAbove: engineLeg(above),
        pendingBelow: engineLeg(below),
        ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
        ...(stp !== undefined ? { selfTradePreventionMode: stp } : {}),
      }),
    );
    return ocoResponse(result);
  },
};

/** GET /api/v3/orderList (WS API `orderList.status`): by `orderListId` or `origClientOrderId` (the list's client id). */
const getOrderList: Endpoint = {
  security: 'SIGNED',
  weight: 4,
  handle(call, p) {
    const accountId = requireAccount(call);
    const orderListId = p.optionalInteger('orderListId');
    const listClientOrderId = p.optionalClientOrderId('origClientOrderId');
    if (orderListId === undefined && listClientOrderId === undefined) {
      throw binanceErrors.eitherRequired('orderListId', 'origClientOrderId');
    }
    p.touch('timestamp', 'recvWindow', 'signature', 'apiKey');
    p.assertAllRead();
    const list = engineCall(
      call,
      () =>
        call.sim.venue.engine.findOrderList({
          accountId,
          ...(orderListId !== undefined ? { orderListId } : {}),
          ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
        }),
      'query',
    );
    return orderListView(list);
  },
};

/** GET /api/v3/openOrderList (WS API `openOrderLists.status`): every executing list of the account. */
const openOrderLists: Endpoint = {
  security: 'SIGNED',
  weight: 6,
  handle(call, p) {
    const accountId = requireAccount(call);
    p.touch('timestamp', 'recvWindow', 'signature', 'apiKey');
    p.assertAllRead();
    return call.sim.venue.run((e) => e.getOpenOrderLists(accountId)).map(orderListView);
  },
};

/** Placements (they trade: a read-only key is refused). */
export const otoEndpoints = { newOrderListOto, newOrderListOtoco } as const;
/** Queries (a read-only key may call them). */
export const orderListQueries = { getOrderList, openOrderLists } as const;
