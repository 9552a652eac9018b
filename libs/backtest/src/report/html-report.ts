import type { ClosedTrade, EquityPoint, Stats } from '../types.js';
import { downsample } from './chart.js';
import { escapeXml, formatFigure, formatMoney, formatTime } from './format.js';
import { CHART_SCRIPT, chartLibrary } from './html-script.js';
import { decimalsOf, runInputRows, type CloseoutInfo, type RunInfo } from './run-info.js';
import { formatStat, STATS_LABELS } from './stats-table.js';
import { drawdownPoints, peakPoints } from './svg.js';

export interface HtmlReportInput {
  readonly title?: string;
  readonly stats: Stats;
  readonly trades: readonly ClosedTrade[];
  readonly curve: readonly EquityPoint[];
  /** The run's inputs, shown under the title (and its title, when `title` is absent). */
  readonly run?: RunInfo;
  /** Where a position still open at the end was closed. */
  readonly closeout?: CloseoutInfo;
  /** Problems with the run as a whole, shown above the charts. */
  readonly warnings?: readonly string[];
  /** The quote asset's precision for money; default the decimals of the run's tick, else 2. */
  readonly quoteDecimals?: number;
  /** Most bars drawn per chart (each stretch's high and low kept); default 20 000. */
  readonly maxPoints?: number;
  /** Most trades listed in the table and marked on the price chart; default 1000 (the CSV has them all). */
  readonly maxTrades?: number;
}

export const DEFAULT_HTML_MAX_POINTS = 20_000;

// Nothing may load from anywhere: styles and scripts are inline, images are data only.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #111827; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 6px; }
.period { color: #4b5563; margin-bottom: 12px; }
.chart { width: 100%; max-width: 1200px; }
#legend { font: 12px ui-monospace, monospace; color: #111827; min-height: 16px; margin: 8px 0 4px; white-space: pre; }
#warnings { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; padding: 6px 12px 6px 28px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 2px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
td:first-child, th:first-child { text-align: left; }
#run td { text-align: left; font-family: ui-monospace, monospace; word-break: break-all; }
.layout { display: flex; gap: 32px; align-items: flex-start; flex-wrap: wrap; }
.win { color: #15803d; } .loss { color: #b91c1c; }
`;

/**
 * A self-contained HTML report: the run's inputs (strategy and parameters, data file and its hash,
 * account, execution assumptions, Bourse version), how an open position was closed at the end, a
 * price chart with every trade's entry and exit, the equity curve and its drawdown — drawn by
 * TradingView's lightweight-charts, inlined, so they zoom, pan and show values under a crosshair —
 * then the statistics and the trades. Money is shown to the quote asset's precision; undefined
 * statistics as `—`. A Content-Security-Policy forbids every network load.
 */
export function htmlReport(input: HtmlReportInput): string {
  const { stats, curve, run } = input;
  const title = input.title ?? (run !== undefined ? `${run.strategy} on ${baseName(run.data)}` : 'Backtest report');
  const maxPoints = input.maxPoints ?? DEFAULT_HTML_MAX_POINTS;
  const trades = input.trades.slice(0, input.maxTrades ?? 1000);
  const quoteDecimals = input.quoteDecimals ?? (run !== undefined ? decimalsOf(run.execution.tick) : 2);
  const priceDecimals = run !== undefined ? decimalsOf(run.execution.tick) : 2;
  const chartData = chartDataOf(curve, trades, maxPoints, quoteDecimals, priceDecimals);
  const warnings = input.warnings ?? [];

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<div class="period">${escapeXml(formatTime(Date.parse(stats.start)))} → ${escapeXml(formatTime(Date.parse(stats.end)))}</div>
${run !== undefined ? `<details open><summary>Run</summary>${runTable(run)}</details>` : ''}
${input.closeout !== undefined ? `<p id="closeout">${escapeXml(closeoutText(input.closeout))}</p>` : ''}
${warnings.length > 0 ? `<ul id="warnings">${warnings.map((w) => `<li>${escapeXml(w)}</li>`).join('')}</ul>` : ''}
<div id="legend"></div>
<h2>Price and trades</h2>
<div id="price-chart" class="chart" role="img" aria-label="Price with trades"></div>
<h2>Equity</h2>
<div id="equity-chart" class="chart" role="img" aria-label="Equity curve"></div>
<h2>Drawdown [%]</h2>
<div id="drawdown-chart" class="chart" role="img" aria-label="Drawdown"></div>
<div class="layout">
<section><h2>Statistics</h2>${statsTable(stats, quoteDecimals)}</section>
<section><h2>Trades${input.trades.length > trades.length ? ` (first ${trades.length} of ${input.trades.length})` : ''}</h2>${tradesTable(trades, quoteDecimals)}</section>
</div>
<script type="application/json" id="chart-data">${safeJson(chartData)}</script>
<script>${chartLibrary()}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

/** What the page's script draws: one time axis (seconds) shared by every series, and the trade marks. */
export interface ChartData {
  readonly times: number[];
  readonly equity: number[];
  readonly peak: number[];
  readonly drawdown: number[];
  readonly price: number[];
  readonly markers: ChartMarker[];
  readonly quoteDecimals: number;
  readonly priceDecimals: number;
  readonly intraday: boolean;
}

export interface ChartMarker {
  readonly time: number;
  readonly position: 'atPriceMiddle';
  readonly price: number;
  readonly shape: 'arrowUp' | 'arrowDown' | 'circle';
  readonly color: string;
  readonly text: string;
}

/**
 * The bars to draw: at most `maxPoints` from equity and as many from price (each stretch's high and
 * low), merged into one time axis; every trade's entry and exit is marked on the bar holding its time.
 */
export function chartDataOf(
  curve: readonly EquityPoint[],
  trades: readonly ClosedTrade[],
  maxPoints: number,
  quoteDecimals: number,
  priceDecimals: number,
): ChartData {
  // The first and the last bar are always drawn: the chart spans the whole run.
  const keep = new Set<number>(curve.length > 0 ? [0, curve.length - 1] : []);
  for (const p of downsample(
    curve.map((c, i) => ({ x: c.time, y: c.equity, i })),
    maxPoints,
  ))
    keep.add(p.i);
  for (const p of downsample(
    curve.map((c, i) => ({ x: c.time, y: c.price, i })),
    maxPoints,
  ))
    keep.add(p.i);
  const peaks = peakPoints(curve);
  const drawdowns = drawdownPoints(curve);
  const out = {
    times: [] as number[],
    equity: [] as number[],
    peak: [] as number[],
    drawdown: [] as number[],
    price: [] as number[],
  };
  for (const i of [...keep].sort((a, b) => a - b)) {
    // The chart's time axis is whole seconds, strictly rising: a sub-second point joins its second.
    const t = Math.floor(curve[i]!.time / 1000);
    if (out.times.length > 0 && out.times[out.times.length - 1]! >= t) {
      const last = out.times.length - 1;
      out.equity[last] = curve[i]!.equity;
      out.peak[last] = peaks[i]!.y;
      out.drawdown[last] = drawdowns[i]!.y;
      out.price[last] = curve[i]!.price;
      continue;
    }
    out.times.push(t);
    out.equity.push(curve[i]!.equity);
    out.peak.push(peaks[i]!.y);
    out.drawdown.push(drawdowns[i]!.y);
    out.price.push(curve[i]!.price);
  }
  const markers: ChartMarker[] = [];
  for (const t of trades) {
    const won = t.pnl !== '0' && !t.pnl.startsWith('-');
    const long = t.side === 'BUY';
    markers.push({
      time: barAt(out.times, t.entryTime),
      position: 'atPriceMiddle',
      price: Number(t.entryPrice),
      shape: long ? 'arrowUp' : 'arrowDown',
      color: long ? '#15803d' : '#b91c1c',
      text: `${long ? 'Long' : 'Short'} ${t.qty}`,
    });
    markers.push({
      time: barAt(out.times, t.exitTime),
      position: 'atPriceMiddle',
      price: Number(t.exitPrice),
      shape: 'circle',
      color: won ? '#15803d' : '#b91c1c',
      text: formatMoney(t.pnl, quoteDecimals),
    });
  }
  markers.sort((a, b) => a.time - b.time);
  const intraday = out.times.some((t) => t % 86_400 !== 0);
  return { ...out, markers, quoteDecimals, priceDecimals, intraday };
}

/** The drawn bar (seconds) holding `ms`: the last at or before it, else the first. */
function barAt(times: readonly number[], ms: number): number {
  const t = Math.floor(ms / 1000);
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0) return t;
  if (t <= times[0]!) return times[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return times[lo]!;
}

function runTable(run: RunInfo): string {
  const rows = runInputRows(run).map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`);
  return `<table id="run">${rows.join('')}</table>`;
}

