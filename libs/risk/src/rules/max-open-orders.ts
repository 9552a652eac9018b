import type { RiskRuleFailure } from '@bourse/contracts';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Open orders plus in-flight requests, per strategy and for the whole account; this order would be one more.

export const maxOpenOrdersRule: RiskRule = (_intent, order, state, limits) => {
  const failures: RiskRuleFailure[] = [];
  if (limits.maxOpenOrders !== undefined) {
    const n = state.openOrdersOf(order.strategyId).length + 1;
    if (n > limits.maxOpenOrders) {
      failures.push(
        failure(
          'max-open-orders',
          `${order.strategyId} would have ${n} open orders; the maximum is ${limits.maxOpenOrders}`,
          limits.maxOpenOrders,
          n,
        ),
      );
    }
  }
  if (limits.global.maxOpenOrders !== undefined) {
    const n = state.openOrders().length + 1;
    if (n > limits.global.maxOpenOrders) {
      failures.push(
        failure(
          'max-open-orders-global',
          `the account would have ${n} open orders; the maximum is ${limits.global.maxOpenOrders}`,
          limits.global.maxOpenOrders,
          n,
        ),
      );
    }
  }
  return failures;
};
