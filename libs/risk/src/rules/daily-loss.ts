import type { RiskRuleFailure } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { DailyPnl, RiskState } from '../risk-state.js';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Daily loss (marked to market from the trading day's start mark: realized by today's fills, plus
// what open quantities made since the boundary, minus today's fees at the mark; see daily-pnl.ts),
// per strategy and for everything together, per P&L asset. A breach refuses every intent and asks
// the shell to trip the kill switch (HALTED) for the strategy or globally: see risk-gate.ts.
// A fee paid in an asset the gate holds no mark for cannot be valued, so the loss cannot be shown
// to be under the limit: every intent of that scope is refused (a separate rule, which does not
// trip the kill switch) until a mark for the asset arrives.

export const DAILY_LOSS_RULE = 'max-daily-loss';
export const DAILY_LOSS_GLOBAL_RULE = 'max-daily-loss-global';
export const DAILY_LOSS_UNPRICED_RULE = 'max-daily-loss-unpriced-fee';

function breaches(
  rule: string,
  who: string,
  pnl: Map<string, DailyPnl>,
  limits: Readonly<Record<string, Decimal>>,
): RiskRuleFailure[] {
  const failures: RiskRuleFailure[] = [];
  for (const [asset, limit] of Object.entries(limits)) {
    const day = pnl.get(asset);
    if (day === undefined) continue;
    const loss = day.total.neg();
    if (loss.lte(limit)) continue;
    const unmarked = day.unmarked.length > 0 ? `; unmarked, not counted: ${day.unmarked.join(', ')}` : '';
    const estimated =
      day.estimatedStart.length > 0
        ? `; day-start mark estimated (gate started after the boundary): ${day.estimatedStart.join(', ')}`
        : '';
    failures.push(
      failure(
        rule,
        `${who} daily loss is ${loss.toString()} ${asset} (realized ${day.realized.toString()}, unrealized ${day.unrealized.toString()}, fees ${day.fees.toString()}); the maximum is ${limit.toString()}${unmarked}${estimated}`,
        limit,
        loss,
      ),
    );
  }
  return failures;
}

/** Fees that cannot be valued where a loss limit applies: the loss is unknown, so the scope is refused. */
function unpricedFees(
  who: string,
  pnl: Map<string, DailyPnl>,
  limits: Readonly<Record<string, Decimal>>,
): RiskRuleFailure[] {
  const failures: RiskRuleFailure[] = [];
  for (const [asset, limit] of Object.entries(limits)) {
    const fees = pnl.get(asset)?.unpricedFees ?? [];
    if (fees.length === 0) continue;
    const named = fees.map((f) => `${f.amount.toString()} ${f.asset} (no ${f.asset}/${asset} mark)`).join(', ');
    failures.push(
      failure(
        DAILY_LOSS_UNPRICED_RULE,
        `${who} paid fees today that cannot be valued in ${asset}: ${named}; the daily loss against the maximum ${limit.toString()} is unknown, so new orders wait for a mark`,
        limit,
      ),
    );
  }
  return failures;
}

/** Strategy daily-loss breaches at `now`. */
export function strategyLossBreaches(
  state: RiskState,
  strategyId: string,
  limits: Readonly<Record<string, Decimal>>,
  now: number,
): RiskRuleFailure[] {
  return breaches(DAILY_LOSS_RULE, strategyId, state.dailyPnl(now, strategyId), limits);
}

/** Global daily-loss breaches at `now`. */
export function globalLossBreaches(
  state: RiskState,
  limits: Readonly<Record<string, Decimal>>,
  now: number,
): RiskRuleFailure[] {
  return breaches(DAILY_LOSS_GLOBAL_RULE, 'global', state.dailyPnl(now), limits);
}

export const dailyLossRule: RiskRule = (_intent, order, state, limits, now) => {
  const own = state.dailyPnl(now, order.strategyId);
  const all = state.dailyPnl(now);
  return [
    ...breaches(DAILY_LOSS_RULE, order.strategyId, own, limits.maxDailyLoss),
    ...breaches(DAILY_LOSS_GLOBAL_RULE, 'global', all, limits.global.maxDailyLoss),
    ...unpricedFees(order.strategyId, own, limits.maxDailyLoss),
    ...unpricedFees('global', all, limits.global.maxDailyLoss),
  ];
};
