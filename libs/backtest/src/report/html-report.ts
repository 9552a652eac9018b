import type { ClosedTrade, EquityPoint, Stats } from '../types.js';
import { areaPath, axes, compactNumber, downsample, frameFor, linePath, px, py, type Frame, type XY } from './chart.js';
import { escapeXml, formatFigure, formatTime } from './format.js';
import { HOVER_SCRIPT } from './html-script.js';
import { formatStat, STATS_LABELS } from './stats-table.js';
import { DEFAULT_MAX_POINTS, drawdownPoints, peakPoints } from './svg.js';

export interface HtmlReportInput {
  readonly title?: string;
  readonly stats: Stats;
  readonly trades: readonly ClosedTrade[];
  readonly curve: readonly EquityPoint[];
  /** Most points drawn per chart (and offered to the hover); default 2000. */
  readonly maxPoints?: number;
  /** Most trades listed in the table and marked on the price chart; default 1000 (the CSV has them all). */
  readonly maxTrades?: number;
}

const WIDTH = 960;
// Nothing may load from anywhere: styles and the one script are inline, images are data only.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #111827; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 6px; }
.period { color: #4b5563; margin-bottom: 12px; }
svg.chart { display: block; max-width: 100%; height: auto; cursor: crosshair; }
#tooltip { position: absolute; display: none; pointer-events: none; background: #111827; color: #f9fafb;
  font: 12px ui-monospace, monospace; padding: 4px 8px; border-radius: 4px; white-space: pre; }
table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 2px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.layout { display: flex; gap: 32px; align-items: flex-start; flex-wrap: wrap; }
.win { color: #15803d; } .loss { color: #b91c1c; }
`;

/**
 * A self-contained HTML report: stats table, equity curve with hover (date, equity, drawdown, price),
 * drawdown chart, price chart with each trade's entry and exit marked, and a trades table. Inline SVG
 * and one small inline script; a Content-Security-Policy forbids every network load.
 */
export function htmlReport(input: HtmlReportInput): string {
  const { stats, curve } = input;
  const title = input.title ?? 'Backtest report';
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  const trades = input.trades.slice(0, input.maxTrades ?? 1000);

  // The hover offers the bars the equity line draws, so the tooltip always sits on the line.
  const indexed = curve.map((p, i) => ({ x: p.time, y: p.equity, i }));
  const drawn = downsample(indexed, maxPoints);
  const equityFrame = frameFor(drawn, WIDTH, 320);
  const ddPoints = downsample(drawdownPoints(curve), maxPoints);
  // Drawdown is never above 0: the top of its chart is the peak line.
  const ddFrame = { ...frameFor(ddPoints, WIDTH, 160, [0]), yMax: 0 };
  const pricePoints = downsample(
    curve.map((p) => ({ x: p.time, y: p.price })),
    maxPoints,
  );
  const priceFrame = frameFor(
    pricePoints,
    WIDTH,
    320,
    trades.flatMap((t) => [Number(t.entryPrice), Number(t.exitPrice)]),
  );
  const drawdownAt = drawdownPoints(curve);
  const chartData = {
    width: WIDTH,
    xs: drawn.map((p) => round1(px(equityFrame, p.x))),
    ys: drawn.map((p) => round1(py(equityFrame, p.y))),
    times: drawn.map((p) => p.x),
    equity: drawn.map((p) => p.y),
    drawdown: drawn.map((p) => drawdownAt[p.i]!.y),
    price: drawn.map((p) => curve[p.i]!.price),
  };

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
<h2>Equity</h2>
${equityChart(equityFrame, drawn, downsample(peakPoints(curve), maxPoints))}
<h2>Drawdown [%]</h2>
${drawdownChart(ddFrame, ddPoints)}
<h2>Price and trades</h2>
${priceChart(priceFrame, pricePoints, trades)}
<div class="layout">
<section><h2>Statistics</h2>${statsTable(stats)}</section>
<section><h2>Trades${input.trades.length > trades.length ? ` (first ${trades.length} of ${input.trades.length})` : ''}</h2>${tradesTable(trades)}</section>
</div>
<div id="tooltip" role="tooltip"></div>
<script type="application/json" id="chart-data">${safeJson(chartData)}</script>
<script>${HOVER_SCRIPT}</script>
</body>
</html>
`;
}

