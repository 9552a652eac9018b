import { describe, it, expect } from 'vitest';
import { InstrumentSymbol, type BookSnapshot, type Quote, type Trade } from '@bourse/contracts';
import { isMarketDataError, MarketDataErrorCode } from './errors.js';
import { Normaliser } from './normalise.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const ETH = InstrumentSymbol.parse('ETH/USDT');
const normaliser = new Normaliser('binance', [{ instrument: BTC, venueSymbol: 'BTCUSDT' }]);

const quote: Quote = {
  v: 1,
  venue: 'binance',
  instrument: BTC,
  bidPrice: '49990',
  bidQty: '1',
  askPrice: '50010',
  askQty: '2',
  updateId: 7,
  receivedAt: 1_700_000_000_000,
};

describe('Normaliser', () => {
  it('addresses a valid quote to its venue symbol', () => {
    const r = normaliser.normalise({ kind: 'quote', quote });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe('quote');
    expect(r.value.venueSymbol).toBe('BTCUSDT');
    expect(r.value.message).toEqual(quote);
  });

  it('maps each event kind to its subject kind', () => {
    const trade: Trade = {
      v: 1,
      venue: 'binance',
      instrument: BTC,
      venueTradeId: '12',
      price: '50010',
      qty: '0.1',
      aggressor: 'BUY',
      venueTime: 1,
      receivedAt: 2,
    };
    const snapshot: BookSnapshot = {
      v: 1,
      venue: 'binance',
      instrument: BTC,
      lastUpdateId: 5,
      bids: [['49990', '1']],
      asks: [['50010', '1']],
      receivedAt: 3,
    };
    const kinds = [
      normaliser.normalise({ kind: 'trade', trade }),
      normaliser.normalise({ kind: 'book-snapshot', snapshot }),
      normaliser.normalise({
        kind: 'book-delta',
        delta: {
          v: 1,
          venue: 'binance',
          instrument: BTC,
          firstUpdateId: 6,
          lastUpdateId: 6,
          bids: [['49990', '0']],
          asks: [],
          venueTime: 4,
          receivedAt: 5,
        },
      }),
      normaliser.normalise({
        kind: 'feed-status',
        status: { v: 1, venue: 'binance', instrument: BTC, state: 'reset', reason: 'gap', changedAt: 6 },
      }),
    ].map((r) => (r.ok ? r.value.kind : r.reason));
    expect(kinds).toEqual(['trade', 'book', 'bookdelta', 'status']);
  });

  it('rejects a crossed quote as a contract violation naming the field', () => {
    const r = normaliser.normalise({ kind: 'quote', quote: { ...quote, askPrice: '49000' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('contract-violation');
    expect(r.error.message).toContain('askPrice');
  });

  it('rejects a float-formatted price', () => {
    const r = normaliser.normalise({ kind: 'quote', quote: { ...quote, bidPrice: '4.999e4' } });
    expect(r.ok ? 'ok' : r.reason).toBe('contract-violation');
  });

  it('rejects an instrument the gateway does not serve', () => {
    const r = normaliser.normalise({ kind: 'quote', quote: { ...quote, instrument: ETH } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('unknown-instrument');
    expect(isMarketDataError(r.error, MarketDataErrorCode.UNKNOWN_INSTRUMENT)).toBe(true);
  });

  it('rejects another venue', () => {
    const r = normaliser.normalise({ kind: 'quote', quote: { ...quote, venue: 'kraken' } });
    expect(r.ok ? 'ok' : r.reason).toBe('wrong-venue');
  });

  it('rejects a venue-wide status (no instrument) as not addressable', () => {
    const r = normaliser.normalise({
      kind: 'feed-status',
      status: { v: 1, venue: 'binance', state: 'live', changedAt: 1 },
    });
    expect(r.ok ? 'ok' : r.reason).toBe('unknown-instrument');
  });
});