/** "The LONG position of 64 still open at the end was closed at the last bar's close, 806.19 (2013-03-01)." */
export function closeoutText(c: CloseoutInfo): string {
  const position = c.side === 'SELL' ? 'long' : 'short';
  return `The ${position} position of ${c.qty} still open when the data ended was closed at ${c.priceSource}, ${c.price} (${formatTime(c.time)}).`;
}

function statsTable(stats: Stats, quoteDecimals: number): string {
  const rows = STATS_LABELS.map(
    ([key, label]) =>
      `<tr><td>${escapeXml(label)}</td><td>${escapeXml(formatStat(stats, key, { quoteDecimals }))}</td></tr>`,
  );
  return `<table id="stats">${rows.join('')}</table>`;
}

function tradesTable(trades: readonly ClosedTrade[], quoteDecimals: number): string {
  const head =
    '<tr><th>Side</th><th>Qty</th><th>Entry</th><th>Entry price</th><th>Exit</th><th>Exit price</th><th>PnL</th><th>Return %</th><th>Fees</th></tr>';
  const rows = trades.map((t) => {
    const cls = t.pnl.startsWith('-') ? 'loss' : 'win';
    const cells = [
      t.side,
      t.qty,
      formatTime(t.entryTime),
      t.entryPrice,
      formatTime(t.exitTime),
      t.exitPrice,
      formatMoney(t.pnl, quoteDecimals),
      formatFigure(t.returnPct),
      formatMoney(t.fees, quoteDecimals),
    ];
    return `<tr class="${cls}">${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="trades">${head}${rows.join('')}</table>`;
}

/** JSON that cannot end the script block it sits in. */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function baseName(path: string): string {
  return (
    path
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .pop() ?? path
  );
}
