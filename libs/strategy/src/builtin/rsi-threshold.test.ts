import { describe, expect, it } from 'vitest';
import { rsiThreshold } from './rsi-threshold.js';
import { SYMBOL, driveCloses } from '../test-support.js';

function instance(params: Record<string, unknown>) {
  return rsiThreshold.instantiate({
    params: { period: 2, sizing: { kind: 'qty', qty: '1' }, ...params },
    instruments: [SYMBOL],
  });
}

// Wilder RSI, period 2, by hand. Changes: +1 +1 -1 -2 -1 +2 +2 +1.
// index 2: gain 1, loss 0 → 100 (high); 3: 0.5/0.5 → 50; 4: 0.25/1.25 → 16.67 (low → buy);
// 5: 0.125/1.125 → 10 (still low); 6: 1.0625/0.5625 → 65.38; 7: 1.53125/0.28125 → 84.48 (high → sell); 8: high.
const CLOSES = [10, 11, 12, 11, 9, 8, 10, 12, 13];

describe('rsi-threshold', () => {
  it('buys on entering the zone below lower and sells on entering the zone above upper (long-only)', () => {
    const { decisions, position } = driveCloses(instance({}), CLOSES);
    expect(decisions.map((d) => d.index)).toEqual([4, 7]);
    const [buy] = decisions[0]!.drafts;
    expect(buy).toMatchObject({ side: 'BUY', qty: '1', style: 'market', reduceOnly: false });
    expect(Number(buy!.inputs!.rsi)).toBeCloseTo(100 - 100 / 1.2, 9);
    expect(buy!.inputs).toMatchObject({
      signal: 'rsi-below-lower',
      prevRsi: '50',
      lower: '30',
      upper: '70',
      close: '9',
    });
    const [sell] = decisions[1]!.drafts;
    expect(sell).toMatchObject({ side: 'SELL', qty: '1', reduceOnly: true });
    expect(Number(sell!.inputs!.rsi)).toBeCloseTo(100 - 100 / (1 + 1.53125 / 0.28125), 9);
    expect(position.toString()).toBe('0');
  });

  it('in long-short opens a short on the first high zone and flips on the low one', () => {
    const { decisions, position } = driveCloses(instance({ mode: 'long-short' }), CLOSES);
    expect(decisions.map((d) => [d.index, d.drafts.map((x) => `${x.side}${x.reduceOnly ? '-close' : ''}`)])).toEqual([
      [2, ['SELL']],
      [4, ['BUY-close', 'BUY']],
      [7, ['SELL-close', 'SELL']],
    ]);
    expect(position.toString()).toBe('-1');
  });

  it('refuses lower >= upper, naming the path', () => {
    expect(() => rsiThreshold.parseParams({ lower: 70, upper: 30, sizing: { kind: 'qty', qty: '1' } })).toThrow(
      /lower: must be less than upper \(30\)/,
    );
  });
});
