// How long the venue keeps finished orders and trade records, so the state of a sim that runs for
// weeks stays bounded while every user keeps the history Binance would show them.
//
// - A user's orders follow Binance's documented rule: an order CANCELED or EXPIRED (or
//   EXPIRED_IN_MATCH) with no executed quantity is archived 90 days after it ended (Binance then
//   answers -2026; the sim forgets it, -2013); orders with fills and all trades are kept.
// - The simulated participants (the market maker and the taker) have no API key: no user can
//   query their orders or trades, ever. Their finished orders and their trade records are forgotten
//   at each prune; their trades stay on the public tape (the last 1000 per symbol, what
//   GET /api/v3/trades can return).

import { dec } from '@bourse/domain';
import type { MatchingEngine, OrderView } from '@bourse/matching';
import { MARKET_MAKER_ACCOUNT, TAKER_ACCOUNT } from './activity/market-activity.js';

export const ARCHIVE_AFTER_MS = 90 * 24 * 60 * 60 * 1000;
/** How often a running sim prunes (it also prunes before every save). */
export const PRUNE_INTERVAL_MS = 10_000;
const MARKET_ACTIVITY_ACCOUNTS: ReadonlySet<string> = new Set([MARKET_MAKER_ACCOUNT, TAKER_ACCOUNT]);
const ARCHIVED_STATUSES: ReadonlySet<string> = new Set(['CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH']);

/** Whether Binance would have archived this order of a user by `now`. */
export function isArchived(order: OrderView, now: number): boolean {
  return (
    ARCHIVED_STATUSES.has(order.status) && dec(order.executedQty).isZero() && now - order.updateTime >= ARCHIVE_AFTER_MS
  );
}

export function isMarketActivityAccount(account: string): boolean {
  return MARKET_ACTIVITY_ACCOUNTS.has(account);
}

/** Forgets what no user can query any more; returns how much went. */
export function pruneHistory(engine: MatchingEngine, now: number): { orders: number; trades: number } {
  const orders = engine.forgetClosedOrders((o) => isMarketActivityAccount(o.accountId) || isArchived(o, now));
  let trades = 0;
  for (const account of MARKET_ACTIVITY_ACCOUNTS) trades += engine.forgetAccountTrades(account);
  return { orders, trades };
}
