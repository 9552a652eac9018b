import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as PlaywrightCore from '../libs/backtest/node_modules/playwright-core/index.js';
import { bourse, scratch, type Scratch } from './backtest-support.js';
import { requireChromium } from './support/browser.js';

// `pnpm test:browser`: the HTML report of `bourse backtest --report out/` on GOOG.csv (the run of
// backtest-report.test.ts) opened in headless Chromium, found as users have one (support/browser.ts),
// with the equity chart drawn and no console error. playwright-core is a dev dependency of
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
