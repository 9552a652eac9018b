import type { Side } from '@bourse/contracts';
import { ONE, dec, type Decimal } from '@bourse/domain';
import { isMatchingError, type MatchingEngine } from '@bourse/matching';
import type { ExecutionModel } from './execution.js';

// How the data becomes liquidity in the matching engine. The data has no book: a quote is its top,
// a trade or a point of a bar's path is a print. A liquidity account stands in for the rest of the
// market: it rests one deep level at the bid and one at the ask, sweeps the price through the book as
// a bar's path moves, and is the only other party our orders trade with. Spread and slippage are
// settings of where it stands; the engine decides what fills, when, at which level, maker or taker.

/** Places kept in slippage's size/volume ratio (a float: volumes are floats) before it meets a price. */
const RATIO_PLACES = 12;

/**
 * Where the data's liquidity stands for a taker of `qty` (a market order, a triggered stop): at the
 * touch × (1 ± (slippageBps / 10⁴ + impact × qty / volume)), on the tick against the taker (BUY up,
 * SELL down). Without volume the proportional part is 0; without slippage it is the touch itself.
 */
export function takerLevel(side: Side, touch: Decimal, qty: Decimal, volume: number, model: ExecutionModel): Decimal {
  let move = model.slippage;
  if (!model.impact.isZero() && volume > 0) {
    const ratio = dec((qty.toNumber() / volume).toFixed(RATIO_PLACES));
    move = move.plus(model.impact.times(ratio));
  }
  const raw = move.isZero() ? touch : touch.times(side === 'BUY' ? ONE.plus(move) : ONE.minus(move));
  return raw.roundToMultiple(model.tick, side === 'BUY' ? 'ceil' : 'floor');
}

/** Whether slippage moves any taker's level off the touch. */
export function hasSlippage(model: ExecutionModel): boolean {
  return !model.slippage.isZero() || !model.impact.isZero();
}

/** A bar's prices: where its path starts, its extremes and where it ends. */
export interface BarRange {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  /** Sets the path's direction; without it the path is open, high, low (NautilusTrader's default). */
  readonly close?: Decimal;
}

/**
 * The path a bar's price is taken to follow, in the order its direction implies: a bar that closed
 * above its open went down to its low first, then up to its high (open, low, high, close); one that
 * closed below went up first (open, high, low, close); a flat one visits the extreme nearer the open
 * first (NautilusTrader's adaptive ordering), the high on a tie. NautilusTrader's own default is
 * always open, high, low, close. For the order types the backtest takes (limit, stop) every order
 * resting before the bar meets the same price either way; the order matters when several of them
 * fill in one bar (which first, and with what cash).
 */
export function barPath(range: BarRange): Decimal[] {
  const { open, high, low, close } = range;
  let highFirst: boolean;
  if (close === undefined) highFirst = true;
  else if (close.gt(open)) highFirst = false;
  else if (close.lt(open)) highFirst = true;
  else highFirst = !high.minus(open).gt(open.minus(low));
  const path = highFirst ? [open, high, low] : [open, low, high];
  if (close !== undefined) path.push(close);
  return path;
}

/**
 * The liquidity account's resting levels in the engine. It holds one GTC order at the bid and one at
 * the ask (the touch), `depth` deep, so no order of ours ever exhausts them. A touch with bid = ask (a
 * trade, a bar price without spread) cannot rest whole in a book, where the two would trade: it rests
 * one side at a time, the one a taker needs (`serve`). `offer` replaces one side by levels sized for
 * particular takers; `sweep` crosses the book up or down to a price with an IOC order, so our resting
 * orders on the way trade at their own prices (as makers). Its funds are bottomless: what it holds is
 * not the market's, it only has to lock what it offers.
 */
export class SyntheticLiquidity {
  private bids: number[] = [];
  private asks: number[] = [];
  private touch: { readonly bid: Decimal | undefined; readonly ask: Decimal | undefined } = {
    bid: undefined,
    ask: undefined,
  };

  constructor(
    private readonly engine: MatchingEngine,
    private readonly accountId: string,
    private readonly symbol: string,
    private readonly depth: string,
  ) {}

  /** Replaces both sides by the touch, one deep level each (the ask alone while bid = ask). */
  quote(bid: Decimal | undefined, ask: Decimal | undefined): void {
    this.clear();
    this.touch = { bid, ask };
    if (ask !== undefined) this.asks = this.place('SELL', [{ price: ask, qty: this.depth }]);
    if (bid !== undefined && !this.locked()) this.bids = this.place('BUY', [{ price: bid, qty: this.depth }]);
  }

  /** Makes sure the touch a taker on `takerSide` meets is in the book (the other side gives way if locked). */
  serve(takerSide: Side): void {
    const { bid, ask } = this.touch;
    if (takerSide === 'BUY') {
      if (this.asks.length > 0 || ask === undefined) return;
      this.cancel(this.bids);
      this.bids = [];
      this.asks = this.place('SELL', [{ price: ask, qty: this.depth }]);
    } else {
      if (this.bids.length > 0 || bid === undefined) return;
      this.cancel(this.asks);
      this.asks = [];
      this.bids = this.place('BUY', [{ price: bid, qty: this.depth }]);
    }
  }

  /** Replaces the liquidity account's `side` by these levels (what the data offers particular takers). */
  offer(side: Side, levels: readonly { readonly price: Decimal; readonly qty: string }[]): void {
    if (side === 'BUY') {
      this.cancel(this.bids);
      this.bids = this.place('BUY', levels);
    } else {
      this.cancel(this.asks);
      this.asks = this.place('SELL', levels);
    }
  }

  /** The market moves to `price`: everything resting on the other side up to it trades there or better for us. */
  sweep(side: Side, price: Decimal): void {
    this.engine.placeOrderFast({
      accountId: this.accountId,
      symbol: this.symbol,
      side,
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: this.depth,
      price: price.toString(),
    });
  }

  clear(): void {
    this.cancel(this.bids);
    this.cancel(this.asks);
    this.bids = [];
    this.asks = [];
  }

  private locked(): boolean {
    const { bid, ask } = this.touch;
    return bid !== undefined && ask !== undefined && bid.gte(ask);
  }

  private place(side: Side, levels: readonly { readonly price: Decimal; readonly qty: string }[]): number[] {
    const ids: number[] = [];
    for (const level of levels) {
      if (!level.price.isPositive()) continue;
      const { order } = this.engine.placeOrderFast({
        accountId: this.accountId,
        symbol: this.symbol,
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: level.qty,
        price: level.price.toString(),
      });
      ids.push(order.orderId);
    }
    return ids;
  }

  private cancel(ids: readonly number[]): void {
    for (const orderId of ids) {
      try {
        this.engine.cancelOrder({ accountId: this.accountId, symbol: this.symbol, orderId });
      } catch (err) {
        // Taken in full, or expired by self-trade prevention when its own sweep met it: already gone.
        if (!isMatchingError(err) || err.code !== 'UNKNOWN_ORDER') throw err;
      }
    }
  }
}
