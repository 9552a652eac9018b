import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBarsCsv } from '../data/bars.js';
import type { EquityPoint } from '../types.js';
import { computeStats } from './compute-stats.js';
import { closedTrade } from './trade.js';

const GOOG = fileURLToPath(new URL('../../../../../shared/data/GOOG.csv', import.meta.url));

// Reference figures for the same curve and trades, computed once with pandas 1.5.3 / numpy 1.24
// following backtesting.py's compute_stats line by line (resample('D').last().dropna().pct_change(),
// Series.var with ddof=1, the drawdown-duration anchors, …). They agree with ours to 1e-15; the
// tolerance below leaves room only for float reordering.
const REFERENCE = {
  returnPct: 158.6724404060143,
  buyAndHoldReturnPct: 703.4582419772772,
  annualReturnPct: 11.795211825927865,
  annualVolatilityPct: 25.981242454718274,
  sharpe: 0.45398952134353443,
  sortino: 0.7941898298684014,
  calmar: 0.2567422231478268,
  maxDrawdownPct: -45.94184657790561,
  maxDrawdownDays: 865,
  winRatePct: 75,
  avgTradePct: 7.835243803983727,
  profitFactor: 2.7710261948985333,
  expectancyPct: 14.585815137798324,
};

describe('computeStats against backtesting.py definitions on GOOG', () => {
  it('matches every reference figure', async () => {
    const { rows } = await readBarsCsv(GOOG).toArray();
    // A fixed, made-up strategy: hold the stock in even-numbered weeks of five bars, cash otherwise.
    let equity = 10_000;
    const curve: EquityPoint[] = rows.map((bar, i) => {
      if (i > 0 && Math.floor(i / 5) % 2 === 0) equity *= bar.closeNum / rows[i - 1]!.closeNum;
      return { time: bar.time, equity, price: bar.closeNum };
    });
    const trades = [10, 200, 400, 900].map((i, k) =>
      closedTrade({
        side: k % 2 === 1 ? 'SELL' : 'BUY',
        qty: '3',
        entryTime: rows[i]!.time,
        entryPrice: rows[i]!.close,
        exitTime: rows[i + 50]!.time,
        exitPrice: rows[i + 50]!.close,
        fees: '2.5',
      }),
    );
    const stats = computeStats({ curve, trades });
    for (const [key, expected] of Object.entries(REFERENCE)) {
      const actual = stats[key as keyof typeof REFERENCE];
      expect(Math.abs(actual - expected), `${key}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(expected)),
      );
    }
    // Four trades of 51 bars each (entry and exit bars included), no overlap: 204 of 2148 bars.
    expect(stats.exposurePct).toBeCloseTo((204 / 2148) * 100, 12);
    expect(stats.feesPaid).toBe('10');
  });
});
