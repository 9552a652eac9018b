import { describe, it, expect } from 'vitest';
import { InstrumentSymbol, MarketSnapshot, marketSnapshotKey, type Quote, type Trade } from '@bourse/contracts';
import { InstrumentSnapshot } from './snapshot.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const T0 = 1_700_000_000_000;

const quote = (bid: string, ask: string, updateId: number, receivedAt: number): Quote => ({
  v: 1,
  venue: 'binance',
  instrument: BTC,
  bidPrice: bid,
  bidQty: '1',
  askPrice: ask,
  askQty: '2',
  updateId,
  receivedAt,
});

const trade: Trade = {
  v: 1,
  venue: 'binance',
  instrument: BTC,
  venueTradeId: '42',
  price: '50010',
  qty: '0.25',
  aggressor: 'BUY',
  venueTime: T0 + 5,
  receivedAt: T0 + 7,
};

const book = {
  bids: [
    ['49990', '1'],
    ['49980', '2'],
    ['49970', '3'],
  ] as [string, string][],
  asks: [
    ['50010', '1.5'],
    ['50020', '2'],
  ] as [string, string][],
  updateId: 99,
};

function snapshot(): InstrumentSnapshot {
  return new InstrumentSnapshot('binance', { instrument: BTC, venueSymbol: 'BTCUSDT' });
}

describe('InstrumentSnapshot', () => {
  it('starts clean and empty', () => {
    const s = snapshot();
    expect(s.dirty).toBe(false);
    expect(s.hasContent).toBe(false);
    const doc = s.build(T0, undefined, 5);
    expect(doc).toMatchObject({ top: null, depth: null, lastTrade: null, feed: { state: 'starting' }, writtenAt: T0 });
    expect(MarketSnapshot.safeParse(doc).success).toBe(true);
  });

  it('builds top of book, N levels, the last trade and both kinds of timestamp', () => {
    const s = snapshot();
    s.applyQuote(quote('49990', '50010', 10, T0 + 3));
    s.applyTrade(trade);
    s.applyBook({
      v: 1,
      venue: 'binance',
      instrument: BTC,
      firstUpdateId: 98,
      lastUpdateId: 99,
      bids: [],
      asks: [],
      venueTime: T0 + 8,
      receivedAt: T0 + 9,
    });
    s.applyFeed({ state: 'live', reason: undefined, changedAt: T0 + 1, lastMessageAt: T0 + 9, bookResyncing: false });
    expect(s.dirty).toBe(true);
    const doc = s.build(T0 + 20, book, 2);
    expect(MarketSnapshot.parse(doc)).toEqual(doc);
    expect(doc.top).toEqual({
      bidPrice: '49990',
      bidQty: '1',
      askPrice: '50010',
      askQty: '2',
      source: 'quote',
      updateId: 10,
      receivedAt: T0 + 3,
    });
    expect(doc.depth).toEqual({
      levels: 2,
      bids: [
        ['49990', '1'],
        ['49980', '2'],
      ],
      asks: [
        ['50010', '1.5'],
        ['50020', '2'],
      ],
      updateId: 99,
      venueTime: T0 + 8,
      receivedAt: T0 + 9,
    });
    expect(doc.lastTrade).toMatchObject({ venueTradeId: '42', price: '50010', qty: '0.25', aggressor: 'BUY' });
    expect(doc.venueTime).toBe(T0 + 8);
    expect(doc.receivedAt).toBe(T0 + 9);
    expect(doc.feed).toEqual({ state: 'live', changedAt: T0 + 1 });
    expect(doc.writtenAt).toBe(T0 + 20);
  });

  it('keeps only the latest value, and never lets an older quote replace a newer one', () => {
    const s = snapshot();
    for (let i = 1; i <= 1_000; i++) s.applyQuote(quote(String(40_000 + i), String(60_000 + i), i, T0 + i));
    s.applyQuote(quote('1', '2', 3, T0 + 2_000));
    expect(s.build(T0, undefined, 5).top).toMatchObject({ bidPrice: '41000', askPrice: '61000', updateId: 1_000 });
  });

  it('derives the top from the book when there is no quote subscription', () => {
    const s = snapshot();
    s.applyBook({
      v: 1,
      venue: 'binance',
      instrument: BTC,
      lastUpdateId: 99,
      bids: [['49990', '1']],
      asks: [],
      receivedAt: T0 + 1,
    });
    const doc = s.build(T0 + 2, { bids: [['49990', '1']], asks: [], updateId: 99 }, 10);
    expect(doc.top).toEqual({
      bidPrice: '49990',
      bidQty: '1',
      askPrice: '0',
      askQty: '0',
      source: 'book',
      updateId: 99,
      receivedAt: T0 + 1,
    });
    expect(MarketSnapshot.safeParse(doc).success).toBe(true);
  });

  it('writes no depth while the book is being rebuilt', () => {
    const s = snapshot();
    s.applyBook({ v: 1, venue: 'binance', instrument: BTC, lastUpdateId: 1, bids: [], asks: [], receivedAt: T0 });
    expect(s.build(T0, undefined, 5).depth).toBeNull();
  });

  it('tracks dirtiness across writes and failed writes', () => {
    const s = snapshot();
    s.applyTrade(trade);
    s.markWritten();
    expect(s.dirty).toBe(false);
    s.markDirty();
    expect(s.dirty).toBe(true);
  });

  it('keys are prefix + venue + venue symbol', () => {
    expect(marketSnapshotKey('bourse:md:', 'binance', 'BTCUSDT')).toBe('bourse:md:binance:BTCUSDT');
  });
});
