import { describe, expect, it } from 'vitest';
import { computeStats } from '../stats/compute-stats.js';
import { closedTrade } from '../stats/trade.js';
import type { EquityPoint } from '../types.js';
import { downsample } from './chart.js';
import { jsonReport } from './json-report.js';
import { ProgressBar, type ProgressOutput } from './progress.js';
import { formatStatsTable } from './stats-table.js';
import { equityCurveSvg } from './svg.js';
import { tradesToCsv } from './trades-csv.js';

const day = (d: number): number => Date.UTC(2024, 0, d);
const CURVE: EquityPoint[] = [
  { time: day(1), equity: 100, price: 10 },
  { time: day(2), equity: 110, price: 11 },
  { time: day(3), equity: 104.5, price: 10.5 },
  { time: day(4), equity: 120, price: 12 },
];
const TRADES = [
  closedTrade({
    side: 'BUY',
    qty: '10',
    entryTime: day(1),
    entryPrice: '10',
    exitTime: day(2),
    exitPrice: '11',
    fees: '0.25',
  }),
  closedTrade({
    side: 'SELL',
    qty: '0.5',
    entryTime: day(3),
    entryPrice: '10.5',
    exitTime: day(4),
    exitPrice: '12',
    fees: '0',
  }),
];

describe('tradesToCsv', () => {
  it('writes a header and one exact row per trade', () => {
    expect(tradesToCsv(TRADES)).toBe(
      [
        'side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,fees',
        // 10 × (11 - 10) - 0.25 = 9.75; / 100 = 9.75 %.
        'BUY,10,2024-01-01T00:00:00.000Z,10,2024-01-02T00:00:00.000Z,11,9.75,9.75,0.25',
        // 0.5 × (10.5 - 12) = -0.75; / 5.25 = -14.2857… %.
        `SELL,0.5,2024-01-03T00:00:00.000Z,10.5,2024-01-04T00:00:00.000Z,12,-0.75,${(-0.75 / 5.25) * 100},0`,
        '',
      ].join('\n'),
    );
    expect(tradesToCsv([])).toBe('side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,fees\n');
  });
});

describe('jsonReport', () => {
  it('writes stats and trades; NaN and Infinity become null; times ISO', () => {
    const stats = computeStats({ curve: CURVE, trades: TRADES });
    const parsed = JSON.parse(JSON.stringify(jsonReport(stats, TRADES))) as ReturnType<typeof jsonReport>;
    expect(Object.keys(parsed)).toEqual(['stats', 'trades']);
    expect(parsed.stats.returnPct).toBeCloseTo(20, 10);
    expect(parsed.stats.feesPaid).toBe('0.25');
    // One winner, one loser: profit factor 9.75 / 14.2857 is finite; three daily returns, so volatility is too.
    expect(parsed.stats.profitFactor).toBeCloseTo(9.75 / ((0.75 / 5.25) * 100), 10);
    expect(parsed.trades[0]).toEqual({
      side: 'BUY',
      qty: '10',
      entryTime: '2024-01-01T00:00:00.000Z',
      entryPrice: '10',
      exitTime: '2024-01-02T00:00:00.000Z',
      exitPrice: '11',
      pnl: '9.75',
      returnPct: 9.75,
      fees: '0.25',
    });
    const empty = jsonReport(computeStats({ curve: CURVE.slice(0, 1), trades: [] }), []);
    expect(empty.stats.profitFactor).toBeNull();
    expect(empty.stats.maxDrawdownDays).toBeNull();
    expect(empty.stats.tradeCount).toBe(0);
    expect(JSON.parse(JSON.stringify(empty))).toEqual(empty);
  });
});

