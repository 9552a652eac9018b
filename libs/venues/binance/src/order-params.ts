import { VenueError, VenueErrorCode, type PlaceOrderRequest } from '@bourse/venues';
import { orderStyleToBinance } from './common/parse.js';
import type { NewOrderParams } from './http/spot-api.js';

// A Bourse order request → Binance's new-order parameters. Missing fields are refused here, before
// anything is sent, with a non-retryable error naming the field.

function invalid(field: string, why: string): VenueError {
  return new VenueError('non-retryable', VenueErrorCode.INVALID_REQUEST, `order ${field} ${why}`);
}

export function toNewOrderParams(req: PlaceOrderRequest, venueSymbol: string): NewOrderParams {
  const needsPrice = req.style === 'limit' || req.style === 'limit-maker' || req.style === 'stop-limit';
  const needsStop = req.style === 'stop' || req.style === 'stop-limit';
  if (needsPrice && req.price === undefined) throw invalid('price', `is required for a ${req.style} order`);
  if (needsStop && req.stopPrice === undefined && req.trailingDelta === undefined)
    throw invalid('stopPrice', `or trailingDelta is required for a ${req.style} order`);
  if (!needsStop && req.trailingDelta !== undefined)
    throw invalid('trailingDelta', `is allowed on stop and stop-limit orders only, not ${req.style}`);
  if (req.trailingDelta !== undefined && (!Number.isInteger(req.trailingDelta) || req.trailingDelta < 1))
    throw invalid('trailingDelta', 'must be a whole number of BIPS from 1');
  if ((req.quantity === undefined) === (req.quoteQuantity === undefined))
    throw invalid('quantity', 'or quoteQuantity must be given, not both and not neither');
  if (req.quoteQuantity !== undefined && req.style !== 'market')
    throw invalid('quoteQuantity', `is allowed on market orders only, not ${req.style}`);
  const params: NewOrderParams = {
    symbol: venueSymbol,
    side: req.side,
    type: orderStyleToBinance(req.style),
    newClientOrderId: req.clientOrderId,
  };
  if (req.quantity !== undefined) params.quantity = req.quantity;
  if (req.quoteQuantity !== undefined) params.quoteOrderQty = req.quoteQuantity;
  if (needsPrice && req.price !== undefined) params.price = req.price;
  if (needsStop && req.stopPrice !== undefined) params.stopPrice = req.stopPrice;
  if (needsStop && req.trailingDelta !== undefined) params.trailingDelta = req.trailingDelta;
  // Binance requires timeInForce on LIMIT and STOP_LOSS_LIMIT and refuses it elsewhere.
  if (req.style === 'limit' || req.style === 'stop-limit') params.timeInForce = req.timeInForce ?? 'GTC';
  return params;
}
