import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smaCross } from './sma-cross.js';
import { InvalidStrategyParamsError } from '../sdk/errors.js';
import { SYMBOL, T0, MINUTE, driveCloses } from '../test-support.js';

const qtyOne = { kind: 'qty', qty: '1' } as const;

function instance(params: Record<string, unknown>) {
  return smaCross.instantiate({ params: { sizing: qtyOne, ...params }, instruments: [SYMBOL] });
}

describe('sma-cross', () => {
  it('buys on a strict cross-up and closes on the cross-down, recording its inputs (hand-checked)', () => {
    // fast 2, slow 3. Bar 3 (index 2) fills the slow window; index 3: fast 9.5 < slow 9.667;
    // index 4: fast 10.5 > slow 10.333 → cross-up; index 5: 10.5 > 10 no cross; index 6: 8.5 < 9.667 → cross-down.
    const { decisions, position } = driveCloses(instance({ fast: 2, slow: 3 }), [10, 10, 10, 9, 12, 9, 8]);
    expect(decisions.map((d) => d.index)).toEqual([4, 6]);
    const [buy] = decisions[0]!.drafts;
    expect(buy).toMatchObject({ instrument: SYMBOL, side: 'BUY', qty: '1', style: 'market', reduceOnly: false });
    expect(buy!.inputs).toEqual({
      signal: 'cross-up',
      fast: '10.5',
      slow: '10.333333333333',
      prevFast: '9.5',
      prevSlow: '9.666666666667',
      close: '12',
      barTime: String(T0 + 4 * MINUTE),
      barCloseTime: String(T0 + 5 * MINUTE),
      timeframe: '1m',
      position: '0',
      sizeQty: '1',
      leg: 'open',
    });
    const [sell] = decisions[1]!.drafts;
    expect(sell).toMatchObject({ side: 'SELL', qty: '1', reduceOnly: true });
    expect(sell!.inputs).toMatchObject({ signal: 'cross-down', fast: '8.5', slow: '9.666666666667', leg: 'close' });
    expect(position.toString()).toBe('0');
  });

  it('gives no signal until both windows are full, though partial windows would show a cross', () => {
    // fast 2, slow 4. On index 2 a partial slow average (9) is above fast (8.5); index 3 is the first
    // full slow window and has fast 10.5 above slow 10.25. The previous bar was not full: no signal.
    const { decisions } = driveCloses(instance({ fast: 2, slow: 4 }), [10, 10, 7, 14, 10]);
    expect(decisions).toEqual([]);
  });

  it('declares slow bars of warm-up, after which the very next bar can signal', () => {
    const sma = instance({ fast: 2, slow: 4 });
    expect(sma.warmup).toEqual([{ label: '1m', ms: MINUTE, bars: 4 }]);
    // Four history bars fill the slow window; the fifth bar (the first live one) crosses.
    const { decisions } = driveCloses(sma, [10, 10, 10, 9, 12]);
    expect(decisions.map((d) => d.index)).toEqual([4]);
  });

  it('treats touching as no cross: below, equal, below again gives nothing; equal then above gives nothing', () => {
    // fast 2, slow 3: index 3 below (9.5 < 9.667), index 4 equal (10 = 10), index 5 below (8.5 < 8.667).
    expect(driveCloses(instance({ fast: 2, slow: 3 }), [10, 10, 10, 9, 11, 6]).decisions).toEqual([]);
    // Decimal closes: index 4 equal (1 = 1) exactly, index 5 above (1.1 > 1.0333): the previous bar was
    // not below, so by the strict rule this is no cross either.
    expect(driveCloses(instance({ fast: 2, slow: 3 }), [1, 1, 1, 0.9, 1.1, 1.1]).decisions).toEqual([]);
  });

  it('flips through flat in long-short mode: close (reduce-only) then open', () => {
    const { decisions, position } = driveCloses(
      instance({ fast: 2, slow: 3, mode: 'long-short' }),
      [10, 10, 10, 9, 12, 9, 8],
    );
    expect(decisions.map((d) => d.index)).toEqual([4, 6]);
    expect(decisions[1]!.drafts.map((d) => [d.side, d.qty, d.reduceOnly, d.inputs?.leg])).toEqual([
      ['SELL', '1', true, 'close'],
      ['SELL', '1', false, 'open'],
    ]);
    expect(position.toString()).toBe('-1');
  });

  it('in long-only mode a cross-down while flat does nothing', () => {
    // index 4: fast 9.5 < slow 10 after fast 11 > slow 10.667 → cross-down with no position.
    const { decisions } = driveCloses(instance({ fast: 2, slow: 3 }), [10, 10, 12, 10, 9]);
    expect(decisions).toEqual([]);
  });

  it('sizes by a fraction of equity as a quoteQty, and closes by qty', () => {
    const inst = instance({ fast: 2, slow: 3, sizing: { kind: 'fraction', fraction: '0.5' } });
    const { decisions } = driveCloses(inst, [10, 10, 10, 9, 12, 9, 8], { cash: '1000' });
    const [buy] = decisions[0]!.drafts;
    expect(buy).toMatchObject({ side: 'BUY', quoteQty: '500', reduceOnly: false });
    expect(buy!.qty).toBeUndefined();
    expect(buy!.inputs).toMatchObject({ sizeFraction: '0.5', equity: '1000' });
    // 500 / 12 to 8 places, all of it sold back on the cross-down.
    expect(decisions[1]!.drafts[0]).toMatchObject({ side: 'SELL', qty: '41.66666666', reduceOnly: true });
  });

  it('refuses params that break fast < slow, naming the path', () => {
    const err = (() => {
      try {
        instance({ fast: 5, slow: 5 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidStrategyParamsError);
    const e = err as InvalidStrategyParamsError;
    expect(e.code).toBe('INVALID_STRATEGY_PARAMS');
    expect(e.issues).toEqual([{ path: 'fast', message: 'must be less than slow (5), got 5' }]);
    expect(() => smaCross.parseParams({ fast: 2, slow: 3 })).toThrow(/sizing/);
    expect(() => smaCross.parseParams({ fast: 2, slow: 3, sizing: { kind: 'fraction', fraction: '1.5' } })).toThrow(
      /sizing\.fraction: must be at most 1/,
    );
  });

  it('agrees with a reference computed from whole windows on random series', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 0, maxLength: 80 }),
        (fast, extra, halves) => {
          const slow = fast + extra;
          const closes = halves.map((h) => h / 2);
          const { decisions } = driveCloses(instance({ fast, slow, mode: 'long-short' }), closes);

          // Reference: sums of halves over full windows, compared by cross-multiplication.
          const sum = (end: number, n: number) => halves.slice(end - n + 1, end + 1).reduce((a, b) => a + b, 0);
          const cmp = (i: number) => Math.sign(sum(i, fast) * slow - sum(i, slow) * fast);
          const expected: { index: number; sides: string[] }[] = [];
          let pos = 0;
          for (let i = slow; i < halves.length; i++) {
            const [before, after] = [cmp(i - 1), cmp(i)];
            const target = before < 0 && after > 0 ? 1 : before > 0 && after < 0 ? -1 : undefined;
            if (target === undefined || target === pos) continue;
            const side = target > 0 ? 'BUY' : 'SELL';
            expected.push({ index: i, sides: pos === 0 ? [side] : [side, side] });
            pos = target;
          }
          expect(decisions.map((d) => ({ index: d.index, sides: d.drafts.map((x) => x.side) }))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
