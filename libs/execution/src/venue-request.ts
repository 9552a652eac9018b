import type { OrderRequest } from '@bourse/contracts';
import type { PlaceOrderRequest } from '@bourse/venues';
import { OrderManagerError, OrderManagerErrorCode } from './errors.js';

// OrderRequest → the venue port's PlaceOrderRequest. Every style passes through as it is: market,
// limit, limit-maker, and stop / stop-limit with their stop price (Binance STOP_LOSS and
// STOP_LOSS_LIMIT); the adapter maps the style to the venue's order type.

/** Why a request cannot go to the venue as it is, or undefined when it can; never throws. */
export function unsupportedReason(request: OrderRequest): string | undefined {
  if (request.qty === undefined && request.quoteQty === undefined) return 'the request gives neither qty nor quoteQty';
  if (request.quoteQty !== undefined && request.style !== 'market')
    return `quoteQty sizes market orders only, not ${request.style}`;
  return undefined;
}

/** The venue request for `request`, same client order id; throws OMS_UNSUPPORTED_REQUEST for a shape the venue cannot take. */
export function toPlaceOrderRequest(request: OrderRequest): PlaceOrderRequest {
  const reason = unsupportedReason(request);
  if (reason !== undefined) {
    throw new OrderManagerError(OrderManagerErrorCode.UNSUPPORTED_REQUEST, reason, request.clientOrderId);
  }
  return {
    clientOrderId: request.clientOrderId,
    symbol: request.instrument,
    side: request.side,
    style: request.style,
    ...(request.qty !== undefined ? { quantity: request.qty } : {}),
    ...(request.quoteQty !== undefined ? { quoteQuantity: request.quoteQty } : {}),
    ...(request.price !== undefined ? { price: request.price } : {}),
    ...(request.stopPrice !== undefined ? { stopPrice: request.stopPrice } : {}),
    ...(request.timeInForce !== undefined ? { timeInForce: request.timeInForce } : {}),
    // The decision's shelf life travels to the adapter: never sent, nor accepted on arrival, after it.
    ...(request.expiresAt !== undefined ? { notAfter: request.expiresAt } : {}),
  };
}
