import { validateOrder } from '@bourse/domain';
import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// The venue's own filters (tick, step, min/max qty, min notional, percent band, open-order count),
// checked on the rounded order with the domain's validator, which lists every violation.

export const instrumentFiltersRule: RiskRule = (_intent, order, state) => {
  const mid = state.quote(order.instrument)?.mid;
  const validation = validateOrder(
    order.spec,
    {
      side: order.side,
      style: order.style,
      quantity: order.qty,
      quoteQuantity: order.quoteQty,
      price: order.price,
      stopPrice: order.stopPrice,
    },
    { referencePrice: mid, openOrders: state.openOrdersOn(order.instrument).length },
  );
  return validation.violations.map((v) =>
    failure('instrument-filter', `${v.filter}: ${v.message} (after rounding)`, v.limit, v.value),
  );
};