describe('formatStatsTable', () => {
  it('lines up one labelled figure a line, undefined figures as —, unbounded ones as inf', () => {
    const rising: EquityPoint[] = [1, 2, 3].map((d, i) => ({ time: day(d), equity: 100 + i, price: 10 }));
    const table = formatStatsTable(computeStats({ curve: rising, trades: [] }));
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/^Start {2,}2024-01-01T00:00:00\.000Z$/);
    expect(lines[2]).toMatch(/^Duration \[days\] {2,}2$/);
    expect(table).toMatch(/^Return \[%\] {2,}2\.00$/m);
    expect(table).toMatch(/^Sortino Ratio {2,}inf$/m);
    expect(table).toMatch(/^Profit Factor {2,}—$/m);
    expect(table).toMatch(/^# Trades {2,}0$/m);
    // Every value starts in the same column.
    const column = lines[0]!.indexOf('2024');
    expect(lines.every((l) => l[column - 1] === ' ' && l[column] !== ' ')).toBe(true);
  });

  it('rounds money to the quote asset precision when given it, and only money', () => {
    const stats = { ...computeStats({ curve: CURVE, trades: TRADES }), feesPaid: '6034.61428', equityPeak: 120.125 };
    const table = formatStatsTable(stats, { quoteDecimals: 2 });
    expect(table).toMatch(/^Fees Paid \[\$\] {2,}6034\.61$/m);
    expect(table).toMatch(/^Equity Peak \[\$\] {2,}120\.13$/m);
    expect(table).toMatch(/^Equity Start \[\$\] {2,}100\.00$/m);
    expect(table).toMatch(/^Return \[%\] {2,}20\.00$/m);
    expect(formatStatsTable(stats, { quoteDecimals: 0 })).toMatch(/^Fees Paid \[\$\] {2,}6035$/m);
    // Without a precision, fees stay exact as before.
    expect(formatStatsTable(stats)).toMatch(/^Fees Paid \[\$\] {2,}6034\.61428$/m);
  });
});

describe('equityCurveSvg', () => {
  it('draws a standalone SVG with the equity line, thinning long curves but keeping extremes', () => {
    const long: EquityPoint[] = Array.from({ length: 100_000 }, (_, i) => ({
      time: 1_700_000_000_000 + i * 60_000,
      equity: i === 61_234 ? 1 : i === 7_777 ? 1e6 : 1000 + Math.sin(i / 500) * 100,
      price: 1,
    }));
    const svg = equityCurveSvg(long, { title: 'A & B <test>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>A &#38; B &#60;test&#62;</title>');
    const line = /class="equity-line" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const commands = line.match(/[ML]/g) ?? [];
    expect(commands.length).toBeGreaterThan(1000);
    expect(commands.length).toBeLessThanOrEqual(2001);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    const thinned = downsample(
      long.map((p) => ({ x: p.time, y: p.equity })),
      2000,
    );
    expect(thinned.some((p) => p.y === 1)).toBe(true);
    expect(thinned.some((p) => p.y === 1e6)).toBe(true);
    expect(thinned.at(-1)!.x).toBe(long.at(-1)!.time);
    expect(thinned.every((p, i) => i === 0 || p.x > thinned[i - 1]!.x)).toBe(true);
  });
});

class RecordingOutput implements ProgressOutput {
  readonly written: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
}

describe('ProgressBar', () => {
  it('draws on a terminal with the rate and time left, and ends the line', () => {
    const out = new RecordingOutput(true);
    let now = 0;
    const bar = new ProgressBar(1000, { output: out, label: 'GOOG', now: () => now });
    expect(bar.drawing).toBe(true);
    for (let done = 0; done <= 500; done += 1) {
      now = done * 2; // 500 units a second
      bar.update(done);
    }
    bar.finish();
    bar.finish();
    const text = out.written.join('');
    expect(text).toContain('GOOG [');
    expect(text).toMatch(/\b0% \| 0\/1000 \| 0\/s/);
    // Finished after 1 s of the injected clock: 1000 units a second, nothing left.
    expect(text).toMatch(/100% \| 1000\/1000 \| 1000\/s \| ETA: 0s/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.match(/\n/g)).toHaveLength(1);
  });

  it('writes nothing when the output is not a terminal (pipes, CI logs), when disabled (--json) or without a total', () => {
    for (const [output, options, total] of [
      [new RecordingOutput(false), {}, 10],
      [new RecordingOutput(true), { enabled: false }, 10],
      [new RecordingOutput(true), {}, 0],
    ] as const) {
      const bar = new ProgressBar(total, { output, ...options });
      expect(bar.drawing).toBe(false);
      bar.update(5);
      bar.finish();
      expect(output.written).toEqual([]);
    }
  });
});
