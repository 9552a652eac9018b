import type { Side } from '@bourse/contracts';
import { Decimal, ONE, ZERO } from '@bourse/domain';
import type { ExecutionModel } from './execution.js';
import { takerLevel } from './liquidity.js';

// The price arithmetic of the simulated venue, pure: conversions between the data's prices, the tick
// grid, commissions and order sizes. It decides no fill: fills come from the matching engine, over the
// liquidity the data makes (liquidity.ts). README.md gives the same formulas.

/** The touch a market order meets: the ask for a BUY, the bid for a SELL. */
export function touch(side: Side, bid: Decimal, ask: Decimal): Decimal {
  return side === 'BUY' ? ask : bid;
}

/** Bid and ask around a bar price: price × (1 ∓ spread / 2). */
export function quoteAround(price: Decimal, model: ExecutionModel): { bid: Decimal; ask: Decimal } {
  if (model.halfSpread.isZero()) return { bid: price, ask: price };
  return { bid: price.times(ONE.minus(model.halfSpread)), ask: price.times(ONE.plus(model.halfSpread)) };
}

/** Rounds a price to the tick against the trader: a BUY pays up, a SELL receives down. */
export function onTick(side: Side, price: Decimal, tick: Decimal): Decimal {
  return price.roundToMultiple(tick, side === 'BUY' ? 'ceil' : 'floor');
}

/** Commission on a fill: qty × price × rate, rounded up to 1e-12 (never less than owed). */
export function commission(qty: Decimal, price: Decimal, rate: Decimal): Decimal {
  if (rate.isZero()) return ZERO;
  return qty.times(price).times(rate).roundTo(12, 'ceil');
}

/**
 * The quantity a quote-sized market order buys or sells (Binance quoteOrderQty, the way backtesting.py
 * sizes a fraction of equity): budget = min(quoteQty, cash available), qty = budget / (price × (1 +
 * taker fee)) rounded DOWN to the lot, so the fill and its commission fit in the cash. With
 * proportional slippage the price depends on the qty: it is found once at the slippage of the qty
 * sized at the touch (a slight over-estimate of the slippage, so the cash always suffices).
 */
export function quoteSizedQty(
  side: Side,
  quoteQty: Decimal,
  cash: Decimal,
  touchPrice: Decimal,
  volume: number,
  model: ExecutionModel,
): { qty: Decimal; price: Decimal } {
  const budget = Decimal.min(quoteQty, cash);
  if (!budget.isPositive()) return { qty: ZERO, price: touchPrice };
  const size = (price: Decimal) =>
    budget.div(price.times(ONE.plus(model.takerFee)), 18, 'floor').roundToMultiple(model.lot, 'floor');
  const first = takerLevel(side, touchPrice, ZERO, volume, model);
  const firstQty = size(first);
  const price = takerLevel(side, touchPrice, firstQty, volume, model);
  const qty = size(Decimal.max(price, first));
  return { qty, price };
}
