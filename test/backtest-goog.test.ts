import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBarsCsv } from '../libs/backtest/src/index.js';
import { builtinStrategy } from '../libs/strategy/src/index.js';
import { runBacktest } from '../services/cli/src/backtest/run-backtest.js';

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
        // The closing-out fill happens at the last bar's close, stamped with its close time (the next day 00:00).
        exitDate: new Date(i === result.trades.length - 1 ? t.exitTime - 86_400_000 : t.exitTime)
          .toISOString()
          .slice(0, 10),
        exitPrice: Number(t.exitPrice),
      }).toEqual({ ...r, entryPrice: Number(r.entryPrice), exitPrice: Number(r.exitPrice), fees: undefined });
      expect(Math.abs(Number(t.fees) - r.fees)).toBeLessThan(1e-6);
    });
    expect(Math.abs(result.stats.equityFinal - ref.equityFinal)).toBeLessThan(1e-6);
    // Published backtesting.py figures for this example that do not depend on its commission model.
    expect(result.stats.buyAndHoldReturnPct).toBeCloseTo(703.458242, 5);
    expect(result.stats.exposurePct).toBeCloseTo(97.067039, 5);
    expect(result.closeout?.price).toBe('806.19');
  }, 60_000);
});
