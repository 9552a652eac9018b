import type { Stats } from '../types.js';
import { formatFigure, formatMoney } from './format.js';

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

/** The statistics that are amounts of the quote asset. */
export const MONEY_STATS: ReadonlySet<keyof Stats> = new Set(['equityStart', 'equityFinal', 'equityPeak', 'feesPaid']);

export interface StatFormat {
  /** Decimals of other figures; default 2. */
  readonly decimals?: number;
  /** The quote asset's precision: money (MONEY_STATS) is rounded to it. Without it, money is shown as other figures (fees exact). */
  readonly quoteDecimals?: number;
}

/**
 * One stat as text: times as they are, counts whole, money to the quote asset's precision, other
 * figures to `decimals` places; undefined figures as `—`.
 */
export function formatStat(stats: Stats, key: keyof Stats, format: StatFormat = {}): string {
  const value = stats[key];
  if (format.quoteDecimals !== undefined && MONEY_STATS.has(key)) return formatMoney(value, format.quoteDecimals);
  if (typeof value === 'string') return value;
  return key === 'tradeCount' ? String(value) : formatFigure(value, format.decimals ?? 2);
}

/** The stats as an aligned two-column plain-text table, one figure a line, with a duration row. */
export function formatStatsTable(stats: Stats, format: StatFormat = {}): string {
  const rows: [string, string][] = STATS_LABELS.map(([key, label]) => [label, formatStat(stats, key, format)]);
  const durationDays = (Date.parse(stats.end) - Date.parse(stats.start)) / 86_400_000;
  rows.splice(2, 0, ['Duration [days]', formatFigure(durationDays, durationDays % 1 === 0 ? 0 : 2)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
