import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BarBuilder } from './bar-builder.js';
import { MultiTimeframeBars } from './multi-timeframe.js';
import { InvalidTimeframeError, timeframeMs, windowStart } from './bar.js';

const MIN = 60_000;

describe('BarBuilder', () => {
  it('builds OHLCV from trades and closes a bar when a later window starts', () => {
    const b = new BarBuilder('BTC/USDT', MIN);
    expect(b.onTrade(100, 1, 5_000)).toBeUndefined();
    b.onTrade(105, 2, 10_000);
    b.onTrade(98, 1, 20_000);
    b.onTrade(101, 0.5, 59_999);
    expect(b.forming).toMatchObject({ open: 100, high: 105, low: 98, close: 101, volume: 4.5, state: 'forming' });
    const closed = b.onTrade(102, 1, 60_000);
    expect(closed).toMatchObject({
      openTime: 0,
      closeTime: MIN,
      open: 100,
      high: 105,
      low: 98,
      close: 101,
      tradeCount: 4,
      state: 'closed',
    });
    expect(b.forming).toMatchObject({ openTime: MIN, open: 102, state: 'forming' });
  });

  it('closes on the clock without a new trade, and never reopens a closed bar', () => {
    const b = new BarBuilder('BTC/USDT', MIN);
    b.onTrade(100, 1, 1_000);
    expect(b.onClock(59_999)).toBeUndefined();
    expect(b.onClock(60_000)).toMatchObject({ close: 100, state: 'closed' });
    expect(b.forming).toBeUndefined();
    b.onTrade(110, 1, 61_000);
    expect(b.onTrade(90, 1, 30_000)).toBeUndefined();
    expect(b.lateTradeCount).toBe(1);
    expect(b.forming).toMatchObject({ low: 110 });
  });

  it('rejects bad trades and timeframes', () => {
    expect(() => new BarBuilder('X/Y', 0)).toThrow(InvalidTimeframeError);
    expect(() => new BarBuilder('X/Y', MIN).onTrade(Number.NaN, 1, 0)).toThrow(/price/);
    expect(() => new BarBuilder('X/Y', MIN).onTrade(1, -1, 0)).toThrow(/qty/);
    expect(() => timeframeMs('5x')).toThrow(InvalidTimeframeError);
    expect(timeframeMs('15m')).toBe(15 * MIN);
    expect(timeframeMs('1d')).toBe(86_400_000);
  });

  it('volume and trade counts of closed bars add up to the trades fed', () => {
    const trade = fc.record({
      price: fc.double({ min: 1, max: 1e5, noNaN: true }),
      qty: fc.integer({ min: 0, max: 1000 }),
      dt: fc.integer({ min: 0, max: 3 * MIN }),
    });
    fc.assert(
      fc.property(fc.array(trade, { maxLength: 200 }), (trades) => {
        const b = new BarBuilder('X/Y', MIN);
        const bars = [];
        let t = 0;
        for (const tr of trades) {
          t += tr.dt;
          const closed = b.onTrade(tr.price, tr.qty, t);
          if (closed) bars.push(closed);
        }
        const last = b.onClock(Number.MAX_SAFE_INTEGER);
        if (last) bars.push(last);
        expect(bars.reduce((s, x) => s + x.volume, 0)).toBe(trades.reduce((s, x) => s + x.qty, 0));
        expect(bars.reduce((s, x) => s + x.tradeCount, 0)).toBe(trades.length);
        for (const bar of bars) {
          expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
          expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
          expect(windowStart(bar.openTime, MIN)).toBe(bar.openTime);
        }
      }),
    );
  });
});

describe('MultiTimeframeBars', () => {
  it('aligns timeframes: the 5m bar closes with the fifth 1m bar, shortest first', () => {
    const m = new MultiTimeframeBars('BTC/USDT', [5 * MIN, MIN]);
    for (let i = 0; i < 5; i++) m.onTrade(100 + i, 1, i * MIN + 1);
    const closed = m.onTrade(200, 1, 5 * MIN);
    expect(closed.map((b) => b.timeframeMs)).toEqual([MIN, 5 * MIN]);
    expect(closed[1]).toMatchObject({ open: 100, close: 104, high: 104, volume: 5, closeTime: 5 * MIN });
    expect(m.forming(5 * MIN)).toMatchObject({ open: 200 });
  });
});

describe('bars from quotes', () => {
  const quotes: [number, number, number][] = [
    // bid, ask, time
    [99, 101, 1_000],
    [103, 105, 20_000],
    [96, 98, 40_000],
    [100, 102, 59_000],
    [110, 112, 60_000],
  ];
  const build = (price: 'mid' | 'bid' | 'ask') => {
    const bars = new MultiTimeframeBars('BTC/USDT', [MIN], price);
    return quotes.flatMap(([bid, ask, t]) => bars.onQuote(bid, ask, t));
  };

  it('builds OHLC at the mid, the bid or the ask of the quotes, with no volume', () => {
    expect(build('mid')).toEqual([
      expect.objectContaining({ open: 100, high: 104, low: 97, close: 101, volume: 0, tradeCount: 4, state: 'closed' }),
    ]);
    expect(build('bid')).toEqual([expect.objectContaining({ open: 99, high: 103, low: 96, close: 100 })]);
    expect(build('ask')).toEqual([expect.objectContaining({ open: 101, high: 105, low: 98, close: 102 })]);
  });

  it('a quote bar ignores trades and a trade bar ignores quotes; an empty side makes no price', () => {
    const fromQuotes = new MultiTimeframeBars('BTC/USDT', [MIN], 'mid');
    fromQuotes.onTrade(500, 1, 1_000);
    expect(fromQuotes.forming(MIN)).toBeUndefined();
    fromQuotes.onQuote(0, 101, 2_000);
    expect(fromQuotes.forming(MIN)).toBeUndefined();
    const fromBids = new MultiTimeframeBars('BTC/USDT', [MIN], 'bid');
    fromBids.onQuote(99, 0, 2_000);
    expect(fromBids.forming(MIN)).toMatchObject({ open: 99 });
    const fromTrades = new MultiTimeframeBars('BTC/USDT', [MIN]);
    expect(fromTrades.price).toBe('last');
    fromTrades.onQuote(99, 101, 1_000);
    expect(fromTrades.forming(MIN)).toBeUndefined();
  });
});
