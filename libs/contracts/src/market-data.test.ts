import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade } from './market-data.js';
import { violationPaths, withFields } from './test-support.js';

const base = { v: 1, venue: 'binance', instrument: 'BTC/USDT' } as const;

const quote = {
  ...base,
  bidPrice: '64000.10',
  bidQty: '0.5',
  askPrice: '64000.20',
  askQty: '1.25',
  updateId: 400900217,
  receivedAt: 1_700_000_000_050,
};

describe('Quote', () => {
  it('accepts a top of book with and without a venue time', () => {
    expect(decodeMessage('Quote', Quote, quote)).toEqual(quote);
    expect(Quote.safeParse({ ...quote, venueTime: 1_700_000_000_000 }).success).toBe(true);
  });

  it('accepts an empty side given as zeros', () => {
    expect(Quote.safeParse({ ...quote, bidPrice: '0', bidQty: '0' }).success).toBe(true);
  });

  it('rejects a float price at its path', () => {
    expect(violationPaths(Quote, { ...quote, bidPrice: 64000.1 })).toEqual(['bidPrice']);
  });

  it('rejects a crossed or locked book at askPrice', () => {
    expect(violationPaths(Quote, { ...quote, askPrice: '64000.10' })).toEqual(['askPrice']);
    expect(violationPaths(Quote, { ...quote, askPrice: '63999' })).toEqual(['askPrice']);
  });

  it('requires the receive time', () => {
    expect(violationPaths(Quote, withFields(quote, { receivedAt: undefined }))).toEqual(['receivedAt']);
  });
});

const trade = {
  ...base,
  venueTradeId: '3300112',
  price: '64000.15',
  qty: '0.002',
  aggressor: 'SELL',
  venueTime: 1_700_000_000_000,
  receivedAt: 1_700_000_000_004,
};

describe('Trade', () => {
  it('accepts a trade', () => {
    expect(decodeMessage('Trade', Trade, trade)).toEqual(trade);
  });

  it.each([
    ['qty', '0'],
    ['price', '-1'],
    ['aggressor', 'sell'],
    ['venueTradeId', ''],
    ['venueTime', 1.5],
  ])('rejects %s = %j', (field, value) => {
    expect(violationPaths(Trade, { ...trade, [field]: value })).toEqual([field]);
  });
});

const snapshot = {
  ...base,
  lastUpdateId: 1027024,
  bids: [
    ['4.00000000', '431.00000000'],
    ['3.99', '10'],
  ],
  asks: [
    ['4.00000200', '12.00000000'],
    ['4.1', '1'],
  ],
  receivedAt: 1_700_000_000_000,
};

describe('BookSnapshot', () => {
  it('accepts a depth snapshot', () => {
    expect(decodeMessage('BookSnapshot', BookSnapshot, snapshot)).toEqual(snapshot);
  });

  it('accepts an empty book', () => {
    expect(BookSnapshot.safeParse({ ...snapshot, bids: [], asks: [] }).success).toBe(true);
  });

  it('names the exact level field that is wrong', () => {
    expect(violationPaths(BookSnapshot, { ...snapshot, bids: [['4', 'x']] })).toEqual(['bids.0.1']);
    expect(violationPaths(BookSnapshot, { ...snapshot, asks: [['4.1', '1'], ['4.2']] })).toEqual(['asks.1']);
  });

  it('refuses a zero quantity in a snapshot', () => {
    expect(violationPaths(BookSnapshot, { ...snapshot, bids: [['4', '0']] })).toEqual(['bids.0.1']);
  });

  it('refuses misordered levels at the level that breaks the order', () => {
    const bids = [
      ['3.99', '1'],
      ['4', '1'],
    ];
    expect(violationPaths(BookSnapshot, { ...snapshot, bids })).toEqual(['bids.1.0']);
    const asks = [
      ['4.2', '1'],
      ['4.2', '2'],
    ];
    expect(violationPaths(BookSnapshot, { ...snapshot, asks })).toEqual(['asks.1.0']);
  });

  it('refuses a crossed snapshot', () => {
    expect(violationPaths(BookSnapshot, { ...snapshot, asks: [['3.5', '1']] })).toEqual(['asks.0.0']);
  });

  it('requires a whole-number lastUpdateId', () => {
    expect(violationPaths(BookSnapshot, { ...snapshot, lastUpdateId: '1027024' })).toEqual(['lastUpdateId']);
  });
});

const delta = {
  ...base,
  firstUpdateId: 157,
  lastUpdateId: 160,
  bids: [['0.0024', '10']],
  asks: [['0.0026', '0']],
  venueTime: 1_700_000_000_000,
  receivedAt: 1_700_000_000_002,
};

describe('BookDelta', () => {
  it('accepts changed levels, a zero qty meaning removal', () => {
    expect(decodeMessage('BookDelta', BookDelta, delta)).toEqual(delta);
  });

  it('accepts a single-update delta', () => {
    expect(BookDelta.safeParse({ ...delta, firstUpdateId: 160 }).success).toBe(true);
  });

  it('rejects U above u at lastUpdateId', () => {
    expect(violationPaths(BookDelta, { ...delta, firstUpdateId: 161 })).toEqual(['lastUpdateId']);
  });

  it('rejects a negative level qty at its path', () => {
    expect(violationPaths(BookDelta, { ...delta, asks: [['0.0026', '-1']] })).toEqual(['asks.0.1']);
  });
});

describe('FeedStatus', () => {
  const live = { v: 1, venue: 'binance', instrument: 'BTC/USDT', state: 'live', changedAt: 1_700_000_000_000 };

  it('accepts live without a reason and stale with one', () => {
    expect(decodeMessage('FeedStatus', FeedStatus, live)).toEqual(live);
    const stale = { ...live, state: 'stale', reason: 'no data for 5000 ms', lastMessageAt: 1_699_999_995_000 };
    expect(FeedStatus.safeParse(stale).success).toBe(true);
  });

  it('accepts a venue-wide reset without an instrument', () => {
    const reset = withFields({ ...live, state: 'reset', reason: 'reconnect' }, { instrument: undefined });
    expect(FeedStatus.safeParse(reset).success).toBe(true);
  });

  it('requires a reason unless live', () => {
    expect(violationPaths(FeedStatus, { ...live, state: 'reset' })).toEqual(['reason']);
  });

  it('rejects an unknown state', () => {
    expect(violationPaths(FeedStatus, { ...live, state: 'down' })).toEqual(['state']);
  });
});

describe('refinements on malformed fields', () => {
  it('report only the malformed field, not a follow-on cross-field issue', () => {
    expect(violationPaths(Quote, { ...quote, askPrice: 'x' })).toEqual(['askPrice']);
    expect(
      violationPaths(BookSnapshot, {
        ...snapshot,
        bids: [
          ['4', '1'],
          ['nope', '1'],
        ],
      }),
    ).toEqual(['bids.1.0']);
  });
});
