import { describe, expect, it } from 'vitest';
import { bollingerMeanReversion } from './bollinger-mean-reversion.js';
import { snapshotContext } from '../sdk/context.js';
import { ManualClock, SYMBOL, closedBar, driveCloses } from '../test-support.js';

function instance(params: Record<string, unknown>) {
  return bollingerMeanReversion.instantiate({
    params: { period: 3, k: 1, sizing: { kind: 'qty', qty: '1' }, ...params },
    instruments: [SYMBOL],
  });
}

// Period 3, k 1, population σ. index 3: window 10,10,7 → mean 9, σ √2 → lower 7.586: close 7 below → buy.
// index 4: 10,7,8 → mean 8.333: close 8 below the middle, above lower 7.086 → hold.
// index 5: 7,8,10 → mean 8.333: close 10 at or above the middle → exit.
describe('bollinger-mean-reversion', () => {
  it('buys a close below the lower band and exits at the middle band (hand-checked)', () => {
    const { decisions, position } = driveCloses(instance({}), [10, 10, 10, 7, 8, 10, 10]);
    expect(decisions.map((d) => d.index)).toEqual([3, 5]);
    const [buy] = decisions[0]!.drafts;
    expect(buy).toMatchObject({ side: 'BUY', qty: '1', reduceOnly: false });
    expect(buy!.inputs).toMatchObject({ signal: 'below-lower-band', middle: '9', close: '7' });
    expect(Number(buy!.inputs!.lower)).toBeCloseTo(9 - Math.SQRT2, 9);
    const [exit] = decisions[1]!.drafts;
    expect(exit).toMatchObject({ side: 'SELL', qty: '1', reduceOnly: true });
    expect(exit!.inputs).toMatchObject({ signal: 'exit-long-at-middle', close: '10' });
    expect(Number(exit!.inputs!.middle)).toBeCloseTo(25 / 3, 9);
    expect(position.toString()).toBe('0');
  });

  it('enters once per excursion below the band, not on every bar below it', () => {
    // index 3 crosses below (buy); index 4: 10,7,5 → mean 7.33, σ 2.05, lower 5.28: 5 still below → no second buy.
    const { decisions } = driveCloses(instance({}), [10, 10, 10, 7, 5]);
    expect(decisions.map((d) => d.index)).toEqual([3]);
  });

  it('shorts above the upper band in long-short mode and covers at the middle', () => {
    // index 3: 10,10,13 → mean 11, σ √2, upper 12.41: 13 above → sell; index 4: 10,13,11 → mean 11.33: 11 ≤ middle → cover.
    const { decisions, position } = driveCloses(instance({ mode: 'long-short' }), [10, 10, 10, 13, 11]);
    expect(decisions.map((d) => [d.index, d.drafts[0]!.side, d.drafts[0]!.reduceOnly])).toEqual([
      [3, 'SELL', false],
      [4, 'BUY', true],
    ]);
    expect(position.toString()).toBe('0');
  });

  it('waits while one of its orders is still open, so an exit is not sent twice', () => {
    const inst = instance({});
    const clock = new ManualClock();
    const open = snapshotContext(
      {
        positions: { [SYMBOL]: { qty: '1' } },
        openOrders: [
          {
            clientOrderId: 'c1',
            instrument: SYMBOL,
            side: 'SELL',
            style: 'market',
            qty: '1',
            filledQty: '0',
            status: 'pending-new',
          },
        ],
      },
      clock,
    );
    [10, 10, 10].forEach((c, i) => inst.onBar(closedBar(i, c), open));
    expect(inst.onBar(closedBar(3, 11), open)).toEqual([]);
    const none = snapshotContext({ positions: { [SYMBOL]: { qty: '1' } } }, clock);
    expect(inst.onBar(closedBar(4, 11), none).map((d) => [d.side, d.reduceOnly])).toEqual([['SELL', true]]);
  });
});
