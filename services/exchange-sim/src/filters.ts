// Binance's symbol filters, checked before an order reaches the matching engine so the refusal
// carries Binance's exact "Filter failure: X" message (-1013).

import { binanceErrors } from './errors.js';
import { cmp, dec, isMultipleOf, isZero, mul, type Dec } from './decimal.js';
import type { SymbolSpec } from './exchange-info.js';

export interface FilterInput {
  readonly type: string;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  /** Price a MARKET order is expected to trade at (last price or mid); undefined when the book is empty. */
  readonly referencePrice?: string;
  readonly openOrders: number;
}

function checkPrice(spec: SymbolSpec, price: Dec): void {
  if (isZero(price)) throw binanceErrors.filterFailure('PRICE_FILTER');
  const min = dec(spec.minPrice);
  if (cmp(price, min) < 0 || cmp(price, dec(spec.maxPrice)) > 0 || !isMultipleOf(price, min, dec(spec.tickSize))) {
    throw binanceErrors.filterFailure('PRICE_FILTER');
  }
}

function checkLot(spec: SymbolSpec, qty: Dec): void {
  const min = dec(spec.minQty);
  if (cmp(qty, min) < 0 || cmp(qty, dec(spec.maxQty)) > 0 || !isMultipleOf(qty, min, dec(spec.stepSize))) {
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
    if (isMarket && cmp(qty, dec(spec.marketMaxQty)) > 0) throw binanceErrors.filterFailure('MARKET_LOT_SIZE');
  }
  const notional = orderNotional(input);
  if (notional !== undefined) {
    if (cmp(notional, dec(spec.minNotional)) < 0) throw binanceErrors.filterFailure('NOTIONAL');
    // applyMaxToMarket is false, as on Binance for these pairs.
    if (!isMarket && cmp(notional, dec(spec.maxNotional)) > 0) throw binanceErrors.filterFailure('NOTIONAL');
  }
  if (input.openOrders >= spec.maxNumOrders && !isMarket) throw binanceErrors.filterFailure('MAX_NUM_ORDERS');
}

function orderNotional(input: FilterInput): Dec | undefined {
  if (input.quoteOrderQty !== undefined) return dec(input.quoteOrderQty);
  if (input.quantity === undefined) return undefined;
  const price =
    input.price ??
    (input.type === 'MARKET' || input.type === 'STOP_LOSS' || input.type === 'TAKE_PROFIT'
      ? (input.stopPrice ?? input.referencePrice)
      : undefined);
  if (price === undefined) return undefined;
  return mul(dec(input.quantity), dec(price));
}
