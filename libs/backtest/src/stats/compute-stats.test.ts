import { describe, expect, it } from 'vitest';
import { InvalidBacktestArgumentError } from '../errors.js';
import type { EquityPoint } from '../types.js';
import { computeStats } from './compute-stats.js';
import { closedTrade } from './trade.js';

const day = (d: number, hour = 0): number => Date.UTC(2024, 0, d, hour);
const curveOf = (rows: readonly [number, number, number][]): EquityPoint[] =>
  rows.map(([time, equity, price]) => ({ time, equity, price }));

// Six weekdays: Mon 2024-01-01 … Fri 01-05 and Mon 01-08. No bar on a weekend, so 252 trading days a year.
const WEEKDAYS = curveOf([
  [day(1), 100, 10],
  [day(2), 110, 11],
  [day(3), 99, 10],
  [day(4), 108.9, 12],
  [day(5), 119.79, 13],
  [day(8), 119.79, 13],
]);
const TRADES = [
  // Long 1 @ 10 → 11, fees 0.1: pnl = 1 - 0.1 = 0.9; return = 0.9 / 10 = 9 %. Bars 0-1.
  closedTrade({
    side: 'BUY',
    qty: '1',
    entryTime: day(1),
    entryPrice: '10',
    exitTime: day(2),
    exitPrice: '11',
    fees: '0.1',
  }),
  // Long 2 @ 10 → 12, no fees: pnl = 4; return = 4 / 20 = 20 %. Bars 2-3.
  closedTrade({
    side: 'BUY',
    qty: '2',
    entryTime: day(3),
    entryPrice: '10',
    exitTime: day(4),
    exitPrice: '12',
    fees: '0',
  }),
  // Short 1 @ 12 → 13, fees 0.2: pnl = -1 - 0.2 = -1.2; return = -1.2 / 12 = -10 %. Bars 3-4 (entry mid-bar 3).
  closedTrade({
    side: 'SELL',
    qty: '1',
    entryTime: day(4, 12),
    entryPrice: '12',
    exitTime: day(5),
    exitPrice: '13',
    fees: '0.2',
  }),
];

