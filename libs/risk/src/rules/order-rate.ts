import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// At most `maxOrders` order requests per strategy in any sliding window of `windowMs`, this one included.

export const orderRateRule: RiskRule = (_intent, order, state, limits, now) => {
  const rate = limits.orderRate;
  if (rate === undefined) return [];
  const n = state.ordersBetween(order.strategyId, now - rate.windowMs, now) + 1;
  if (n <= rate.maxOrders) return [];
  return [
    failure(
      'order-rate',
      `${order.strategyId} would send ${n} orders in ${rate.windowMs} ms; the maximum is ${rate.maxOrders}`,
      rate.maxOrders,
      n,
    ),
  ];
};
