import { existsSync } from 'node:fs';
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
      const box = await page.locator('#equity-chart').boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      const d = (await page.locator('#equity-chart path.equity-line').getAttribute('d')) ?? '';
      expect((d.match(/L/g) ?? []).length).toBeGreaterThan(1000);
      expect(await page.locator('#drawdown-chart path.drawdown-area').count()).toBe(1);
      expect(await page.locator('#price-chart g.trade').count()).toBe(94);
      await page.mouse.move(box!.x + box!.width - 4, box!.y + box!.height / 2);
      await page.locator('#tooltip').waitFor({ state: 'visible', timeout: 5_000 });
      expect(await page.locator('#tooltip').textContent()).toContain('2013-03-01');
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
