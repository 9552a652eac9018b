import type { BookLevel, ExecutionConstraints, Quote, Side } from '@bourse/contracts';
import { dec, ZERO, type Decimal } from '@bourse/domain';

// Whether the remainder of a limit order may go to market when its window ends. Only where the
// intent allows it (marketFallback) and every guard passes, checked on what the book shows now:
//   spread    (ask − bid) / mid ≤ maxSpreadBps            a wide spread means a thin or moving market;
//   depth     visible quantity on the far side ≥ remainder  we would otherwise walk into the unknown;
//   slippage  estimated average price vs the arrival mid ≤ maxSlippageBps (the intent's own bound).
// The estimate walks the far side's levels when given, else takes the far touch for the whole
// remainder. Comparisons are exact (multiplied out, never divided); bps are divided only for reports.

export type FallbackGuard = 'intent' | 'quote' | 'spread' | 'depth' | 'slippage';

export interface FallbackInput {
  readonly side: Side;
  /** Base quantity still to trade. */
  readonly remaining: Decimal;
  readonly quote: Quote | undefined;
  /** Far-side levels, best first (asks for a BUY, bids for a SELL), when a depth snapshot is at hand. */
  readonly farSide?: readonly BookLevel[];
  /** Mid price when the order arrived: the reference for slippage. */
  readonly arrivalMid: Decimal;
  readonly constraints: ExecutionConstraints | undefined;
  readonly maxSpreadBps: Decimal;
}

export type FallbackDecision =
  | {
      readonly allowed: true;
      readonly estimatedPrice: Decimal;
      readonly spreadBps: Decimal;
      readonly slippageBps: Decimal;
    }
  | { readonly allowed: false; readonly guard: FallbackGuard; readonly reason: string };

const BPS = dec(10_000);

/** Checks the intent and the three guards in order and says which one refused; never throws. */
export function checkMarketFallback(input: FallbackInput): FallbackDecision {
  const refuse = (guard: FallbackGuard, reason: string): FallbackDecision => ({ allowed: false, guard, reason });
  if (input.constraints?.marketFallback !== true)
    return refuse('intent', 'the intent does not allow a market fallback');
  if (input.constraints.maxSlippageBps === undefined) {
    return refuse('intent', 'the intent allows a market fallback but gives no maxSlippageBps to bound it');
  }
  const q = input.quote;
  const bid = q === undefined ? ZERO : dec(q.bidPrice);
  const ask = q === undefined ? ZERO : dec(q.askPrice);
  if (q === undefined || !bid.isPositive() || !ask.isPositive()) return refuse('quote', 'no two-sided quote');
  if (!input.arrivalMid.isPositive()) return refuse('quote', 'no arrival mid price to measure slippage from');
  const mid = bid.plus(ask).div(dec(2), 12);
  const spread = ask.minus(bid);
  const spreadBps = bps(spread, mid);
  if (spread.times(BPS).gt(input.maxSpreadBps.times(mid))) {
    return refuse('spread', `spread ${spreadBps} bps is above the ${input.maxSpreadBps} bps allowed`);
  }
  const buy = input.side === 'BUY';
  const levels: readonly BookLevel[] = input.farSide ?? (buy ? [[q.askPrice, q.askQty]] : [[q.bidPrice, q.bidQty]]);
  let left = input.remaining;
  let cost = ZERO;
  let visible = ZERO;
  for (const [priceText, qtyText] of levels) {
    const price = dec(priceText);
    const qty = dec(qtyText);
    visible = visible.plus(qty);
    const take = qty.lt(left) ? qty : left;
    cost = cost.plus(take.times(price));
    left = left.minus(take);
  }
  if (left.isPositive()) {
    return refuse(
      'depth',
      `visible ${buy ? 'ask' : 'bid'} quantity ${visible} is below the ${input.remaining} remaining`,
    );
  }
  const estimated = cost.div(input.remaining, 12);
  const adverse = buy ? estimated.minus(input.arrivalMid) : input.arrivalMid.minus(estimated);
  const slippageBps = bps(adverse, input.arrivalMid);
  const limit = dec(input.constraints.maxSlippageBps);
  if (adverse.times(BPS).gt(limit.times(input.arrivalMid))) {
    return refuse(
      'slippage',
      `estimated price ${estimated.normalize()} is ${slippageBps} bps from the arrival mid ${input.arrivalMid.normalize()}, above the ${limit} bps allowed`,
    );
  }
  return { allowed: true, estimatedPrice: estimated.normalize(), spreadBps, slippageBps };
}

function bps(amount: Decimal, reference: Decimal): Decimal {
  return amount.times(BPS).div(reference, 2).normalize();
}
