import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBarsCsv } from '../data/bars.js';
import { computeStats } from '../stats/compute-stats.js';
import { closedTrade } from '../stats/trade.js';
import type { EquityPoint } from '../types.js';
import { htmlReport } from './html-report.js';

// The HTML report read as text, without a browser (the real-browser check is `pnpm test:browser`,
// html-report.browser.test.ts): each chart's container, the inlined chart library, the data the
// charts draw, and nothing in the page can load from anywhere.
const GOOG = fileURLToPath(new URL('../../../../../shared/data/GOOG.csv', import.meta.url));

/** The markup of the table with `id`, up to its closing tag. */
function element(html: string, tag: 'table', id: string): string {
  const start = html.indexOf(`<${tag} id="${id}"`);
  if (start < 0) throw new Error(`no <${tag} id="${id}"> in the report`);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end + tag.length + 3);
}

function count(text: string, what: RegExp): number {
  return (text.match(what) ?? []).length;
}

describe('htmlReport as a document', () => {
  it('holds the price, equity and drawdown charts with the library inlined, the stats, and the data the charts draw', async () => {
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
    ];
    const stats = computeStats({ curve, trades });
    const html = htmlReport({ title: 'GOOG buy & hold <check>', stats, trades, curve });

    expect(html).toContain('<title>GOOG buy &#38; hold &#60;check&#62;</title>');
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none';`);
    // One file that opens offline: the chart library is inlined, no element loads anything.
    expect(count(html, /<(script|link|img)[^>]*\s(src|href)=/g)).toBe(0);
    expect(html).toContain('LightweightCharts');
    for (const id of ['price-chart', 'equity-chart', 'drawdown-chart'])
      expect(count(html, new RegExp(`<div id="${id}" class="chart"`, 'g'))).toBe(1);
    expect(count(element(html, 'table', 'stats'), /<tr/g)).toBe(23);

    const data = JSON.parse(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '');
    const drawn = data.times.length as number;
    // At most one point per bar, spanning the whole run, on a rising time axis.
    expect(drawn).toBeGreaterThan(1000);
    expect(drawn).toBeLessThanOrEqual(bars.length);
    for (const series of ['equity', 'peak', 'drawdown', 'price']) expect(data[series]).toHaveLength(drawn);
    expect([data.times[0], data.times[drawn - 1]]).toEqual([first.time / 1000, bars.at(-1)!.time / 1000]);
    expect(data.times.every((t: number, i: number) => i === 0 || t > data.times[i - 1])).toBe(true);
    expect(data.equity[0]).toBe(10_000);
    expect(data.equity[drawn - 1]).toBeCloseTo(curve.at(-1)!.equity, 9);
    expect(Math.max(...data.drawdown)).toBeLessThanOrEqual(0);
    // The trade's entry and exit, each on the bar holding its time.
    expect(data.markers.map((m: { time: number }) => m.time)).toEqual([at(10).time / 1000, at(200).time / 1000]);
  });
});
