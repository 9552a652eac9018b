import type { Stats } from '../types.js';
import { formatFigure } from './format.js';

/** Row labels as backtesting.py prints them, so the two outputs read side by side. */
export const STATS_LABELS: readonly (readonly [keyof Stats, string])[] = [
  ['start', 'Start'],
  ['end', 'End'],
  ['exposurePct', 'Exposure Time [%]'],
  ['equityStart', 'Equity Start [$]'],
  ['equityFinal', 'Equity Final [$]'],
  ['equityPeak', 'Equity Peak [$]'],
  ['returnPct', 'Return [%]'],
  ['buyAndHoldReturnPct', 'Buy & Hold Return [%]'],
  ['annualReturnPct', 'Return (Ann.) [%]'],
  ['annualVolatilityPct', 'Volatility (Ann.) [%]'],
  ['sharpe', 'Sharpe Ratio'],
  ['sortino', 'Sortino Ratio'],
  ['calmar', 'Calmar Ratio'],
  ['maxDrawdownPct', 'Max. Drawdown [%]'],
  ['maxDrawdownDays', 'Max. Drawdown Duration [days]'],
  ['tradeCount', '# Trades'],
  ['winRatePct', 'Win Rate [%]'],
  ['bestTradePct', 'Best Trade [%]'],
  ['worstTradePct', 'Worst Trade [%]'],
  ['avgTradePct', 'Avg. Trade [%]'],
  ['profitFactor', 'Profit Factor'],
  ['expectancyPct', 'Expectancy [%]'],
  ['feesPaid', 'Fees Paid [$]'],
];

/** One stat as text: strings as they are, counts whole, other figures to `decimals` places. */
export function formatStat(stats: Stats, key: keyof Stats, decimals = 2): string {
  const value = stats[key];
  if (typeof value === 'string') return value;
  return key === 'tradeCount' ? String(value) : formatFigure(value, decimals);
}

/** The stats as an aligned two-column plain-text table, one figure a line, with a duration row. */
export function formatStatsTable(stats: Stats): string {
  const rows: [string, string][] = STATS_LABELS.map(([key, label]) => [label, formatStat(stats, key)]);
  const durationDays = (Date.parse(stats.end) - Date.parse(stats.start)) / 86_400_000;
  rows.splice(2, 0, ['Duration [days]', formatFigure(durationDays, durationDays % 1 === 0 ? 0 : 2)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
