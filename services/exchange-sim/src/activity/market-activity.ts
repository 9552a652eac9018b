// Simulated market participants. A liquidity provider rests a ladder of orders on both sides of the
// mid the price process chooses, re-quoting as it moves; a taker now and then crosses the spread with
// a market order. Together they give the book depth and the tape trades, so a client's orders fill
// partially, at the touch, or not at all, as they would on a live venue.

import { dec } from '@bourse/domain';
import type { OrderSide } from '@bourse/matching';
import { KNOWN_SYMBOLS, symbolSpec, type SymbolSpec } from '../exchange-info.js';
import type { Random } from '../random.js';
import type { MarketActivityConfig } from '../types.js';
import type { SimVenue } from '../venue.js';
import { offsetTicks, snapToTick, type PriceProcess } from './price-process.js';

export const MARKET_MAKER_ACCOUNT = 'sim-market-maker';
export const TAKER_ACCOUNT = 'sim-taker';

export class MarketActivity {
  private readonly mids = new Map<string, number>();
  /** Refusals already logged, so a market maker short of funds does not flood the log. */
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly venue: SimVenue,
    private readonly config: MarketActivityConfig,
    private readonly process: PriceProcess,
    private readonly random: Random,
    private readonly log: (line: string) => void,
  ) {
    for (const spec of venue.specs) {
      const last = venue.run((e) => e.lastPrice(spec.symbol));
      this.mids.set(spec.symbol, Number(last ?? spec.referencePrice));
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), this.config.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One step for every symbol: move the mid, re-quote, maybe trade. */
  step(): void {
    for (const spec of this.venue.specs) {
      try {
        this.stepSymbol(spec);
      } catch (err) {
        // A participant's rejected order is part of the market's weather, not a reason to stop it.
        this.report(`market activity: ${spec.symbol} step failed: ${String(err)}`);
      }
    }
  }

  private stepSymbol(spec: SymbolSpec): void {
    const current = this.mids.get(spec.symbol) ?? Number(spec.referencePrice);
    const next = this.process.next(spec.symbol, current);
    this.mids.set(spec.symbol, next);
    const mid = snapToTick(next, spec.tickSize);
    this.requote(spec, mid);
    if (this.random.next() < this.config.takerProbability) this.take(spec, mid);
  }

  /** Replaces the market maker's ladder around `mid`. */
  requote(spec: SymbolSpec, mid: string): void {
    this.venue.run((engine) => {
      for (const o of engine.getOpenOrders(MARKET_MAKER_ACCOUNT, spec.symbol)) {
        engine.cancelOrder({ accountId: MARKET_MAKER_ACCOUNT, symbol: spec.symbol, orderId: o.orderId });
      }
      for (let i = 0; i < this.config.levels; i += 1) {
        const distance = this.config.halfSpreadTicks + i * this.config.levelSpacingTicks;
        this.quote(spec, 'BUY', offsetTicks(mid, spec.tickSize, -distance));
        this.quote(spec, 'SELL', offsetTicks(mid, spec.tickSize, distance));
      }
    });
  }

  private quote(spec: SymbolSpec, side: OrderSide, price: string | undefined): void {
    if (price === undefined || dec(price).lt(dec(spec.minPrice))) return;
    const qty = this.sizeFor(spec, price, this.config.levelNotional);
    if (qty === undefined) return;
    try {
      this.venue.engine.placeOrder({
        accountId: MARKET_MAKER_ACCOUNT,
        symbol: spec.symbol,
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        price,
        quantity: qty,
      });
    } catch (err) {
      this.report(`market maker: ${spec.symbol} ${side} refused: ${String(err)}`);
    }
  }

  /** Crosses the spread with a market order of about `takerNotional`. */
  take(spec: SymbolSpec, mid: string): void {
    const side: OrderSide = this.random.next() < 0.5 ? 'BUY' : 'SELL';
    const qty = this.sizeFor(spec, mid, this.config.takerNotional);
    if (qty === undefined) return;
    this.venue.run((engine) =>
      engine.placeOrder({ accountId: TAKER_ACCOUNT, symbol: spec.symbol, side, type: 'MARKET', quantity: qty }),
    );
  }

  private report(line: string): void {
    if (this.reported.has(line)) return;
    this.reported.add(line);
    this.log(`${line} (logged once)`);
  }

  /**
   * `notional / price` floored to the lot step; undefined when under the minimum quantity. Notionals
   * are in USDT; for another quote asset they are converted at its USDT reference price.
   */
  private sizeFor(spec: SymbolSpec, price: string, notionalUsdt: string): string | undefined {
    const quoteInUsdt = quoteUsdtPrice(spec);
    // Sizes are never negative, so rounding 'down' (toward zero) is rounding to the floor.
    const notional = quoteInUsdt === '1' ? dec(notionalUsdt) : dec(notionalUsdt).div(dec(quoteInUsdt), 12, 'down');
    const raw = notional.div(dec(price), 12, 'down');
    const qty = raw.roundToMultiple(dec(spec.stepSize), 'down');
    if (qty.isZero() || qty.lt(dec(spec.minQty))) return undefined;
    if (qty.gt(dec(spec.maxQty))) return spec.maxQty;
    return qty.toString();
  }
}

/** What one unit of the symbol's quote asset is worth in USDT, by the listed reference prices. */
function quoteUsdtPrice(spec: SymbolSpec): string {
  if (spec.quoteAsset === 'USDT') return '1';
  const pair = `${spec.quoteAsset}USDT`;
  return KNOWN_SYMBOLS.includes(pair) ? symbolSpec(pair).referencePrice : '1';
}
