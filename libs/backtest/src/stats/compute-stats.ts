import { dec, ZERO } from '@bourse/domain';
import { InvalidBacktestArgumentError } from '../errors.js';
import type { ClosedTrade, EquityPoint, Stats, StatsInput } from '../types.js';
import { drawdownSeries, maxDrawdown, maxDrawdownDays } from './drawdown.js';
import { annualTradingDays, dailyReturns, geometricMean, meanOfPresent, sampleVariance } from './returns.js';

/**
 * Computes the summary statistics of a backtest from its equity curve and closed trades, with the
 * definitions of backtesting.py (kernc/backtesting.py, `compute_stats`), so results can be compared
 * figure for figure. README.md states each formula. Pure: no clock, no I/O.
 */
export function computeStats(input: StatsInput): Stats {
  const { curve, trades } = input;
  checkCurve(curve);
  const riskFree = input.riskFreeRate ?? 0;
  if (!Number.isFinite(riskFree) || riskFree <= -1 || riskFree >= 1) {
    throw new InvalidBacktestArgumentError('riskFreeRate', riskFree, 'must be an annual fraction between -1 and 1');
  }
  const first = curve[0]!;
  const last = curve[curve.length - 1]!;

  let equityPeak = -Infinity;
  for (const point of curve) if (point.equity > equityPeak) equityPeak = point.equity;

  const days = dailyReturns(curve);
  const gmeanDay = geometricMean(days);
  const yearDays = annualTradingDays(curve);
  const annualReturn = (1 + gmeanDay) ** yearDays - 1;
  const variance = sampleVariance(days);
  const annualVolatility = Math.sqrt((variance + (1 + gmeanDay) ** 2) ** yearDays - (1 + gmeanDay) ** (2 * yearDays));
  const downside = Math.sqrt(meanOfPresent(days.map((r) => (r < 0 ? r * r : Number.isNaN(r) ? NaN : 0))));
  const drawdowns = drawdownSeries(curve);
  const maxDd = maxDrawdown(drawdowns);

  const returns = trades.map((t) => t.returnPct);
  const gains = returns.filter((r) => r > 0).reduce((a, b) => a + b, 0);
  const losses = returns.filter((r) => r < 0).reduce((a, b) => a + b, 0);

  return {
    start: new Date(first.time).toISOString(),
    end: new Date(last.time).toISOString(),
    equityStart: first.equity,
    equityFinal: last.equity,
    equityPeak,
    returnPct: ((last.equity - first.equity) / first.equity) * 100,
    buyAndHoldReturnPct: ((last.price - first.price) / first.price) * 100,
    annualReturnPct: annualReturn * 100,
    annualVolatilityPct: annualVolatility * 100,
    sharpe: (annualReturn - riskFree) / orNaN(annualVolatility),
    sortino: (annualReturn - riskFree) / (downside * Math.sqrt(yearDays)),
    calmar: annualReturn / orNaN(maxDd),
    // `|| 0` turns -0 (no drawdown) into 0, so it prints and serialises as 0.
    maxDrawdownPct: -maxDd * 100 || 0,
    maxDrawdownDays: maxDrawdownDays(curve, drawdowns),
    exposurePct: exposurePct(curve, trades),
    tradeCount: trades.length,
    winRatePct:
      trades.length === 0 ? NaN : (trades.filter((t) => dec(t.pnl).isPositive()).length / trades.length) * 100,
    bestTradePct: returns.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a), NaN),
    worstTradePct: returns.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a), NaN),
    avgTradePct: geometricMean(returns.map((r) => r / 100)) * 100,
    profitFactor: gains / orNaN(Math.abs(losses)),
    expectancyPct: returns.length === 0 ? NaN : returns.reduce((a, b) => a + b, 0) / returns.length,
    feesPaid: input.feesPaid ?? trades.reduce((sum, t) => sum.plus(dec(t.fees)), ZERO).toString(),
  };
}

/** Python's `x or nan`: a zero divisor gives NaN rather than an infinite ratio. */
function orNaN(x: number): number {
  return x === 0 ? NaN : x;
}

/**
 * Share of bars with a trade open. A trade covers the bar it entered on through the bar it exited on,
 * both included (a bar "contains" a time from its own time up to the next bar's), counted in bars, not
 * in clock time, as backtesting.py does.
 */
function exposurePct(curve: readonly EquityPoint[], trades: readonly ClosedTrade[]): number {
  const held = new Uint8Array(curve.length);
  for (const trade of trades) {
    const from = barAt(curve, trade.entryTime);
    const to = barAt(curve, trade.exitTime);
    held.fill(1, from, to + 1);
  }
  let count = 0;
  for (const h of held) count += h;
  return (count / curve.length) * 100;
}

/** Index of the last bar whose time is at or before `time` (0 for a time before the first bar). */
function barAt(curve: readonly EquityPoint[], time: number): number {
  let lo = 0;
  let hi = curve.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (curve[mid]!.time <= time) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function checkCurve(curve: readonly EquityPoint[]): void {
  if (curve.length === 0) throw new InvalidBacktestArgumentError('equity curve', 0, 'points: need at least one');
  let previous = -Infinity;
  for (const [i, point] of curve.entries()) {
    if (!Number.isFinite(point.time) || point.time <= previous) {
      throw new InvalidBacktestArgumentError(
        `equity curve point ${i} time`,
        point.time,
        'must be a time after the previous point',
      );
    }
    if (!Number.isFinite(point.equity)) {
      throw new InvalidBacktestArgumentError(`equity curve point ${i} equity`, point.equity, 'must be a finite number');
    }
    if (!(point.price > 0) || !Number.isFinite(point.price)) {
      throw new InvalidBacktestArgumentError(
        `equity curve point ${i} price`,
        point.price,
        'must be a number above zero',
      );
    }
    previous = point.time;
  }
}
