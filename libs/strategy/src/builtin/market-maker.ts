import { z } from 'zod';
import { PositiveDecimalString, type Quote } from '@bourse/contracts';
import {
  Decimal,
  ONE,
  ZERO,
  UnknownInstrumentError,
  dec,
  roundPrice,
  roundQty,
  type InstrumentSpec,
} from '@bourse/domain';
import { defineStrategy } from '../sdk/define-strategy.js';
import { decimalFromNumber } from '../sdk/numbers.js';
import type { IntentDraft, OpenOrderView, StrategyContext } from '../types.js';

export const MarketMakerParams = z.strictObject({
  /** Distance from bid quote to ask quote, in basis points of the mid. */
  spreadBps: z.number().gt(0).max(10_000).default(20),
  /** Base quantity quoted on each side (rounded down to the lot). */
  qty: PositiveDecimalString,
  /** Most base inventory ever held, counting every open order as if it filled. */
  maxInventory: PositiveDecimalString,
  /** How far both quotes shift, in bps of the mid, at full inventory (linear in inventory / max). */
  skewBps: z.number().min(0).max(10_000).default(10),
  /** Re-quote when the mid has moved at least this far (bps) from the last quoted mid. */
  requoteBps: z.number().min(0).max(10_000).default(5),
  /** Life of a quote: the order is cancelled after this (limitWindowMs) and the intent expires. */
  quoteTtlMs: z.number().int().min(1_000).max(3_600_000).default(10_000),
  /** Allow quoting the ask beyond the inventory held, down to -maxInventory (not on spot). */
  allowShort: z.boolean().default(false),
  throttleMs: z.number().int().min(0).max(60_000).default(250),
});
export type MarketMakerParams = z.infer<typeof MarketMakerParams>;

const BPS = dec(10_000);
const HALF = dec('0.5');
const RATIO_PLACES = 18;

/**
 * A two-sided market maker: limit-maker quotes around the mid, `spreadBps` apart, shifted against the
 * inventory (long → both quotes lower, so selling gets likelier and buying less likely). Sizes are cut
 * so that the position plus every open order on a side, if all filled, stays within ±maxInventory
 * (0..maxInventory without allowShort): this holds even though older quotes are still resting, because
 * intents cannot cancel orders; old quotes end by their TTL. Re-quotes when the mid moves `requoteBps`,
 * after a fill (the skew changed), and when none of its quotes is left.
 */
