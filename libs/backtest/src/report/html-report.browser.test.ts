import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium } from '../../../../test/support/browser.js';
import { readBarsCsv } from '../data/bars.js';
import { computeStats } from '../stats/compute-stats.js';
import { closedTrade } from '../stats/trade.js';
import type { EquityPoint } from '../types.js';
import { htmlReport } from './html-report.js';

// Opens the HTML report in a real headless Chromium (`pnpm test:browser`; found as users have one) and
// checks what a person would: the equity chart is drawn, hovering shows date and equity, and nothing
// errors or reaches the network.
const GOOG = fileURLToPath(new URL('../../../../../shared/data/GOOG.csv', import.meta.url));

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  const executablePath = requireChromium();
  dir = await mkdtemp(join(tmpdir(), 'bourse-backtest-report-'));
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('htmlReport in headless Chromium', () => {
  it('shows the equity chart with a hover tooltip, without console errors or network requests', async () => {
    // A buy-and-hold curve over GOOG (2148 daily bars: more than the 2000 drawn, so thinning is exercised).
    const { rows: bars } = await readBarsCsv(GOOG).toArray();
    const first = bars[0]!;
    const curve: EquityPoint[] = bars.map((b) => ({
      time: b.time,
      equity: (10_000 * b.closeNum) / first.closeNum,
      price: b.closeNum,
    }));
    const at = (i: number) => bars[i]!;
    const trades = [
      closedTrade({
        side: 'BUY',
        qty: '10',
        entryTime: at(10).time,
        entryPrice: at(10).close,
        exitTime: at(200).time,
        exitPrice: at(200).close,
        fees: '1',
      }),
      closedTrade({
        side: 'SELL',
        qty: '5',
        entryTime: at(900).time,
        entryPrice: at(900).close,
        exitTime: at(1000).time,
        exitPrice: at(1000).close,
        fees: '1',
      }),
    ];
    const stats = computeStats({ curve, trades });
    const file = join(dir, 'report.html');
    await writeFile(file, htmlReport({ title: 'GOOG buy & hold <check>', stats, trades, curve }));

    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => requests.push(req.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });

    expect(await page.title()).toBe('GOOG buy & hold <check>');
    const chart = page.locator('#equity-chart');
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(500);
    expect(box?.height).toBeGreaterThan(200);
    const d = (await page.locator('#equity-chart path.equity-line').getAttribute('d')) ?? '';
    expect((d.match(/L/g) ?? []).length).toBeGreaterThan(1000);
    expect(await page.locator('#drawdown-chart path.drawdown-area').count()).toBe(1);
    expect(await page.locator('#price-chart g.trade').count()).toBe(2);
    expect(await page.locator('#stats tr').count()).toBe(23);

    // Hover right of the plot area: the nearest bar is the last, so the tooltip names its date and equity.
    expect(await page.locator('#tooltip').isVisible()).toBe(false);
    await page.mouse.move(box!.x + box!.width - 4, box!.y + box!.height / 2);
    const tooltip = page.locator('#tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    const last = bars.at(-1)!;
    const finalEquity = curve
      .at(-1)!
      .equity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const text = await tooltip.textContent();
    expect(text).toContain(new Date(last.time).toISOString().slice(0, 10));
    expect(text).toContain(`equity ${finalEquity}`);
    expect(await page.locator('#equity-dot').isVisible()).toBe(true);

    // Left of the plot area: the first bar.
    await page.mouse.move(box!.x + 4, box!.y + box!.height / 2);
    await expect.poll(() => tooltip.textContent(), { timeout: 5_000 }).toContain('2004-08-19  equity 10,000.00');

    await page.screenshot({ path: process.env.BOURSE_REPORT_SCREENSHOT ?? join(dir, 'report.png'), fullPage: true });
    await page.mouse.move(1, 1);
    await expect.poll(() => tooltip.isVisible(), { timeout: 5_000 }).toBe(false);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
