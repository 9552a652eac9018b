import { describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { RoundTrips } from './round-trips.js';

const fill = (side: 'BUY' | 'SELL', qty: string, price: string, fee: string, time: number) => ({
  side,
  qty: dec(qty),
  price: dec(price),
  fee: dec(fee),
  time,
});

describe('round trips from the position', () => {
  it('closes the oldest units first, one trade per opening fill, fees shared by quantity', () => {
    const trips = new RoundTrips();
    trips.apply(fill('BUY', '10', '100', '1', 1));
    // Same price again: one lot in the position, still a trade of its own (backtesting.py counts orders).
    trips.apply(fill('BUY', '5', '100', '0.5', 2));
    trips.apply(fill('SELL', '12', '110', '1.2', 3));
    expect(trips.qty.toString()).toBe('3');
    expect(trips.trades.map((t) => [t.side, t.qty, t.entryTime, t.entryPrice, t.exitPrice, t.fees, t.pnl])).toEqual([
      ['BUY', '10', 1, '100', '110', '2', '98'],
      ['BUY', '2', 2, '100', '110', '0.4', '19.6'],
    ]);
  });

  it('a fill beyond the position closes it and opens the rest the other way, with the rest of its fee', () => {
    const trips = new RoundTrips();
    trips.apply(fill('BUY', '4', '50', '0.2', 1));
    trips.apply(fill('SELL', '10', '40', '0.5', 2));
    expect(trips.qty.toString()).toBe('-6');
    trips.apply(fill('BUY', '6', '45', '0.3', 3));
    expect(trips.qty.isZero()).toBe(true);
    expect(trips.trades.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice, t.fees, t.pnl])).toEqual([
      ['BUY', '4', '50', '40', '0.4', '-40.4'],
      ['SELL', '6', '40', '45', '0.6', '-30.6'],
    ]);
  });
});
