import type { RiskRuleFailure } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { DailyPnl, RiskState } from '../risk-state.js';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Daily loss (realized by today's UTC fills, minus their quote fees, plus unrealized at the mid),
// per strategy and for everything together, per P&L asset. A breach refuses every intent and asks
// the shell to trip the kill switch (HALTED) for the strategy or globally: see risk-gate.ts.

export const DAILY_LOSS_RULE = 'max-daily-loss';
export const DAILY_LOSS_GLOBAL_RULE = 'max-daily-loss-global';

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
    failures.push(
      failure(
        rule,
        `${who} daily loss is ${loss.toString()} ${asset} (realized ${day.realized.toString()}, unrealized ${day.unrealized.toString()}); the maximum is ${limit.toString()}${unmarked}`,
        limit,
        loss,
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

export const dailyLossRule: RiskRule = (_intent, order, state, limits, now) => [
  ...strategyLossBreaches(state, order.strategyId, limits.maxDailyLoss, now),
  ...globalLossBreaches(state, limits.global.maxDailyLoss, now),
];
