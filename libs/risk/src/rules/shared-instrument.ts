import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Whether two strategies may trade one instrument at once (allowSharedInstrument). When not, a
// strategy may trade it only while no other strategy holds a position or an open order in it.

export const sharedInstrumentRule: RiskRule = (_intent, order, state, limits) => {
  if (limits.allowSharedInstrument) return [];
  const others = state.strategiesOn(order.instrument).filter((s) => s !== order.strategyId);
  if (others.length === 0) return [];
  return [
    failure(
      'shared-instrument',
      `${order.instrument} is not shared and is in use by ${others.join(', ')} (position or open orders)`,
      1,
      others.length + 1,
    ),
  ];
};
