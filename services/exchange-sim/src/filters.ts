// Binance's symbol filters, checked before an order reaches the matching engine so the refusal
// carries Binance's exact "Filter failure: X" message (-1013).

import { binanceErrors } from './errors.js';
import { dec, type Decimal } from '@bourse/domain';
import { isOnGrid } from './binance-numbers.js';
import { TRAILING_DELTA, type SymbolSpec } from './exchange-info.js';

export interface FilterInput {
  readonly type: string;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  /** BIPS of a trailing stop; its side decides which TRAILING_DELTA bounds apply. */
  readonly trailingDelta?: number;
  readonly side?: 'BUY' | 'SELL';
  /** Price a MARKET order is expected to trade at (last price or mid); undefined when the book is empty. */
  readonly referencePrice?: string;
  readonly openOrders: number;
}

function checkPrice(spec: SymbolSpec, price: Decimal): void {
  if (price.isZero()) throw binanceErrors.filterFailure('PRICE_FILTER');
  const min = dec(spec.minPrice);
  if (price.lt(min) || price.gt(dec(spec.maxPrice)) || !isOnGrid(price, min, dec(spec.tickSize))) {
    throw binanceErrors.filterFailure('PRICE_FILTER');
  }
}

function checkLot(spec: SymbolSpec, qty: Decimal): void {
  const min = dec(spec.minQty);
  if (qty.lt(min) || qty.gt(dec(spec.maxQty)) || !isOnGrid(qty, min, dec(spec.stepSize))) {
    throw binanceErrors.filterFailure('LOT_SIZE');
  }
}

/** Throws the first failing filter in Binance's order of evaluation. */
export function checkFilters(spec: SymbolSpec, input: FilterInput): void {
  const isMarket = input.type === 'MARKET';
  if (input.price !== undefined) checkPrice(spec, dec(input.price));
  if (input.stopPrice !== undefined) checkPrice(spec, dec(input.stopPrice));
  if (input.quantity !== undefined) {
    const qty = dec(input.quantity);
    checkLot(spec, qty);
    if (isMarket && qty.gt(dec(spec.marketMaxQty))) throw binanceErrors.filterFailure('MARKET_LOT_SIZE');
  }
  if (input.trailingDelta !== undefined) checkTrailingDelta(input.type, input.side ?? 'SELL', input.trailingDelta);
  const notional = orderNotional(input);
  if (notional !== undefined) {
    if (notional.lt(dec(spec.minNotional))) throw binanceErrors.filterFailure('NOTIONAL');
    // applyMaxToMarket is false, as on Binance for these pairs.
    if (!isMarket && notional.gt(dec(spec.maxNotional))) throw binanceErrors.filterFailure('NOTIONAL');
  }
  if (input.openOrders >= spec.maxNumOrders && !isMarket) throw binanceErrors.filterFailure('MAX_NUM_ORDERS');
}

/**
 * TRAILING_DELTA: STOP_LOSS(_LIMIT) BUY and TAKE_PROFIT(_LIMIT) SELL trigger above the market and take the
 * "above" bounds; STOP_LOSS(_LIMIT) SELL and TAKE_PROFIT(_LIMIT) BUY the "below" ones.
 */
function checkTrailingDelta(type: string, side: 'BUY' | 'SELL', delta: number): void {
  const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  const above = stopLoss === (side === 'BUY');
  const [min, max] = above
    ? [TRAILING_DELTA.minTrailingAboveDelta, TRAILING_DELTA.maxTrailingAboveDelta]
    : [TRAILING_DELTA.minTrailingBelowDelta, TRAILING_DELTA.maxTrailingBelowDelta];
  if (delta < min || delta > max) throw binanceErrors.filterFailure('TRAILING_DELTA');
}

function orderNotional(input: FilterInput): Decimal | undefined {
  if (input.quoteOrderQty !== undefined) return dec(input.quoteOrderQty);
  if (input.quantity === undefined) return undefined;
  const price =
    input.price ??
    (input.type === 'MARKET' || input.type === 'STOP_LOSS' || input.type === 'TAKE_PROFIT'
      ? (input.stopPrice ?? input.referencePrice)
      : undefined);
  if (price === undefined) return undefined;
  return dec(input.quantity).times(dec(price));
}
