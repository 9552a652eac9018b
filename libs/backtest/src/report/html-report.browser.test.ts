import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireChromium } from '@bourse/servers/testing';
import { readBarsCsv } from '../data/bars.js';
import { computeStats } from '../stats/compute-stats.js';
import { closedTrade } from '../stats/trade.js';
import type { EquityPoint } from '../types.js';
import { htmlReport } from './html-report.js';

// Opens the HTML report in a real headless Chromium (`pnpm test:browser`; found as users have one) and
// checks what a person would: lightweight-charts (inlined) draws the three charts, the crosshair shows
// a bar's date and values, zooming one chart zooms the others, and nothing errors or reaches the network.
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
  it('draws the charts with lightweight-charts, inlined: crosshair values, no console errors, no network', async () => {
    // A buy-and-hold curve over GOOG (2148 daily bars; maxPoints 1000 exercises the thinning).
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
        fees: '1.23456',
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
    const stats = computeStats({ curve, trades: trades.slice(0, 1) });
    const file = join(dir, 'report.html');
    const html = htmlReport({ title: 'GOOG buy & hold <check>', stats, trades, curve, maxPoints: 1000 });
    await writeFile(file, html);
    // One file, nothing to fetch: no src or href to load, the library inlined.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('TradingView Lightweight Charts');
    // Money to the quote precision; an undefined statistic (no losing trade) as —.
    expect(html).toContain('<td>1.23</td>');
    expect(html).toMatch(/<td>Profit Factor<\/td><td>—<\/td>/);

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
    for (const id of ['price-chart', 'equity-chart', 'drawdown-chart']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      expect(box?.height).toBeGreaterThan(100);
      expect(await page.locator(`#${id} canvas`).count()).toBeGreaterThan(0);
    }
    expect(await page.locator('#stats tr').count()).toBe(23);

    // The legend shows the last bar until the crosshair moves; the plot's right end is the last bar.
    const legend = page.locator('#legend');
    const lastDate = new Date(bars.at(-1)!.time).toISOString().slice(0, 10);
    const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(await legend.textContent()).toContain(`${lastDate}  equity ${money(curve.at(-1)!.equity)}`);
    const box = (await page.locator('#equity-chart').boundingBox())!;
    const plotWidth = Number(await page.locator('#price-chart').getAttribute('data-plot-width'));
    expect(plotWidth).toBeGreaterThan(400);
    // At the left end, a bar of the first days (bars are under a pixel wide here), its values exact.
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await expect.poll(() => legend.textContent(), { timeout: 5_000 }).toMatch(/^2004-0(8|9)-\d\d {2}equity/);
    const shown = (await legend.textContent())!;
    const point = curve.find((p) => new Date(p.time).toISOString().startsWith(shown.slice(0, 10)))!;
    expect(shown).toContain(`equity ${money(point.equity)}`);
    expect(shown).toContain(`price ${money(point.price)}`);
    expect(point.time - first.time).toBeLessThan(30 * 86_400_000);
    await page.mouse.move(box.x + plotWidth - 1, box.y + box.height / 2);
    await expect.poll(() => legend.textContent(), { timeout: 5_000 }).toContain(lastDate);

    // Zoom (the mouse wheel) on one chart moves the others with it.
    const range = () =>
      Promise.all(['price-chart', 'drawdown-chart'].map((id) => page.locator(`#${id}`).getAttribute('data-range')));
    const before = await range();
    await page.mouse.wheel(0, -600);
    await expect.poll(range, { timeout: 5_000 }).not.toEqual(before);
    const after = await range();
    expect(after[0]).toBe(after[1]);

    await page.screenshot({ path: process.env.BOURSE_REPORT_SCREENSHOT ?? join(dir, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
