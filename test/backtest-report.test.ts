import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bourse, scratch, type Scratch } from './backtest-support.js';

// `bourse backtest --report out/` on GOOG.csv: the four files and their content; the HTML report is
// read as text here and opened in headless Chromium by `pnpm test:browser` (backtest-report.browser.test.ts).
const GOOG = fileURLToPath(new URL('../../shared/data/GOOG.csv', import.meta.url));

let tmp: Scratch;
let out: string;
let json: {
  stats: Record<string, unknown>;
  trades: Record<string, unknown>[];
  execution: Record<string, unknown>;
  closeout: unknown;
};

beforeAll(async () => {
  tmp = scratch('bourse-backtest-report-');
  out = join(tmp.dir, 'out');
  const run = await bourse([
    'backtest',
    '--data',
    GOOG,
    '--strategy',
    'sma-cross',
    '--param',
    'fast=10',
    '--param',
    'slow=20',
    '--cash',
    '10000',
    '--commission',
    '0.002',
    '--fill',
    'next-open',
    '--lot',
    '1',
    '--long-short',
    '--symbol',
    'GOOG/USD',
    '--report',
    out,
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/open position of \d+ closed at the last bar's close, 806\.19/);
  json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as typeof json;
}, 60_000);
afterAll(() => tmp?.remove());

describe('bourse backtest --report', () => {
  it('writes trades.csv, report.json with the execution assumptions and the closeout, and equity.svg', async () => {
    const csv = (await readFile(join(out, 'trades.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,fees');
    expect(csv).toHaveLength(json.trades.length + 1);
    expect(json.trades).toHaveLength(94);
    expect(json.stats['tradeCount']).toBe(94);
    expect(json.execution).toMatchObject({ fill: 'next-open', makerFeeRate: '0.002', takerFeeRate: '0.002', lot: '1' });
    expect(json.closeout).toMatchObject({ price: '806.19' });
    const svg = await readFile(join(out, 'equity.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<path[^>]+d="M/);
  });

  it('the HTML report holds the equity, drawdown and price charts as SVG with every trade marked', async () => {
    // Read as text; `pnpm test:browser` (backtest-report.browser.test.ts) opens it in Chromium.
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const svg = (id: string) =>
      html.slice(html.indexOf(`<svg id="${id}"`), html.indexOf('</svg>', html.indexOf(`<svg id="${id}"`)));
    const line = /<path class="equity-line" d="(M[^"]+)"/.exec(svg('equity-chart'))?.[1] ?? '';
    expect((line.match(/L/g) ?? []).length).toBeGreaterThan(1000);
    expect((svg('drawdown-chart').match(/<path class="drawdown-area" d="M/g) ?? []).length).toBe(1);
    expect((svg('price-chart').match(/<g class="trade">/g) ?? []).length).toBe(json.trades.length);
    const data = JSON.parse(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '');
    expect(new Date(data.times.at(-1)).toISOString().slice(0, 10)).toBe('2013-03-01');
  });
});
