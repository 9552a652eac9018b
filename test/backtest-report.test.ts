import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as PlaywrightCore from '../libs/backtest/node_modules/playwright-core/index.js';
import { bourse, scratch, type Scratch } from './backtest-support.js';

// `bourse backtest --report out/` on GOOG.csv: the four files, their content, and the HTML report of the
// engine's own output opened in headless Chromium (Debian's package) with the equity chart drawn and no
// console error. playwright-core is a dev dependency of libs/backtest, loaded from there.
const CHROMIUM = '/usr/bin/chromium';
const GOOG = fileURLToPath(new URL('../../shared/data/GOOG.csv', import.meta.url));
const playwright = createRequire(new URL('../libs/backtest/package.json', import.meta.url))(
  'playwright-core',
) as typeof PlaywrightCore;

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
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`,
    );
  }
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

  it('the HTML report shows the equity chart, drawdown and trades on the price chart, without console errors', async () => {
    const context = await playwright.chromium.launchPersistentContext(join(tmp.dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      viewport: { width: 1100, height: 900 },
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('request', (req) => requests.push(req.url()));
      const url = pathToFileURL(join(out, 'report.html')).href;
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      for (const id of ['price-chart', 'equity-chart', 'drawdown-chart']) {
        expect((await page.locator(`#${id}`).boundingBox())?.width).toBeGreaterThan(500);
        expect(await page.locator(`#${id} canvas`).count()).toBeGreaterThan(0);
      }
      // The chart data: every bar (2148, under the thinning limit) and an entry and exit mark per trade.
      const data = JSON.parse((await page.locator('#chart-data').textContent())!) as {
        times: number[];
        markers: { time: number; shape: string }[];
      };
      expect(data.times).toHaveLength(2148);
      expect(data.markers).toHaveLength(2 * 94);
      expect(data.markers.at(-1)!.time).toBe(Date.UTC(2013, 2, 1) / 1000);
      expect(await page.locator('#trades tr').count()).toBe(95);
      // The crosshair at the plot's right end reads the last bar.
      const box = (await page.locator('#equity-chart').boundingBox())!;
      const plotWidth = Number(await page.locator('#price-chart').getAttribute('data-plot-width'));
      await page.mouse.move(box.x + plotWidth - 1, box.y + box.height / 2);
      await expect
        .poll(() => page.locator('#legend').textContent(), { timeout: 5_000 })
        .toMatch(/^2013-03-01 {2}equity/);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
