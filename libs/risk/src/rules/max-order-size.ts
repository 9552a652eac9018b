import type { RiskRuleFailure } from '@bourse/contracts';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Per-order caps: base quantity and quote notional. Limits are inclusive (an order at the cap passes).

export const maxOrderSizeRule: RiskRule = (_intent, order, _state, limits) => {
  const failures: RiskRuleFailure[] = [];
  if (limits.maxOrderQty !== undefined) {
    if (order.exposureQty === undefined) {
      failures.push(failure('max-order-qty', 'order quantity cannot be known without a mid price', limits.maxOrderQty));
    } else if (order.exposureQty.gt(limits.maxOrderQty)) {
      failures.push(
        failure(
          'max-order-qty',
          `order quantity ${order.exposureQty.toString()} is above the maximum ${limits.maxOrderQty.toString()}`,
          limits.maxOrderQty,
          order.exposureQty,
        ),
      );
    }
  }
  if (limits.maxOrderNotional !== undefined) {
    if (order.notional === undefined) {
      failures.push(
        failure('max-order-notional', 'order notional cannot be known without a mid price', limits.maxOrderNotional),
      );
    } else if (order.notional.gt(limits.maxOrderNotional)) {
      failures.push(
        failure(
          'max-order-notional',
          `order notional ${order.notional.toString()} ${order.spec.quote} is above the maximum ${limits.maxOrderNotional.toString()}`,
          limits.maxOrderNotional,
          order.notional,
        ),
      );
    }
  }
  return failures;
};
