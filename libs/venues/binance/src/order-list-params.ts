import type { OrderListLeg, OrderListRequest, SidedOrderListLeg } from '@bourse/contracts';
import type { Params } from './common/signing.js';

// A `@bourse/contracts` order list → Binance's request: the REST path's last segment, the WS-API
// method, the orders it adds to the unfilled order count, and the parameters by Binance's names.

export interface OrderListCall {
  readonly kind: 'oco' | 'oto' | 'otoco';
  readonly wsMethod: string;
  readonly orders: number;
  readonly params: Params;
}

/** `above` + `Price` → `abovePrice`; every field of the leg under the prefix Binance uses. */
function legParams(prefix: string, leg: OrderListLeg): Record<string, string | number | undefined> {
  return {
    [`${prefix}Type`]: leg.type,
    [`${prefix}ClientOrderId`]: leg.clientOrderId,
    [`${prefix}Price`]: leg.price,
    [`${prefix}StopPrice`]: leg.stopPrice,
    [`${prefix}TrailingDelta`]: leg.trailingDelta,
    [`${prefix}TimeInForce`]: leg.timeInForce,
  };
}

function sidedParams(prefix: string, leg: SidedOrderListLeg): Record<string, string | number | undefined> {
  return { ...legParams(prefix, leg), [`${prefix}Side`]: leg.side, [`${prefix}Quantity`]: leg.qty };
}

export function toOrderListCall(req: OrderListRequest): OrderListCall {
  const common = { symbol: req.symbol, listClientOrderId: req.listClientOrderId };
  switch (req.kind) {
    case 'oco':
      return {
        kind: 'oco',
        wsMethod: 'orderList.place.oco',
        orders: 2,
        params: {
          ...common,
          side: req.side,
          quantity: req.qty,
          ...legParams('above', req.above),
          ...legParams('below', req.below),
        },
      };
    case 'oto':
      return {
        kind: 'oto',
        wsMethod: 'orderList.place.oto',
        orders: 2,
        params: { ...common, ...sidedParams('working', req.working), ...sidedParams('pending', req.pending) },
      };
    case 'otoco':
      return {
        kind: 'otoco',
        wsMethod: 'orderList.place.otoco',
        orders: 3,
        params: {
          ...common,
          ...sidedParams('working', req.working),
          pendingSide: req.pendingSide,
          pendingQuantity: req.pendingQty,
          ...legParams('pendingAbove', req.pendingAbove),
          ...legParams('pendingBelow', req.pendingBelow),
        },
      };
  }
}