describe('computeStats on a small daily curve with three trades', () => {
  const stats = computeStats({ curve: WEEKDAYS, trades: TRADES });

  it('reports the curve figures', () => {
    expect(stats.start).toBe('2024-01-01T00:00:00.000Z');
    expect(stats.end).toBe('2024-01-08T00:00:00.000Z');
    expect(stats.equityStart).toBe(100);
    expect(stats.equityFinal).toBe(119.79);
    expect(stats.equityPeak).toBe(119.79);
    // (119.79 - 100) / 100 = 19.79 %; buy and hold (13 - 10) / 10 = 30 %.
    expect(stats.returnPct).toBeCloseTo(19.79, 10);
    expect(stats.buyAndHoldReturnPct).toBeCloseTo(30, 10);
    // Bars 0-1, 2-3 and 3-4 are held; bar 5 is not: 5 / 6.
    expect(stats.exposurePct).toBeCloseTo((5 / 6) * 100, 10);
  });

  it('annualises compounded daily returns over 252 days', () => {
    // Daily returns: [NaN, +0.1, -0.1, +0.1, +0.1, 0]. The first counts as 0 % in the geometric mean:
    // g = (1.1 × 0.9 × 1.1 × 1.1 × 1)^(1/6) - 1 = 1.1979^(1/6) - 1 = exp(0.180572 / 6) - 1 ≈ 0.030552.
    const g = 1.1979 ** (1 / 6) - 1;
    expect(g).toBeCloseTo(0.030552, 6);
    // Annual return = (1 + g)^252 - 1 = 1.1979^42 - 1.
    const annual = 1.1979 ** 42 - 1;
    expect(stats.annualReturnPct / 100).toBeCloseTo(annual, 4);
    // Sample variance of [0.1, -0.1, 0.1, 0.1, 0]: mean 0.04, squared deviations
    // 0.0036 + 0.0196 + 0.0036 + 0.0036 + 0.0016 = 0.032, / (5 - 1) = 0.008.
    // Volatility = sqrt((0.008 + (1 + g)^2)^252 - (1 + g)^504).
    const volatility = Math.sqrt((0.008 + (1 + g) ** 2) ** 252 - (1 + g) ** 504);
    expect(stats.annualVolatilityPct / 100 / volatility).toBeCloseTo(1, 9);
    // Sharpe (risk-free 0) = annual return / annual volatility.
    expect(stats.sharpe / (annual / volatility)).toBeCloseTo(1, 9);
    // Downside deviation: mean of squared negative returns [0, 0.01, 0, 0, 0] = 0.002, sqrt, × sqrt(252).
    expect(stats.sortino / (annual / (Math.sqrt(0.002) * Math.sqrt(252)))).toBeCloseTo(1, 9);
  });

  it('measures the drawdown and its duration', () => {
    // Peak 110 on 01-02, trough 99 on 01-03: 1 - 99 / 110 = 10 %.
    expect(stats.maxDrawdownPct).toBeCloseTo(-10, 10);
    // Back at a peak (119.79 > 110) on 01-05: from 01-02 to 01-05 = 3 days.
    expect(stats.maxDrawdownDays).toBe(3);
    // Calmar = annual return / 0.10.
    expect(stats.calmar / ((1.1979 ** 42 - 1) / 0.1)).toBeCloseTo(1, 9);
  });

  it('summarises the trades', () => {
    expect(TRADES.map((t) => [t.pnl, t.returnPct])).toEqual([
      ['0.9', 9],
      ['4', 20],
      ['-1.2', -10],
    ]);
    expect(stats.tradeCount).toBe(3);
    // Two of three trades made money.
    expect(stats.winRatePct).toBeCloseTo(200 / 3, 10);
    expect(stats.bestTradePct).toBe(20);
    expect(stats.worstTradePct).toBe(-10);
    // Geometric mean: (1.09 × 1.2 × 0.9)^(1/3) - 1 = 1.1772^(1/3) - 1 = exp(0.163142 / 3) - 1 ≈ 5.589 %.
    expect(stats.avgTradePct).toBeCloseTo((1.1772 ** (1 / 3) - 1) * 100, 10);
    expect(stats.avgTradePct).toBeCloseTo(5.589, 3);
    // Profit factor = (9 + 20) / |-10| = 2.9; expectancy = (9 + 20 - 10) / 3 = 6.333 %.
    expect(stats.profitFactor).toBeCloseTo(2.9, 10);
    expect(stats.expectancyPct).toBeCloseTo(19 / 3, 10);
    // 0.1 + 0 + 0.2, exactly.
    expect(stats.feesPaid).toBe('0.3');
  });

  it('uses exactly the agreed keys', () => {
    expect(Object.keys(stats)).toEqual([
      'start',
      'end',
      'equityStart',
      'equityFinal',
      'equityPeak',
      'returnPct',
      'buyAndHoldReturnPct',
      'annualReturnPct',
      'annualVolatilityPct',
      'sharpe',
      'sortino',
      'calmar',
      'maxDrawdownPct',
      'maxDrawdownDays',
      'exposurePct',
      'tradeCount',
      'winRatePct',
      'bestTradePct',
      'worstTradePct',
      'avgTradePct',
      'profitFactor',
      'expectancyPct',
      'feesPaid',
    ]);
  });

  it('takes fees paid as given when the engine knows more than the closed trades', () => {
    expect(computeStats({ curve: WEEKDAYS, trades: TRADES, feesPaid: '0.45' }).feesPaid).toBe('0.45');
  });

  it('subtracts a risk-free rate from the annual return for Sharpe and Sortino', () => {
    const withRate = computeStats({ curve: WEEKDAYS, trades: TRADES, riskFreeRate: 0.05 });
    const annual = stats.annualReturnPct / 100;
    expect(withRate.sharpe / stats.sharpe).toBeCloseTo((annual - 0.05) / annual, 9);
  });
});

