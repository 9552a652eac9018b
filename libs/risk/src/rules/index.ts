import type { RiskRule } from '../types.js';
import { availableBalanceRule } from './available-balance.js';
import { dailyLossRule } from './daily-loss.js';
import { instrumentFiltersRule } from './instrument-filters.js';
import { maxOpenOrdersRule } from './max-open-orders.js';
import { maxOrderSizeRule } from './max-order-size.js';
import { maxPositionRule } from './max-position.js';
import { orderRateRule } from './order-rate.js';
import { priceBandRule } from './price-band.js';
import { reduceOnlyRule } from './reduce-only.js';
import { rejectionCooldownRule } from './rejection-cooldown.js';
import { sharedInstrumentRule } from './shared-instrument.js';
import { staleMarketDataRule } from './stale-market-data.js';
import { tradingSessionRule } from './trading-session.js';
import { tradingStateRule } from './trading-state.js';
import { totalNotionalRule } from './total-notional.js';

/** Every rule, in the order its failures are reported. All run on every intent. */
export const RULES: readonly { readonly name: string; readonly check: RiskRule }[] = [
  { name: 'trading-state', check: tradingStateRule },
  { name: 'daily-loss', check: dailyLossRule },
  { name: 'rejection-cooldown', check: rejectionCooldownRule },
  { name: 'trading-session', check: tradingSessionRule },
  { name: 'stale-market-data', check: staleMarketDataRule },
  { name: 'reduce-only', check: reduceOnlyRule },
  { name: 'instrument-filters', check: instrumentFiltersRule },
  { name: 'price-band', check: priceBandRule },
  { name: 'max-order-size', check: maxOrderSizeRule },
  { name: 'max-position', check: maxPositionRule },
  { name: 'total-notional', check: totalNotionalRule },
  { name: 'shared-instrument', check: sharedInstrumentRule },
  { name: 'available-balance', check: availableBalanceRule },
  { name: 'max-open-orders', check: maxOpenOrdersRule },
  { name: 'order-rate', check: orderRateRule },
];