export const marketMaker = defineStrategy({
  name: 'market-maker',
  version: '1.0.0',
  description: 'Two-sided limit-maker quotes around the mid with inventory skew and a hard inventory limit.',
  params: MarketMakerParams,
  timeframes: [],
  evaluation: (p) => ({ mode: 'event', throttleMs: p.throttleMs }),
  create(params) {
    const maxInventory = dec(params.maxInventory);
    const minInventory = params.allowShort ? maxInventory.neg() : ZERO;
    const halfSpread = decimalFromNumber(params.spreadBps).div(BPS.times(dec(2)), RATIO_PLACES);
    const skewAtMax = decimalFromNumber(params.skewBps).div(BPS, RATIO_PLACES);
    const requote = decimalFromNumber(params.requoteBps).div(BPS, RATIO_PLACES);
    const lastMid = new Map<string, Decimal>();

    const quoteAround = (q: Readonly<Quote>, ctx: StrategyContext, reason: string): IntentDraft[] => {
      const bid = dec(q.bidPrice);
      const ask = dec(q.askPrice);
      if (bid.isZero() || ask.isZero()) return [];
      const spec = ctx.instrument(q.instrument);
      if (spec === undefined) throw new UnknownInstrumentError('symbol', q.instrument);
      const mid = bid.plus(ask).times(HALF);
      lastMid.set(q.instrument, mid);

      const position = dec(ctx.position(q.instrument).qty);
      const open = ctx.openOrders(q.instrument);
      const openBuy = remaining(open, 'BUY');
      const openSell = remaining(open, 'SELL');
      const ratio = clamp(position.div(maxInventory, RATIO_PLACES));
      const skew = skewAtMax.times(ratio);
      const now = ctx.now;
      const inputs = {
        reason,
        mid: mid.toString(),
        bestBid: q.bidPrice,
        bestAsk: q.askPrice,
        inventory: position.toString(),
        openBuyQty: openBuy.toString(),
        openSellQty: openSell.toString(),
        inventoryRatio: ratio.toString(),
        spreadBps: String(params.spreadBps),
      };
      const base = {
        instrument: q.instrument,
        style: 'limit-maker' as const,
        constraints: { limitWindowMs: params.quoteTtlMs, marketFallback: false },
        expiresAt: now + params.quoteTtlMs,
        reduceOnly: false,
      };
      const drafts: IntentDraft[] = [];

      const bidQty = sized(spec, Decimal.min(dec(params.qty), maxInventory.minus(position).minus(openBuy)));
      const bidRaw = mid.times(ONE.minus(halfSpread).minus(skew));
      if (bidQty !== undefined && bidRaw.isPositive()) {
        let price = roundPrice(spec, bidRaw, 'BUY');
        // A limit-maker order that would cross is rejected; stay one tick behind the best ask.
        if (price.gte(ask) && spec.tickSize !== undefined) price = ask.minus(spec.tickSize);
        if (price.isPositive() && price.lt(ask) && meetsNotional(spec, price, bidQty)) {
          drafts.push({
            ...base,
            side: 'BUY',
            qty: bidQty.toString(),
            price: price.toString(),
            inputs: { ...inputs, quote: price.toString() },
          });
        }
      }

      const askQty = sized(spec, Decimal.min(dec(params.qty), position.minus(openSell).minus(minInventory)));
      const askRaw = mid.times(ONE.plus(halfSpread).minus(skew));
      if (askQty !== undefined && askRaw.isPositive()) {
        let price = roundPrice(spec, askRaw, 'SELL');
        if (price.lte(bid) && spec.tickSize !== undefined) price = bid.plus(spec.tickSize);
        if (price.gt(bid) && meetsNotional(spec, price, askQty)) {
          drafts.push({
            ...base,
            side: 'SELL',
            qty: askQty.toString(),
            price: price.toString(),
            inputs: { ...inputs, quote: price.toString() },
          });
        }
      }
      return drafts;
    };

    return {
      onQuote(q, ctx) {
        const previous = lastMid.get(q.instrument);
        if (previous === undefined) return quoteAround(q, ctx, 'first-quote');
        if (ctx.openOrders(q.instrument).length === 0) return quoteAround(q, ctx, 'no-open-quotes');
        const bid = dec(q.bidPrice);
        const ask = dec(q.askPrice);
        if (bid.isZero() || ask.isZero()) return [];
        const mid = bid.plus(ask).times(HALF);
        const moved = mid.minus(previous).abs();
        return moved.gte(previous.times(requote)) && !moved.isZero() ? quoteAround(q, ctx, 'mid-moved') : [];
      },
      onFill(fill, ctx) {
        const q = ctx.quote(fill.instrument);
        return q === undefined ? [] : quoteAround(q, ctx, 'filled');
      },
    };
  },
});

/** Open quantity (ordered minus filled) of the strategy's open orders on one side. */
function remaining(orders: readonly OpenOrderView[], side: 'BUY' | 'SELL'): Decimal {
  let total = ZERO;
  for (const o of orders) if (o.side === side) total = total.plus(dec(o.qty).minus(dec(o.filledQty)));
  return total;
}

function clamp(ratio: Decimal): Decimal {
  return Decimal.max(ONE.neg(), Decimal.min(ONE, ratio));
}

/** The room rounded down to the lot, or undefined when below one lot or the venue's minimum. */
function sized(spec: InstrumentSpec, room: Decimal): Decimal | undefined {
  if (!room.isPositive()) return undefined;
  const qty = roundQty(spec, room);
  if (!qty.isPositive() || (spec.minQty !== undefined && qty.lt(spec.minQty))) return undefined;
  return qty;
}

function meetsNotional(spec: InstrumentSpec, price: Decimal, qty: Decimal): boolean {
  return spec.minNotional === undefined || price.times(qty).gte(spec.minNotional);
}
