import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinStrategy } from '@bourse/strategy';
import { dec } from '@bourse/domain';
import { readBarsCsv, runBacktest } from '@bourse/backtest';
import { bourse } from './backtest-support.js';

// sma-cross 10/20 on GOOG.csv, as backtesting.py's README example (cash 10 000, commission 0.002 on
// entry and exit, exclusive orders = long/short, fill at the next open, whole units), against an
// independent Python reference (test/backtest-goog-reference.py, standard library only, exact
// fractions). Tolerance: trades identical (side, qty, dates, prices), fees and final equity to 1e-6.
const GOOG = fileURLToPath(new URL('../../shared/data/GOOG.csv', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./backtest-goog-reference.py', import.meta.url));

interface RefTrade {
  side: string;
  qty: number;
  entryDate: string;
  entryPrice: string;
  exitDate: string;
  exitPrice: string;
  fees: number;
}

describe('GOOG sma-cross 10/20 against the reference', () => {
  it('gives the same trades and final equity', async () => {
    const ref = JSON.parse(execFileSync('python3', [REFERENCE, GOOG], { encoding: 'utf8', timeout: 30_000 })) as {
      equityFinal: number;
      tradeCount: number;
      trades: RefTrade[];
    };
    const result = await runBacktest(
      {
        strategy: builtinStrategy('sma-cross'),
        params: {
          fast: 10,
          slow: 20,
          timeframe: '1d',
          sizing: { kind: 'fraction', fraction: '1' },
          mode: 'long-short',
        },
        symbol: 'GOOG/USD',
        cash: '10000',
        execution: { fill: 'next-open', makerFeeRate: '0.002', takerFeeRate: '0.002', lot: '1', tick: '0.01' },
        longShort: true,
        barMs: 86_400_000,
      },
      readBarsCsv(GOOG),
    );
    expect(result.trades.length).toBe(ref.tradeCount);
    result.trades.forEach((t, i) => {
      const r = ref.trades[i]!;
      expect({
        side: t.side,
        qty: Number(t.qty),
        entryDate: new Date(t.entryTime).toISOString().slice(0, 10),
        entryPrice: Number(t.entryPrice),
        // The trade still open at the end closes at the last bar's close, on that bar's own date.
        exitDate: new Date(t.exitTime).toISOString().slice(0, 10),
        exitPrice: Number(t.exitPrice),
      }).toEqual({ ...r, entryPrice: Number(r.entryPrice), exitPrice: Number(r.exitPrice), fees: undefined });
      expect(Math.abs(Number(t.fees) - r.fees)).toBeLessThan(1e-6);
    });
    expect(Math.abs(result.stats.equityFinal - ref.equityFinal)).toBeLessThan(1e-6);
    // Published backtesting.py figures for this example that do not depend on its commission model.
    expect(result.stats.buyAndHoldReturnPct).toBeCloseTo(703.458242, 5);
    expect(result.stats.exposurePct).toBeCloseTo(97.067039, 5);
    expect(result.closeout).toMatchObject({ price: '806.19', priceSource: "the last bar's close" });
    expect(new Date(result.closeout!.time).toISOString()).toBe('2013-03-01T00:00:00.000Z');
  }, 60_000);
});

// Issue 16 part 8: "all of the equity" is resolved at the fill. With commission 0 and whole units,
// every trade's size is floor(cash at the fill / open), the cash being the starting cash plus the pnl
// of every trade closed before (each entry follows the previous exit at the same open).
describe('GOOG sma-cross 10/30, all of the equity sized at the fill (bourse backtest)', () => {
  it('buys floor(cash at the fill / open) units on every trade', async () => {
    const run = await bourse([
      'backtest',
      '--data',
      '../shared/data/GOOG.csv',
      '--strategy',
      'sma-cross',
      '--param',
      'fast=10',
      '--param',
      'slow=30',
      '--size',
      '1',
      '--lot',
      '1',
      '--long-short',
      '--fill',
      'next-open',
      '--commission',
      '0',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { trades, stats } = JSON.parse(run.stdout) as {
      trades: { side: string; qty: string; entryTime: string; entryPrice: string; exitTime: string; pnl: string }[];
      stats: { equityFinal: number; tradeCount: number };
    };
    expect(trades).toHaveLength(66);
    let cash = dec('10000');
    const sizes = trades.map((t) => {
      const expected = cash.div(dec(t.entryPrice), 0, 'floor').toString();
      cash = cash.plus(dec(t.pnl));
      return { entry: t.entryTime.slice(0, 10), qty: t.qty, expected };
    });
    expect(sizes.filter((s) => s.qty !== s.expected)).toEqual([]);
    // The reversal of the issue: the short's closing leg leaves 13 615.25, which buys 39 at 345.78.
    expect(sizes.find((s) => s.entry === '2005-10-25')).toEqual({ entry: '2005-10-25', qty: '39', expected: '39' });
    expect(stats.equityFinal).toBeCloseTo(cash.toNumber(), 6);
    expect(trades[trades.length - 1]!.exitTime).toBe('2013-03-01T00:00:00.000Z');
  }, 60_000);
});
