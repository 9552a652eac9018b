import type { RiskRuleFailure } from '@bourse/contracts';
import { ZERO, type Decimal } from '@bourse/domain';
import type { RiskState } from '../risk-state.js';
import type { ProposedOrder, RiskRule } from '../types.js';
import { failure, signedQty } from './support.js';

// Total notional across instruments (issue 21 § 4): a strategy that trades several instruments as one
// unit (a pair, a basket) is bounded as a whole, and so is the account. Per quote asset, the sum over
// the instruments quoted in it of |position + open orders on the larger side| × mid, this order
// included: the worst case of every open order filling, as the position rules count it. An order that
// leaves the total smaller passes even above the limit, so a unit over a lowered limit can be worked down.

interface Totals {
  readonly before: Decimal;
  readonly after: Decimal;
  readonly instruments: readonly string[];
  /** An instrument with exposure and no mid: the total cannot be known. */
  readonly unpriced: string | undefined;
}

function quoteAsset(instrument: string): string {
  return instrument.split('/')[1] ?? '';
}

/** Gross notional of `strategyId` (undefined: every strategy, net per instrument) before and after the order. */
function totals(order: ProposedOrder, state: RiskState, strategyId: string | undefined): Totals | undefined {
  if (order.exposureQty === undefined) return undefined;
  const asset = quoteAsset(order.instrument);
  const instruments = [...new Set([...state.instrumentsHeld(strategyId), order.instrument])]
    .filter((i) => quoteAsset(i) === asset)
    .sort();
  let before = ZERO;
  let after = ZERO;
  let unpriced: string | undefined;
  for (const instrument of instruments) {
    const position =
      strategyId === undefined ? state.aggregatePosition(instrument) : state.position(strategyId, instrument);
    const buys = state.pendingQty(instrument, 'BUY', strategyId);
    const sells = state.pendingQty(instrument, 'SELL', strategyId);
    const worst = (b: Decimal, s: Decimal): Decimal => {
      const up = position.plus(b).abs();
      const down = position.minus(s).abs();
      return up.gt(down) ? up : down;
    };
    const was = worst(buys, sells);
    let will = was;
    if (instrument === order.instrument) {
      const signed = signedQty(order.side, order.exposureQty);
      will = signed.isPositive() ? worst(buys.plus(signed), sells) : worst(buys, sells.minus(signed));
    }
    if (was.isZero() && will.isZero()) continue;
    const mid = state.quote(instrument)?.mid;
    if (mid === undefined) {
      unpriced ??= instrument;
      continue;
    }
    before = before.plus(was.times(mid));
    after = after.plus(will.times(mid));
  }
  return { before, after, instruments, unpriced };
}

function check(rule: string, who: string, t: Totals | undefined, asset: string, limit: Decimal): RiskRuleFailure[] {
  if (t === undefined) return [failure(rule, `total notional of ${who} cannot be known without a mid price`, limit)];
  if (t.unpriced !== undefined) {
    return [failure(rule, `total notional of ${who} cannot be known: no mid price for ${t.unpriced}`, limit)];
  }
  if (t.after.lte(limit) || t.after.lte(t.before)) return [];
  const after = t.after.toFixed(2, 'ceil');
  return [
    failure(
      rule,
      `total notional of ${who} across ${t.instruments.join(', ')} would reach ${after} ${asset} (now ${t.before.toFixed(2, 'ceil')}, open orders included); the maximum is ${limit.toString()} ${asset}`,
      limit,
      t.after,
    ),
  ];
}

export const totalNotionalRule: RiskRule = (_intent, order, state, limits) => {
  const asset = quoteAsset(order.instrument);
  const own = limits.maxTotalNotional[asset];
  const all = limits.global.maxTotalNotional[asset];
  return [
    ...(own === undefined
      ? []
      : check('max-total-notional', order.strategyId, totals(order, state, order.strategyId), asset, own)),
    ...(all === undefined
      ? []
      : check('max-total-notional-global', 'all strategies', totals(order, state, undefined), asset, all)),
  ];
};
