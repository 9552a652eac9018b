import { describe, expect, it } from 'vitest';
import { violationPaths } from './test-support.js';
import { VenueCorrections, VenueCorrectionsApplied } from './venue-corrections.js';

const fill = {
  v: 1,
  type: 'fill',
  eventId: 'binance:fill:BTCUSDT:12345',
  venue: 'binance',
  venueFillId: '12345',
  clientOrderId: 'sma-cross:1:ab12cdefgh01001',
  venueOrderId: '28',
  instrument: 'BTC/USDT',
  side: 'BUY',
  qty: '0.004',
  price: '64000.1',
  fee: '0.000004',
  feeAsset: 'BTC',
  liquidity: 'maker',
  venueTime: 1_700_000_000_100,
};

describe('VenueCorrections', () => {
  it('carries missed fills and order updates of one run', () => {
    const value = { v: 1, runId: 'r1', venue: 'binance', fills: [fill], orderUpdates: [] };
    expect(VenueCorrections.parse(value)).toEqual(value);
  });

  it('names the bad fill inside the list', () => {
    const value = { v: 1, runId: 'r1', venue: 'binance', fills: [{ ...fill, qty: '0' }], orderUpdates: [] };
    expect(violationPaths(VenueCorrections, value)).toEqual(['fills.0.qty']);
  });

  it('counts are whole and not negative', () => {
    const reply = {
      v: 1,
      runId: 'r1',
      fillsApplied: 1,
      fillsAlreadyKnown: -1,
      orderUpdatesApplied: 0,
      orderUpdatesAlreadyKnown: 0.5,
    };
    expect(violationPaths(VenueCorrectionsApplied, reply)).toEqual(['fillsAlreadyKnown', 'orderUpdatesAlreadyKnown']);
  });
});
