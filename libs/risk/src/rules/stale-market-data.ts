import type { RiskRule } from '../types.js';
import { failure } from './support.js';

// Decisions need a fresh two-sided quote: the mid values market orders and anchors the price band.
// Age is measured on our clock, from when the gateway received the quote.

export const staleMarketDataRule: RiskRule = (_intent, order, state, limits, now) => {
  const quote = state.quote(order.instrument);
  if (quote === undefined) return [failure('stale-market-data', `no quote has been received for ${order.instrument}`)];
  const failures = [];
  if (quote.mid === undefined) {
    failures.push(failure('stale-market-data', `the ${order.instrument} book has an empty side; there is no mid`));
  }
  const age = now - quote.receivedAt;
  if (limits.maxQuoteAgeMs !== undefined && age > limits.maxQuoteAgeMs) {
    failures.push(
      failure(
        'stale-market-data',
        `the latest ${order.instrument} quote is ${age} ms old; the maximum is ${limits.maxQuoteAgeMs} ms`,
        limits.maxQuoteAgeMs,
        age,
      ),
    );
  }
  return failures;
};
