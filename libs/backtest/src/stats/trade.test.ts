import { describe, expect, it } from 'vitest';
import { InvalidBacktestArgumentError } from '../errors.js';
import { closedTrade } from './trade.js';

describe('closedTrade', () => {
  it('works out a long trade exactly, net of fees', () => {
    // 0.1 × (30000.3 - 30000.1) = 0.02; less 0.003 fees = 0.017; / (0.1 × 30000.1) = 0.0000056666…
    const t = closedTrade({
      side: 'BUY',
      qty: '0.1',
      entryTime: 1,
      entryPrice: '30000.1',
      exitTime: 2,
      exitPrice: '30000.3',
      fees: '0.003',
    });
    expect(t.pnl).toBe('0.017');
    expect(t.returnPct).toBeCloseTo((0.017 / 3000.01) * 100, 15);
  });

  it('works out a short trade: profit when the price falls', () => {
    // 3 × (50 - 40) = 30, less 1.5 = 28.5; / (3 × 50) = 19 %.
    const t = closedTrade({
      side: 'SELL',
      qty: '3',
      entryTime: 1,
      entryPrice: '50',
      exitTime: 2,
      exitPrice: '40',
      fees: '1.5',
    });
    expect(t).toEqual({
      side: 'SELL',
      qty: '3',
      entryTime: 1,
      entryPrice: '50',
      exitTime: 2,
      exitPrice: '40',
      pnl: '28.5',
      returnPct: 19,
      fees: '1.5',
    });
  });

  it.each([
    [{ qty: '0' }, /trade qty "0" must be above zero/],
    [{ entryPrice: '-1' }, /entryPrice/],
    [{ fees: '-0.1' }, /fees "-0.1" must not be negative/],
    [{ exitTime: 0 }, /exitTime 0 is before entryTime 1/],
    [{ side: 'HOLD' }, /side "HOLD"/],
  ])('refuses %j', (change, message) => {
    const legs = {
      side: 'BUY',
      qty: '1',
      entryTime: 1,
      entryPrice: '10',
      exitTime: 2,
      exitPrice: '11',
      fees: '0',
      ...change,
    };
    expect(() => closedTrade(legs as Parameters<typeof closedTrade>[0])).toThrow(message);
    expect(() => closedTrade(legs as Parameters<typeof closedTrade>[0])).toThrow(InvalidBacktestArgumentError);
  });
});