describe('computeStats edge cases', () => {
  it('flat equity and no trades: undefined ratios are NaN, drawdown 0', () => {
    const flat = curveOf([
      [day(1), 100, 10],
      [day(2), 100, 12],
      [day(3), 100, 9],
    ]);
    const stats = computeStats({ curve: flat, trades: [] });
    expect(stats.returnPct).toBe(0);
    expect(stats.buyAndHoldReturnPct).toBeCloseTo(-10, 10);
    // g = 0, so annual return 0; the variance of [0, 0] is 0, so volatility sqrt(1^252 - 1) = 0.
    expect(stats.annualReturnPct).toBe(0);
    expect(stats.annualVolatilityPct).toBe(0);
    // 0 / (0 or NaN) and 0 / 0.
    expect(stats.sharpe).toBeNaN();
    expect(stats.sortino).toBeNaN();
    expect(stats.calmar).toBeNaN();
    expect(Object.is(stats.maxDrawdownPct, 0)).toBe(true);
    expect(stats.maxDrawdownDays).toBeNaN();
    expect(stats.exposurePct).toBe(0);
    expect(stats.tradeCount).toBe(0);
    for (const figure of [
      stats.winRatePct,
      stats.bestTradePct,
      stats.worstTradePct,
      stats.avgTradePct,
      stats.profitFactor,
      stats.expectancyPct,
    ]) {
      expect(figure).toBeNaN();
    }
    expect(stats.feesPaid).toBe('0');
  });

  it('all winners: profit factor is NaN (no losses to divide by), win rate 100 %', () => {
    const trades = [
      closedTrade({
        side: 'BUY',
        qty: '1',
        entryTime: day(1),
        entryPrice: '10',
        exitTime: day(2),
        exitPrice: '11',
        fees: '0',
      }),
      closedTrade({
        side: 'SELL',
        qty: '1',
        entryTime: day(2),
        entryPrice: '11',
        exitTime: day(3),
        exitPrice: '10',
        fees: '0',
      }),
    ];
    const stats = computeStats({ curve: WEEKDAYS, trades });
    expect(stats.winRatePct).toBe(100);
    expect(stats.profitFactor).toBeNaN();
    // Short 11 → 10: pnl 1, return 1 / 11.
    expect(stats.bestTradePct).toBe(10);
    expect(stats.worstTradePct).toBeCloseTo(100 / 11, 10);
  });

  it('all losers: profit factor 0', () => {
    const trades = [
      closedTrade({
        side: 'BUY',
        qty: '1',
        entryTime: day(2),
        entryPrice: '11',
        exitTime: day(3),
        exitPrice: '10',
        fees: '0',
      }),
    ];
    const stats = computeStats({ curve: WEEKDAYS, trades });
    expect(stats.profitFactor).toBe(0);
    expect(stats.winRatePct).toBe(0);
  });

  it('a trade that loses everything makes the geometric average 0, as backtesting.py does', () => {
    const trades = [
      closedTrade({
        side: 'BUY',
        qty: '1',
        entryTime: day(1),
        entryPrice: '10',
        exitTime: day(2),
        exitPrice: '11',
        fees: '0',
      }),
      // Short 1 @ 10 → 20: pnl -10, return -100 %: 1 + r = 0.
      closedTrade({
        side: 'SELL',
        qty: '1',
        entryTime: day(3),
        entryPrice: '10',
        exitTime: day(4),
        exitPrice: '20',
        fees: '0',
      }),
    ];
    expect(computeStats({ curve: WEEKDAYS, trades }).avgTradePct).toBe(0);
  });

  it('bars on weekends: 365 days a year', () => {
    // Seven consecutive days (a Saturday and a Sunday among them: 2/7 > 2/7 × 0.6), +1 % a day.
    const curve = curveOf([1, 2, 3, 4, 5, 6, 7].map((d, i) => [day(d), 100 * 1.01 ** i, 10]));
    const stats = computeStats({ curve, trades: [] });
    // Six +1 % days and the first day at 0 %: g = 1.01^(6/7) - 1; annual = 1.01^(6/7 × 365) - 1.
    expect(stats.annualReturnPct / 100 / (1.01 ** ((6 / 7) * 365) - 1)).toBeCloseTo(1, 9);
    // Returns all equal: sample variance 0, so volatility sqrt((1+g)^730 - (1+g)^730) = 0, up to the float
    // noise of two nearly equal powers (backtesting.py subtracts the same two numbers).
    expect(stats.annualVolatilityPct).toBeLessThan(0.01);
    // No losing day: downside deviation 0, so Sortino is infinite; no drawdown, so Calmar NaN.
    expect(stats.sortino).toBe(Infinity);
    expect(stats.calmar).toBeNaN();
  });

  it('intraday bars: daily returns from each day’s last bar; drawdown duration in fractional days', () => {
    const curve = curveOf([
      [day(1, 10), 100, 10],
      [day(1, 16), 105, 10],
      [day(2, 10), 95, 10],
      [day(2, 16), 110, 10],
    ]);
    const stats = computeStats({ curve, trades: [] });
    // Days end at 105 and 110: returns [NaN, 110/105 - 1]; g = (110/105)^(1/2) - 1; annual = (110/105)^126 - 1.
    expect(stats.annualReturnPct / 100 / ((110 / 105) ** 126 - 1)).toBeCloseTo(1, 9);
    // One return only: the sample variance needs two, so volatility and Sharpe are NaN.
    expect(stats.annualVolatilityPct).toBeNaN();
    expect(stats.sharpe).toBeNaN();
    // 1 - 95 / 105 = 9.5238 %, from the 01-01 16:00 peak to the 01-02 16:00 recovery = 1 day.
    expect(stats.maxDrawdownPct).toBeCloseTo(-(1 - 95 / 105) * 100, 10);
    expect(stats.maxDrawdownDays).toBe(1);
  });

  it('an unrecovered drawdown lasts to the last bar', () => {
    const curve = curveOf([
      [day(1), 100, 10],
      [day(2), 120, 10],
      [day(3), 90, 10],
      [day(4), 80, 10],
    ]);
    const stats = computeStats({ curve, trades: [] });
    // 1 - 80 / 120 = 33.33 %, from 01-02 to the end on 01-04: 2 days.
    expect(stats.maxDrawdownPct).toBeCloseTo(-100 / 3, 10);
    expect(stats.maxDrawdownDays).toBe(2);
  });

  it('a fall only on the last bar has a depth but, as in backtesting.py, no duration', () => {
    const curve = curveOf([
      [day(1), 100, 10],
      [day(2), 110, 10],
      [day(3), 100, 10],
    ]);
    const stats = computeStats({ curve, trades: [] });
    expect(stats.maxDrawdownPct).toBeCloseTo(-(1 - 100 / 110) * 100, 10);
    expect(stats.maxDrawdownDays).toBeNaN();
  });

  it('a single bar', () => {
    const stats = computeStats({ curve: curveOf([[day(1), 100, 10]]), trades: [] });
    expect(stats.returnPct).toBe(0);
    expect(stats.annualReturnPct).toBe(0);
    expect(stats.annualVolatilityPct).toBeNaN();
    expect(stats.maxDrawdownDays).toBeNaN();
  });

  it('refuses a curve it cannot measure', () => {
    expect(() => computeStats({ curve: [], trades: [] })).toThrow(InvalidBacktestArgumentError);
    const backwards = curveOf([
      [day(2), 100, 10],
      [day(1), 100, 10],
    ]);
    expect(() => computeStats({ curve: backwards, trades: [] })).toThrow(/point 1 time/);
    expect(() => computeStats({ curve: curveOf([[day(1), NaN, 10]]), trades: [] })).toThrow(/equity/);
    expect(() => computeStats({ curve: curveOf([[day(1), 1, 0]]), trades: [] })).toThrow(
      /price 0 must be a number above zero/,
    );
    expect(() => computeStats({ curve: WEEKDAYS, trades: [], riskFreeRate: 2 })).toThrow(/riskFreeRate/);
  });
});
