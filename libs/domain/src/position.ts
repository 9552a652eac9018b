import type { Side } from '@bourse/contracts';
import { Decimal, ONE, ZERO } from './decimal.js';
import { InvalidArgumentError } from './errors.js';

// A position from fills only (DESIGN principle 4). Open quantity is kept as FIFO lots of
// (quantity, price), so every number below is exact: adding a fill appends a lot, reducing consumes
// lots oldest first, and P&L is a sum of quantity × price difference. Nothing divides except the
// *reported* average entry price. That is what makes a fill split in two, or fills replayed in
// another order (position-book.ts sorts them), give the very same position. Average-cost
// accounting would divide on every increase and let the rounding depend on how fills were split.

export interface Fill {
  /** The venue's trade id: unique per instrument on the venue; the de-duplication key. */
  readonly fillId: string;
  readonly strategyId: string;
  /** Internal symbol, `BASE/QUOTE`. */
  readonly instrument: string;
  readonly side: Side;
  /** Base quantity traded, above zero. */
  readonly qty: Decimal;
  readonly price: Decimal;
  /** Commission, in whatever asset the venue charged it (Binance commissionAsset: quote, base or BNB); negative for a rebate. */
  readonly fee?: { readonly asset: string; readonly amount: Decimal };
  /** Venue trade time in ms. */
  readonly atMs: number;
  readonly clientOrderId?: string;
}

export interface Lot {
  /** Open quantity of this lot, above zero (the position's sign says long or short). */
  readonly qty: Decimal;
  readonly price: Decimal;
}

export interface Position {
  readonly strategyId: string;
  readonly instrument: string;
  readonly base: string;
  readonly quote: string;
  /** Signed open quantity: above zero long, below zero short. */
  readonly qty: Decimal;
  /** Open lots, oldest first. */
  readonly lots: readonly Lot[];
  /** Realized P&L in the quote asset, before fees. */
  readonly realizedPnl: Decimal;
  /** Fees paid, by asset, kept apart (converted only when asked, with a known price). */
  readonly fees: Readonly<Record<string, Decimal>>;
  /** Quote value of one unit of quantity per unit of price (1 for spot). */
  readonly multiplier: Decimal;
  readonly fillCount: number;
  readonly lastFillAtMs?: number;
}

/** A flat position for a strategy and `BASE/QUOTE` instrument; throws InvalidArgumentError when the instrument is not BASE/QUOTE or the multiplier is not above zero. */
export function emptyPosition(strategyId: string, instrument: string, multiplier: Decimal = ONE): Position {
  const [base, quote, extra] = instrument.split('/');
  if (!base || !quote || extra !== undefined)
    throw new InvalidArgumentError('instrument', instrument, 'must be BASE/QUOTE');
  if (!multiplier.isPositive())
    throw new InvalidArgumentError('multiplier', multiplier.toString(), 'must be greater than zero');
  return {
    strategyId,
    instrument,
    base,
    quote,
    qty: ZERO,
    lots: [],
    realizedPnl: ZERO,
    fees: {},
    multiplier,
    fillCount: 0,
  };
}

/** Applies one fill exactly (no rounding; FIFO lots, realized P&L on reduce and on flip through zero); throws InvalidArgumentError on a fill of another key or a non-positive qty/price. Callers de-duplicate (PositionBook does). */
export function applyFill(position: Position, fill: Fill): Position {
  checkFill(position, fill);
  const signedQty = fill.side === 'BUY' ? fill.qty : fill.qty.neg();
  const opening = position.qty.isZero() || position.qty.sign() === signedQty.sign();
  const lots = [...position.lots];
  let realized = position.realizedPnl;
  let remaining = fill.qty;
  if (!opening) {
    // Close lots oldest first; what is left of the fill opens the other way (a flip through zero).
    const longSign = position.qty.isPositive() ? ONE : ONE.neg();
    while (remaining.isPositive() && lots.length > 0) {
      const lot = lots[0]!;
      const take = Decimal.min(lot.qty, remaining);
      // Long: sold at fill.price what was bought at lot.price; short: the reverse.
      realized = realized.plus(fill.price.minus(lot.price).times(take).times(longSign).times(position.multiplier));
      remaining = remaining.minus(take);
      if (take.eq(lot.qty)) lots.shift();
      else lots[0] = { qty: lot.qty.minus(take), price: lot.price };
    }
  }
  if (remaining.isPositive()) {
    const last = lots[lots.length - 1];
    // Same price as the newest lot: merge, so a split fill leaves the same lots as the whole one.
    if (last && last.price.eq(fill.price)) lots[lots.length - 1] = { qty: last.qty.plus(remaining), price: last.price };
    else lots.push({ qty: remaining, price: fill.price });
  }
  const fees = { ...position.fees };
  if (fill.fee && !fill.fee.amount.isZero()) {
    fees[fill.fee.asset] = (fees[fill.fee.asset] ?? ZERO).plus(fill.fee.amount);
  }
  return {
    ...position,
    qty: position.qty.plus(signedQty),
    lots,
    realizedPnl: realized,
    fees,
    fillCount: position.fillCount + 1,
    lastFillAtMs: Math.max(position.lastFillAtMs ?? fill.atMs, fill.atMs),
  };
}

