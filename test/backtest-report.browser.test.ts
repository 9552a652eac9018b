import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as PlaywrightCore from 'playwright-core';
import { bourse, scratch, type Scratch } from './backtest-support.js';
import { requireChromium } from '@bourse/servers/testing';

// `pnpm test:browser`: the HTML report of `bourse backtest --report out/` on GOOG.csv (the run of
// backtest-report.test.ts) opened in headless Chromium, found as users have one (@bourse/servers/testing),
// with the three charts drawn, the crosshair reading the last bar and no console error. playwright-core is a dev dependency of
// libs/backtest, loaded from there.
const GOOG = fileURLToPath(new URL('../../shared/data/GOOG.csv', import.meta.url));
const playwright = createRequire(new URL('../libs/backtest/package.json', import.meta.url))(
  'playwright-core',
) as typeof PlaywrightCore;

let tmp: Scratch;
let out: string;

beforeAll(async () => {
  tmp = scratch('bourse-backtest-report-browser-');
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
  expect(run.code).toBe(0);
}, 60_000);
afterAll(() => tmp?.remove());

describe('bourse backtest --report in a browser', () => {
  it('the HTML report shows the equity chart, drawdown and trades on the price chart, without console errors', async () => {
    const context = await playwright.chromium.launchPersistentContext(join(tmp.dir, 'profile'), {
      executablePath: requireChromium(),
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
