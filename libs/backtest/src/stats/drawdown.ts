import type { EquityPoint } from '../types.js';
import { MS_PER_DAY } from './returns.js';

/** At each bar, the fall from the running peak as a fraction: 1 - equity / max(equity so far). */
export function drawdownSeries(curve: readonly EquityPoint[]): number[] {
  let peak = -Infinity;
  return curve.map((point) => {
    if (point.equity > peak) peak = point.equity;
    return 1 - point.equity / peak;
  });
}

/** The deepest drawdown as a fraction (0.2 = 20 % below the peak); 0 when equity never fell. */
export function maxDrawdown(drawdowns: readonly number[]): number {
  let max = NaN;
  for (const dd of drawdowns) if (!Number.isNaN(dd) && !(dd <= max)) max = dd;
  return Number.isNaN(max) ? 0 : max;
}

/**
 * The longest drawdown in days. Bars at a peak (drawdown exactly 0) and the last bar are anchors; two
 * successive anchors more than one bar apart bound a drawdown, lasting from the first's time to the
 * second's (its recovery, or the end of data). NaN when there is none. Like backtesting.py, a fall that
 * starts only on the very last bar does not count: there is no bar between its peak and the end.
 */
export function maxDrawdownDays(curve: readonly EquityPoint[], drawdowns: readonly number[]): number {
  const last = curve.length - 1;
  let longest = NaN;
  let previous: number | undefined;
  for (let i = 0; i <= last; i += 1) {
    if (drawdowns[i] !== 0 && i !== last) continue;
    if (previous !== undefined && i > previous + 1) {
      const days = (curve[i]!.time - curve[previous]!.time) / MS_PER_DAY;
      if (!(days <= longest)) longest = days;
    }
    previous = i;
  }
  return longest;
}
