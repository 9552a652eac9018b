import type { OrderRequest } from '@bourse/contracts';
import { ClientOrderIdGenerator, type Decimal } from '@bourse/domain';
import type { InstrumentRef } from '@bourse/strategy';
import { BACKTEST_STRATEGY_ID, BACKTEST_VENUE } from './spec.js';

// The end of the data: a position still open is closed at the last price, through the OMS like any
// order, so every trade is counted; the report names that price.

/** The latest price the data gave: where a position open at the end is closed. */
export interface LatestPrice {
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly mark: Decimal;
  readonly volume: number;
}

/** The reduce-only market order that closes the position, decided at `now`. */
export function closeoutRequest(
  side: 'BUY' | 'SELL',
  qty: string,
  now: number,
  strategyVersion: string,
  ref: InstrumentRef,
): OrderRequest {
  return {
    v: 1,
    clientOrderId: new ClientOrderIdGenerator({ instanceTag: 'btcl', clock: () => now }).next(
      BACKTEST_STRATEGY_ID,
      strategyVersion,
    ),
    intentId: `bt-closeout`,
    strategyId: BACKTEST_STRATEGY_ID,
    strategyVersion,
    venue: BACKTEST_VENUE,
    instrument: ref.symbol,
    venueSymbol: ref.venueSymbol,
    side,
    qty,
    style: 'market',
    reduceOnly: true,
    createdAt: now,
  } as OrderRequest;
}

/** Which price the closeout was at, in words. */
export function closeoutSource(bars: boolean, side: 'BUY' | 'SELL', last: { bid: Decimal; ask: Decimal }): string {
  if (bars)
    return last.bid.eq(last.ask)
      ? "the last bar's close"
      : `the last bar's close, at the ${side === 'BUY' ? 'ask' : 'bid'}`;
  return last.bid.eq(last.ask) ? "the last tick's price" : `the last quote's ${side === 'BUY' ? 'ask' : 'bid'}`;
}
