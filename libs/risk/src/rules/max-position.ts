import type { RiskRuleFailure } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { RiskRule } from '../types.js';
import { aggregateExposure, failure, strategyExposure, type ExposureChange } from './support.js';

// Position caps, per strategy and across strategies, on the worst case: the position if this order
// and every open order on its side filled. An order that leaves the position smaller than it is
// passes even above the cap, so a position left over a lowered limit can always be worked down.

function check(rule: string, what: string, change: ExposureChange | undefined, limit: Decimal): RiskRuleFailure[] {
  if (change === undefined) return [failure(rule, `${what} cannot be known without a mid price`, limit)];
  const after = change.after.abs();
  if (after.lte(limit) || after.lte(change.before.abs())) return [];
  return [
    failure(
      rule,
      `${what} would reach ${change.after.toString()} (now ${change.before.toString()}, open orders on this side included); the maximum is ${limit.toString()}`,
      limit,
      after,
    ),
  ];
}

export const maxPositionRule: RiskRule = (_intent, order, state, limits) => [
  ...(limits.maxPosition === undefined
    ? []
    : check('max-position', `position of ${order.strategyId}`, strategyExposure(order, state), limits.maxPosition)),
  ...(limits.maxAggregatePosition === undefined
    ? []
    : check(
        'max-aggregate-position',
        'net position across strategies',
        aggregateExposure(order, state),
        limits.maxAggregatePosition,
      )),
];
