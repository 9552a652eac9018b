// Binance API keys carry permissions: a key without "Enable Spot & Margin Trading" reads accounts,
// orders and trades but may not place or cancel an order (-2015). The sim's read-only keys behave
// the same, so a service that only reads (market data, the reconciler) can be given one.
import type { ApiKeyRecord } from '../auth.js';
import { binanceErrors } from '../errors.js';
import type { Endpoint } from './endpoint.js';
import { orderListEndpoints } from './order-lists.js';
import { tradingEndpoints } from './trading.js';

/** The endpoints that place, test or cancel orders. */
const TRADING: ReadonlySet<Endpoint> = new Set<Endpoint>([
  ...Object.values(tradingEndpoints),
  ...Object.values(orderListEndpoints),
]);

/** Throws Binance's -2015 when a read-only key calls an endpoint that trades. */
export function requireTradePermission(endpoint: Endpoint, key: ApiKeyRecord): void {
  if (!key.canTrade && TRADING.has(endpoint)) throw binanceErrors.rejectedApiKey();
}
