import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStrategy } from '@bourse/strategy/loader';
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
  run: Record<string, unknown>;
  warnings: string[];
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
  expect(run.stdout).toMatch(
    /open position of \d+ closed at the last bar's close, 806\.19 \(2013-03-01T00:00:00\.000Z\)/,
  );
  expect(run.stdout).toMatch(/^Fees Paid \[\$\] +\d+\.\d\d$/m);
  json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as typeof json;
}, 60_000);
afterAll(() => tmp?.remove());

describe('bourse backtest --report', () => {
  it('writes trades.csv, report.json with the run, the execution assumptions and the closeout, report.html saying what it is, and equity.svg', async () => {
    const csv = (await readFile(join(out, 'trades.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,fees');
    expect(csv).toHaveLength(json.trades.length + 1);
    expect(json.trades).toHaveLength(94);
    expect(json.stats['tradeCount']).toBe(94);
    expect(json.execution).toMatchObject({ fill: 'next-open', makerFeeRate: '0.002', takerFeeRate: '0.002', lot: '1' });
    // The trade still open at the end closed on the last bar's own date, at its close, and says so.
    expect(json.closeout).toMatchObject({
      price: '806.19',
      time: '2013-03-01T00:00:00.000Z',
      priceSource: "the last bar's close",
    });
    expect(json.trades.at(-1)).toMatchObject({ exitTime: '2013-03-01T00:00:00.000Z', exitPrice: '806.19' });
    // What the report is: every input, the data's hash and the Bourse version, to reproduce it.
    const version = (
      JSON.parse(readFileSync(new URL('../services/cli/package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    expect(json.run).toMatchObject({
      strategy: 'sma-cross',
      params: { fast: 10, slow: 20, timeframe: '1d', sizing: { kind: 'fraction', fraction: '1' }, mode: 'long-short' },
      data: GOOG,
      dataSha256: createHash('sha256').update(readFileSync(GOOG)).digest('hex'),
      dataKind: 'bars',
      symbol: 'GOOG/USD',
      cash: '10000',
      longShort: true,
      bourseVersion: version,
    });
    expect(json.warnings).toEqual([]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`<title>sma-cross on GOOG.csv</title>`);
    expect(html).toContain(`<tr><th>Data SHA-256</th><td>${json.run['dataSha256'] as string}</td></tr>`);
    // The strategy code's hash, as the loader computes it and the run's intents carry it.
    const { codeHash } = await loadStrategy({ kind: 'builtin', name: 'sma-cross' });
    expect(json.run['codeHash']).toBe(codeHash);
    expect(html).toContain(`<tr><th>Code SHA-256</th><td>${codeHash}</td></tr>`);
    expect(html).toContain('<tr><th>Parameters</th><td>fast=10, slow=20, timeframe=1d');
    expect(html).toContain(`<tr><th>Bourse</th><td>${version}</td></tr>`);
    expect(html).toContain('was closed at the last bar&#39;s close, 806.19 (2013-03-01)');
    // Money to the quote precision (the tick, 0.01): fees were 6 0xx.xxxxx, exact, in report.json.
    expect(String(json.stats['feesPaid'])).toMatch(/^\d+\.\d{3,}$/);
    const fees = /<td>Fees Paid \[\$\]<\/td><td>([^<]+)<\/td>/.exec(html)?.[1];
    expect(fees).toMatch(/^\d+\.\d\d$/);
    expect(Math.abs(Number(fees) - Number(json.stats['feesPaid']))).toBeLessThanOrEqual(0.005);
    const svg = await readFile(join(out, 'equity.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<path[^>]+d="M/);
  });

  it('the HTML report holds the price, equity and drawdown charts with the library inlined and every trade marked', async () => {
    // Read as text; `pnpm test:browser` (backtest-report.browser.test.ts) opens it in Chromium.
    const html = await readFile(join(out, 'report.html'), 'utf8');
    for (const id of ['price-chart', 'equity-chart', 'drawdown-chart']) expect(html).toContain(`id="${id}"`);
    // One file that opens offline: no script or stylesheet is fetched from anywhere.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('LightweightCharts');
    const data = JSON.parse(
      /<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '',
    ) as {
      times: number[];
      markers: { time: number; shape: string }[];
    };
    // Every bar (2148, under the thinning limit) and an entry and exit mark per trade.
    expect(data.times).toHaveLength(2148);
    expect(data.markers).toHaveLength(2 * json.trades.length);
    expect(data.markers.at(-1)!.time).toBe(Date.UTC(2013, 2, 1) / 1000);
  });
});
