import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// The order must fit in what is free to commit: a BUY its notional in the quote asset, a SELL its
// quantity in the base asset, after open orders and in-flight requests (RiskState.available).
// Fees are not reserved: the venue takes them from what the fill brings or from a fee asset.

export const availableBalanceRule: RiskRule = (_intent, order, state) => {
  const [asset, need] =
    order.side === 'BUY' ? [order.spec.quote, order.notional] : [order.spec.base, order.exposureQty];
  if (!state.hasBalances()) {
    return [failure('available-balance', 'no balance snapshot has been received yet', undefined, need)];
  }
  const available = state.available(asset);
  if (need === undefined) {
    return [
      failure('available-balance', `the ${asset} the order needs cannot be known without a mid price`, available),
    ];
  }
  if (need.lte(available)) return [];
  return [
    failure(
      'available-balance',
      `order needs ${need.toString()} ${asset}; ${available.toString()} is available after open orders and in-flight requests`,
      available,
      need,
    ),
  ];
};
