import type { Side } from '@bourse/contracts';
import { Decimal, ONE, ZERO, dec } from '@bourse/domain';
import type { ExecutionModel } from './execution.js';

// The price arithmetic of the simulated venue, pure. Each function states one execution assumption;
// README.md gives the same formulas. Prices are exact decimals; only slippage's size/volume ratio is
// a float (volumes are floats on bars) and it is turned into a decimal before it touches a price.

const RATIO_PLACES = 12;

/** The touch a market order meets: the ask for a BUY, the bid for a SELL. */
export function touch(side: Side, bid: Decimal, ask: Decimal): Decimal {
  return side === 'BUY' ? ask : bid;
}

/** Bid and ask around a bar price: price × (1 ∓ spread / 2). */
export function quoteAround(price: Decimal, model: ExecutionModel): { bid: Decimal; ask: Decimal } {
  if (model.halfSpread.isZero()) return { bid: price, ask: price };
  return { bid: price.times(ONE.minus(model.halfSpread)), ask: price.times(ONE.plus(model.halfSpread)) };
}

/**
 * The price a taker of `qty` pays (BUY) or gets (SELL) at `touchPrice`:
 * touch × (1 ± (slippageBps / 10⁴ + impact × qty / volume)), then rounded to the tick against the
 * trader (BUY up, SELL down). Without volume the proportional part is 0.
 */
export function takerPrice(
  side: Side,
  touchPrice: Decimal,
  qty: Decimal,
  volume: number,
  model: ExecutionModel,
): Decimal {
  let move = model.slippage;
  if (!model.impact.isZero() && volume > 0) {
    const ratio = dec((qty.toNumber() / volume).toFixed(RATIO_PLACES));
    move = move.plus(model.impact.times(ratio));
  }
  const raw = move.isZero() ? touchPrice : touchPrice.times(side === 'BUY' ? ONE.plus(move) : ONE.minus(move));
  return onTick(side, raw, model.tick);
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
  const first = takerPrice(side, touchPrice, ZERO, volume, model);
  const firstQty = size(first);
  const price = takerPrice(side, touchPrice, firstQty, volume, model);
  const qty = size(Decimal.max(price, first));
  return { qty, price };
}

/** The part of a bar a resting order can meet: its open and range. */
export interface BarRange {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
}

/**
 * Where a resting limit order fills on a bar, or undefined when the range does not reach it: a BUY
 * at `limit` when low ≤ limit, at the open when the bar opens below the limit (a gap); a SELL the
 * mirror. Limit fills are passive: no spread and no slippage, maker fee.
 */
export function limitFill(side: Side, limit: Decimal, bar: BarRange): Decimal | undefined {
  if (side === 'BUY') return bar.low.lte(limit) ? Decimal.min(bar.open, limit) : undefined;
  return bar.high.gte(limit) ? Decimal.max(bar.open, limit) : undefined;
}

/**
 * Where a stop order triggers on a bar, or undefined: a BUY stop when high ≥ stop, at the stop or the
 * open if the bar gapped through it; a SELL stop when low ≤ stop, likewise. The triggered order is a
 * market order: spread, slippage and taker fee apply on top of this price.
 */
export function stopTrigger(side: Side, stop: Decimal, bar: BarRange): Decimal | undefined {
  if (side === 'BUY') return bar.high.gte(stop) ? Decimal.max(bar.open, stop) : undefined;
  return bar.low.lte(stop) ? Decimal.min(bar.open, stop) : undefined;
}
