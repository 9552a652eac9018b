import type { EquityPoint } from '../types.js';

export const MS_PER_DAY = 86_400_000;

/**
 * Compound mean return per period: exp(mean(ln(1 + r))) - 1. Missing returns (NaN) count as 0 % and
 * still count as a period; any 1 + r ≤ 0 (a total loss) makes the mean 0, and an empty list NaN — all
 * as backtesting.py's geometric_mean does.
 */
export function geometricMean(returns: readonly number[]): number {
  if (returns.length === 0) return NaN;
  let sumLog = 0;
  for (const r of returns) {
    const growth = (Number.isNaN(r) ? 0 : r) + 1;
    if (growth <= 0) return 0;
    sumLog += Math.log(growth);
  }
  return Math.exp(sumLog / returns.length) - 1;
}

/**
 * Equity at the last bar of each UTC calendar day that has a bar (days without bars are left out),
 * then the change from one such day to the next. The first day has no return: it is NaN, as pandas'
 * pct_change gives, so the geometric mean still counts it as a 0 % day.
 */
export function dailyReturns(curve: readonly EquityPoint[]): number[] {
  const closes: number[] = [];
  let day: number | undefined;
  for (const point of curve) {
    const d = Math.floor(point.time / MS_PER_DAY);
    if (d === day) closes[closes.length - 1] = point.equity;
    else closes.push(point.equity);
    day = d;
  }
  return closes.map((equity, i) => (i === 0 ? NaN : equity / closes[i - 1]! - 1));
}

/**
 * Trading days per year, inferred from the bars: 365 when more than 2/7 × 0.6 (about 17 %) of them fall
 * on a Saturday or Sunday (UTC), as for markets that trade all week; else 252, as for stock markets.
 */
export function annualTradingDays(curve: readonly EquityPoint[]): number {
  if (curve.length === 0) return NaN;
  let weekend = 0;
  for (const point of curve) {
    const weekday = new Date(point.time).getUTCDay();
    if (weekday === 0 || weekday === 6) weekend += 1;
  }
  return weekend / curve.length > (2 / 7) * 0.6 ? 365 : 252;
}

/** Sample variance (n - 1 in the denominator) of the values that are not NaN; NaN below two values. */
export function sampleVariance(values: readonly number[]): number {
  const present = values.filter((v) => !Number.isNaN(v));
  if (present.length < 2) return NaN;
  const mean = present.reduce((a, b) => a + b, 0) / present.length;
  return present.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (present.length - 1);
}

/** Mean of the values that are not NaN; NaN when there are none. */
export function meanOfPresent(values: readonly number[]): number {
  const present = values.filter((v) => !Number.isNaN(v));
  return present.length === 0 ? NaN : present.reduce((a, b) => a + b, 0) / present.length;
}
