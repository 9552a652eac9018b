// Reading a new order the way Binance does: which parameters each type needs, which it refuses,
// then the symbol filters. Shared by POST /api/v3/order, order/test, cancelReplace and order.place.

import { dec } from '@bourse/domain';
import type { NewOrderRequest, OrderSide, OrderType, SelfTradePreventionMode, TimeInForce } from '@bourse/matching';
import { binanceErrors } from '../errors.js';
import { ORDER_TYPES, type SymbolSpec } from '../exchange-info.js';
import { checkFilters } from '../filters.js';
import type { Params } from '../params.js';
import type { NewOrderRespType } from '../views.js';
import { defaultRespType } from '../views.js';
import type { Call } from './endpoint.js';

const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const RESP_TYPES: readonly NewOrderRespType[] = ['ACK', 'RESULT', 'FULL'];
const STP_MODES: readonly SelfTradePreventionMode[] = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'];

const NEEDS: Record<OrderType, { tif: boolean; price: boolean; stop: boolean }> = {
  LIMIT: { tif: true, price: true, stop: false },
  MARKET: { tif: false, price: false, stop: false },
  STOP_LOSS: { tif: false, price: false, stop: true },
  STOP_LOSS_LIMIT: { tif: true, price: true, stop: true },
  TAKE_PROFIT: { tif: false, price: false, stop: true },
  TAKE_PROFIT_LIMIT: { tif: true, price: true, stop: true },
  LIMIT_MAKER: { tif: false, price: true, stop: false },
};

export interface ParsedOrder {
  readonly request: Omit<NewOrderRequest, 'accountId'>;
  readonly respType: NewOrderRespType;
  readonly spec: SymbolSpec;
}

/** Parses a new order and checks it against the symbol's filters. */
export function parseNewOrder(call: Call, p: Params): ParsedOrder {
  const symbol = p.symbol();
  const side = p.requiredEnum('side', SIDES, binanceErrors.invalidSide);
  const type = p.requiredEnum('type', ORDER_TYPES, binanceErrors.invalidOrderType);
  const spec = call.sim.venue.spec(symbol);
  if (!spec) throw binanceErrors.badSymbol();
  const needs = NEEDS[type];

  const timeInForce = p.optionalEnum('timeInForce', TIFS, binanceErrors.invalidTif);
  if (needs.tif && timeInForce === undefined) throw binanceErrors.mandatoryMissing('timeInForce');
  if (!needs.tif && timeInForce !== undefined) throw binanceErrors.paramNotRequired('timeInForce');

  const price = p.optionalDecimal('price');
  if (needs.price && price === undefined) throw binanceErrors.mandatoryMissing('price');
  if (!needs.price && price !== undefined) throw binanceErrors.paramNotRequired('price');

  const stopPrice = p.optionalDecimal('stopPrice');
  const trailingDelta = p.optionalInteger('trailingDelta');
  // A trailing stop may leave out its stop price (it then tracks the market from the start).
  if (needs.stop && stopPrice === undefined && trailingDelta === undefined) {
    throw binanceErrors.mandatoryMissing('stopPrice');
  }
  if (!needs.stop && stopPrice !== undefined) throw binanceErrors.paramNotRequired('stopPrice');
  if (!needs.stop && trailingDelta !== undefined) throw binanceErrors.paramNotRequired('trailingDelta');

  const quantity = p.optionalDecimal('quantity');
  const quoteOrderQty = p.optionalDecimal('quoteOrderQty');
  if (type === 'MARKET') {
    if (quantity === undefined && quoteOrderQty === undefined)
      throw binanceErrors.eitherRequired('quantity', 'quoteOrderQty');
    if (quantity !== undefined && quoteOrderQty !== undefined) throw binanceErrors.paramNotRequired('quoteOrderQty');
  } else {
    if (quoteOrderQty !== undefined) throw binanceErrors.paramNotRequired('quoteOrderQty');
    if (quantity === undefined) throw binanceErrors.mandatoryMissing('quantity');
  }
  if (p.has('icebergQty')) throw binanceErrors.newOrderRejected('Iceberg orders are not supported for this symbol.');

  const newClientOrderId = p.optionalClientOrderId('newClientOrderId');
  const respType =
    p.optionalEnum('newOrderRespType', RESP_TYPES, () => binanceErrors.invalidParameter('newOrderRespType')) ??
    defaultRespType(type);
  const stp = p.optionalEnum('selfTradePreventionMode', STP_MODES, () =>
    binanceErrors.invalidParameter('selfTradePreventionMode'),
  );
  p.optionalInteger('strategyId');
  const strategyType = p.optionalInteger('strategyType');
  if (strategyType !== undefined && strategyType < 1_000_000) {
    throw binanceErrors.invalidMessage('`strategyType` was less than 1000000.');
  }

  const venue = call.sim.venue;
  const openOrders =
    call.account === undefined ? 0 : venue.run((e) => e.getOpenOrders(call.account ?? '', symbol)).length;
  checkFilters(spec, {
    type,
    quantity,
    quoteOrderQty,
    price,
    stopPrice,
    ...(trailingDelta !== undefined ? { trailingDelta } : {}),
    side,
    referencePrice: referencePrice(call, symbol),
    openOrders,
  });

  const request: Omit<NewOrderRequest, 'accountId'> = {
    symbol,
    side,
    type,
    ...(timeInForce !== undefined ? { timeInForce } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(quoteOrderQty !== undefined ? { quoteOrderQty } : {}),
    ...(price !== undefined ? { price } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(trailingDelta !== undefined ? { trailingDelta } : {}),
    ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
    ...(stp !== undefined ? { selfTradePreventionMode: stp } : {}),
  };
  return { request, respType, spec };
}

/** Binance checks a MARKET order's notional against its average price; the sim uses the last trade, else the mid. */
export function referencePrice(call: Call, symbol: string): string | undefined {
  return call.sim.venue.run((e) => {
    const last = e.lastPrice(symbol);
    if (last !== null) return last;
    const t = e.bookTicker(symbol);
    if (!dec(t.askQty).isZero()) return t.askPrice;
    if (!dec(t.bidQty).isZero()) return t.bidPrice;
    return undefined;
  });
}
