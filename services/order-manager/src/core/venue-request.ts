import type { OrderRequest } from '@bourse/contracts';
import type { PlaceOrderRequest } from '@bourse/venues';
import { OrderManagerError, OrderManagerErrorCode } from './errors.js';

// OrderRequest → the venue port's PlaceOrderRequest. Every style passes through as it is: market,
// limit, limit-maker, and stop / stop-limit with their stop price (Binance STOP_LOSS and
// STOP_LOSS_LIMIT); the adapter maps the style to the venue's order type.

/** Why a request cannot go to the venue as it is, or undefined when it can; never throws. */
export function unsupportedReason(request: OrderRequest): string | undefined {
  // The venue port sizes every order in the base asset; Binance's quoteOrderQty is not carried.
  if (request.qty === undefined) return 'quoteQty orders are not supported by the venue port (give qty)';
  return undefined;
}

/** The venue request for `request`, same client order id; throws OMS_UNSUPPORTED_REQUEST for a quote-sized order. */
export function toPlaceOrderRequest(request: OrderRequest): PlaceOrderRequest {
  const reason = unsupportedReason(request);
  if (reason !== undefined || request.qty === undefined) {
    throw new OrderManagerError(
      OrderManagerErrorCode.UNSUPPORTED_REQUEST,
      reason ?? 'qty missing',
      request.clientOrderId,
    );
  }
  return {
    clientOrderId: request.clientOrderId,
    symbol: request.instrument,
    side: request.side,
    style: request.style,
    quantity: request.qty,
    ...(request.price !== undefined ? { price: request.price } : {}),
    ...(request.stopPrice !== undefined ? { stopPrice: request.stopPrice } : {}),
    ...(request.timeInForce !== undefined ? { timeInForce: request.timeInForce } : {}),
  };
}