function chartOpen(id: string, frame: Frame, label: string): string {
  return `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${escapeXml(label)}">`;
}

function cursor(frame: Frame): string {
  return `<line class="cursor" x1="0" x2="0" y1="${frame.top}" y2="${frame.bottom}" stroke="#6b7280" stroke-dasharray="2 2" style="display:none"/>`;
}

function equityChart(frame: Frame, points: readonly XY[], peaks: readonly XY[]): string {
  return [
    chartOpen('equity-chart', frame, 'Equity curve'),
    axes(frame, compactNumber),
    `<path d="${linePath(frame, peaks)}" fill="none" stroke="#fca5a5" stroke-width="1" stroke-dasharray="3 2"/>`,
    `<path class="equity-line" d="${linePath(frame, points)}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`,
    cursor(frame),
    '<circle id="equity-dot" r="4" fill="#2563eb" stroke="#fff" style="display:none"/>',
    '</svg>',
  ].join('\n');
}

function drawdownChart(frame: Frame, points: readonly XY[]): string {
  return [
    chartOpen('drawdown-chart', frame, 'Drawdown'),
    axes(frame, (y) => `${y.toFixed(1)}%`, 4),
    `<path class="drawdown-area" d="${areaPath(frame, points, 0)}" fill="#fecaca" stroke="#dc2626" stroke-width="1"/>`,
    cursor(frame),
    '</svg>',
  ].join('\n');
}

function priceChart(frame: Frame, points: readonly XY[], trades: readonly ClosedTrade[]): string {
  const marks = trades.map((t) => {
    const x0 = px(frame, t.entryTime);
    const y0 = py(frame, Number(t.entryPrice));
    const x1 = px(frame, t.exitTime);
    const y1 = py(frame, Number(t.exitPrice));
    const won = !t.pnl.startsWith('-') && t.pnl !== '0';
    const color = won ? '#15803d' : '#b91c1c';
    // Long entries point up, short entries down; the exit is a ring; the link is green for a win.
    const tri =
      t.side === 'BUY'
        ? `${x0},${y0 - 6} ${x0 - 5},${y0 + 4} ${x0 + 5},${y0 + 4}`
        : `${x0},${y0 + 6} ${x0 - 5},${y0 - 4} ${x0 + 5},${y0 - 4}`;
    const label = `${t.side === 'BUY' ? 'Long' : 'Short'} ${t.qty} @ ${t.entryPrice} (${formatTime(t.entryTime)}) → ${t.exitPrice} (${formatTime(t.exitTime)}): pnl ${t.pnl}, ${formatFigure(t.returnPct)}%`;
    return (
      `<g class="trade"><title>${escapeXml(label)}</title>` +
      `<line x1="${x0.toFixed(1)}" y1="${y0.toFixed(1)}" x2="${x1.toFixed(1)}" y2="${y1.toFixed(1)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 2"/>` +
      `<polygon class="entry" points="${tri}" fill="${t.side === 'BUY' ? '#15803d' : '#b91c1c'}"/>` +
      `<circle class="exit" cx="${x1.toFixed(1)}" cy="${y1.toFixed(1)}" r="4" fill="#fff" stroke="${color}" stroke-width="2"/></g>`
    );
  });
  return [
    chartOpen('price-chart', frame, 'Price with trades'),
    axes(frame, compactNumber),
    `<path class="price-line" d="${linePath(frame, points)}" fill="none" stroke="#374151" stroke-width="1"/>`,
    ...marks,
    cursor(frame),
    '</svg>',
  ].join('\n');
}

function statsTable(stats: Stats): string {
  const rows = STATS_LABELS.map(
    ([key, label]) => `<tr><td>${escapeXml(label)}</td><td>${escapeXml(formatStat(stats, key))}</td></tr>`,
  );
  return `<table id="stats">${rows.join('')}</table>`;
}

function tradesTable(trades: readonly ClosedTrade[]): string {
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
      t.pnl,
      formatFigure(t.returnPct),
      t.fees,
    ];
    return `<tr class="${cls}">${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="trades">${head}${rows.join('')}</table>`;
}

/** JSON that cannot end the script block it sits in. */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
