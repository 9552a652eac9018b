import { describe, expect, it } from 'vitest';
import { FeedStatus, Quote, Trade } from '@bourse/contracts';
import { MarketDesk } from './market-desk.js';

const T0 = 1_700_000_000_000;
const REF = { venue: 'binance', symbol: 'BTC/USDT', venueSymbol: 'BTCUSDT' };
const SEC = 1_000;

const quote = (receivedAt: number): Quote =>
  Quote.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    bidPrice: '100',
    bidQty: '1',
    askPrice: '101',
    askQty: '1',
    receivedAt,
  });
const trade = (price: string, venueTime: number, receivedAt = venueTime): Trade =>
  Trade.parse({
    v: 1,
    venue: 'binance',
    instrument: 'BTC/USDT',
    venueTradeId: String(venueTime),
    price,
    qty: '1',
    aggressor: 'SELL',
    venueTime,
    receivedAt,
  });
const status = (state: FeedStatus['state'], changedAt: number): FeedStatus =>
  FeedStatus.parse({ v: 1, venue: 'binance', instrument: 'BTC/USDT', state, reason: `${state} in test`, changedAt });

describe('MarketDesk', () => {
  it('starts blocked, and a quote-only strategy may act once fresh data arrives', () => {
    const desk = new MarketDesk(REF, [], 500);
    expect(desk.block(T0, [])?.reason).toBe('no-market-data');
    desk.onQuote(quote(T0));
    expect(desk.block(T0 + 100, [])).toBeUndefined();
  });

  it('is stale after staleAfterMs without data, or when the gateway says so, until fresh data', () => {
    const desk = new MarketDesk(REF, [], 500);
    desk.onQuote(quote(T0));
    expect(desk.block(T0 + 501, [])?.reason).toBe('feed-stale');
    desk.onQuote(quote(T0 + 600));
    expect(desk.block(T0 + 601, [])).toBeUndefined();
    desk.onFeedStatus(status('stale', T0 + 700));
    expect(desk.block(T0 + 701, [])?.reason).toBe('feed-stale');
    desk.onQuote(quote(T0 + 710));
    expect(desk.block(T0 + 711, [])).toBeUndefined();
  });

  it('after a reset, drops the quote and the partial bars, and needs fresh data plus one complete bar', () => {
    const desk = new MarketDesk(REF, [SEC], 60_000);
    desk.onTrade(trade('10', T0));
    desk.onQuote(quote(T0));
    expect(desk.onTrade(trade('11', T0 + SEC))).toMatchObject([{ openTime: T0, close: 10 }]);
    expect(desk.block(T0 + SEC, [SEC])).toBeUndefined();

    desk.onFeedStatus(status('reset', T0 + SEC + 100));
    expect(desk.quote).toBeUndefined();
    expect(desk.block(T0 + SEC + 100, [SEC])?.reason).toBe('feed-reset');
    // Handled late but received before the reset: ignored.
    expect(desk.onTrade(trade('99', T0 + SEC + 50))).toEqual([]);
    expect(desk.block(T0 + SEC + 100, [SEC])?.reason).toBe('feed-reset');

    // Mid-window: its bar may miss the trades of the gap.
    desk.onTrade(trade('12', T0 + 2 * SEC + 500));
    expect(desk.block(T0 + 3 * SEC, [])).toBeUndefined();
    expect(desk.block(T0 + 3 * SEC, [SEC])?.reason).toBe('incomplete-bars');
    expect(desk.onTrade(trade('13', T0 + 3 * SEC + 600))).toEqual([]);
    expect(desk.incompleteBarsDropped).toBe(1);
    const closed = desk.onClock(T0 + 4 * SEC);
    // The 3 s window opened after the first post-reset trade (2.5 s): every trade of it was received.
    expect(closed).toMatchObject([{ openTime: T0 + 3 * SEC, close: 13 }]);
    expect(desk.incompleteBarsDropped).toBe(1);
    expect(desk.block(T0 + 4 * SEC, [SEC])).toBeUndefined();
  });
});