/** Exact quote cost of the open lots (sum of qty × price × multiplier); zero when flat. */
export function costBasis(position: Position): Decimal {
  let cost = ZERO;
  for (const lot of position.lots) cost = cost.plus(lot.qty.times(lot.price));
  return cost.times(position.multiplier);
}

/** Average entry price of the open lots, rounded half-even to `places` (default 12); undefined when flat. */
export function averageEntryPrice(position: Position, places = 12): Decimal | undefined {
  if (position.qty.isZero()) return undefined;
  let cost = ZERO;
  for (const lot of position.lots) cost = cost.plus(lot.qty.times(lot.price));
  return cost.div(position.qty.abs(), places, 'half-even');
}

/** Unrealized P&L in the quote asset at `mark`, exact (no rounding); throws InvalidArgumentError when mark is not above zero. */
export function unrealizedPnl(position: Position, mark: Decimal): Decimal {
  if (!mark.isPositive()) throw new InvalidArgumentError('mark price', mark.toString(), 'must be greater than zero');
  const value = position.qty.abs().times(mark).times(position.multiplier);
  const cost = costBasis(position);
  return position.qty.isNegative() ? cost.minus(value) : value.minus(cost);
}

/** Price of one unit of `asset` in the position's quote asset, or undefined when not known. */
export type AssetPrice = (asset: string) => Decimal | undefined;

export interface FeesInQuote {
  /** Fees converted to the quote asset (exact products of amount and price). */
  readonly converted: Decimal;
  /** Fees in assets with no known price, left as they are. */
  readonly unconverted: Readonly<Record<string, Decimal>>;
}

/** Converts fees to the quote asset: quote as is, base at `mark` when given, others at `price(asset)`; exact; an asset with no price is left unconverted. */
export function feesInQuote(position: Position, mark?: Decimal, price: AssetPrice = () => undefined): FeesInQuote {
  let converted = ZERO;
  const unconverted: Record<string, Decimal> = {};
  for (const [asset, amount] of Object.entries(position.fees)) {
    const rate = asset === position.quote ? ONE : asset === position.base ? (mark ?? price(asset)) : price(asset);
    if (rate === undefined) unconverted[asset] = amount;
    else converted = converted.plus(amount.times(rate));
  }
  return { converted, unconverted };
}

export interface PositionPnl {
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: FeesInQuote;
  /** realized + unrealized − converted fees; fees left unconverted are not in it (see `fees.unconverted`). */
  readonly net: Decimal;
}

/** Realized, unrealized at `mark` and net P&L in the quote asset, exact; throws InvalidArgumentError when mark is not above zero. */
export function positionPnl(position: Position, mark: Decimal, price?: AssetPrice): PositionPnl {
  const unrealized = unrealizedPnl(position, mark);
  const fees = feesInQuote(position, mark, price);
  return {
    realized: position.realizedPnl,
    unrealized,
    fees,
    net: position.realizedPnl.plus(unrealized).minus(fees.converted),
  };
}

/** True when two positions hold the same numbers (qty, lots, realized P&L, fees); exact; never throws. */
export function samePosition(a: Position, b: Position): boolean {
  if (!a.qty.eq(b.qty) || !a.realizedPnl.eq(b.realizedPnl) || a.lots.length !== b.lots.length) return false;
  if (!a.lots.every((lot, i) => lot.qty.eq(b.lots[i]!.qty) && lot.price.eq(b.lots[i]!.price))) return false;
  const assets = new Set([...Object.keys(a.fees), ...Object.keys(b.fees)]);
  return [...assets].every((asset) => (a.fees[asset] ?? ZERO).eq(b.fees[asset] ?? ZERO));
}

function checkFill(position: Position, fill: Fill): void {
  if (fill.strategyId !== position.strategyId || fill.instrument !== position.instrument) {
    throw new InvalidArgumentError(
      'fill',
      fill.fillId,
      `belongs to ${fill.strategyId} ${fill.instrument}, not ${position.strategyId} ${position.instrument}`,
    );
  }
  if (fill.side !== 'BUY' && fill.side !== 'SELL')
    throw new InvalidArgumentError('fill side', fill.side, 'must be BUY or SELL');
  if (!fill.qty.isPositive())
    throw new InvalidArgumentError('fill qty', fill.qty.toString(), 'must be greater than zero');
  if (!fill.price.isPositive())
    throw new InvalidArgumentError('fill price', fill.price.toString(), 'must be greater than zero');
}
