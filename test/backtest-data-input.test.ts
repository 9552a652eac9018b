import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { builtinStrategy } from '@bourse/strategy';
import { readCapture } from '@bourse/market-feed';
import { captureTicks, detectDataKind, fileTicks, runTickBacktest, type BacktestSpec } from '@bourse/backtest';
import { frames, writeCapture, type FrameAt } from '@bourse/cli/testing';
import { bourse, scratch, type Scratch } from './backtest-support.js';

// `bourse backtest --data` with a market-data capture and with quote/trade tick files: the kind is
// detected, the capture's instrument is traded unless --symbol says, and the command's --json trades
// equal the engine's on the same ticks in-process. Bars from quotes (issue 16 part 9): a quote file's
// bars are its mid unless --bar-price says; a strategy fed none of its events ends with a warning.
// Sweeps over ticks are refused (exit 2, --param).

const T0 = Date.UTC(2025, 0, 2, 3, 4, 0, 0);
const CLOSES = ['10', '9', '8', '7', '12', '13', '8', '6', '5', '9', '12', '4', '5'];
const FLAGS = ['--param', 'fast=2', '--param', 'slow=3', '--param', 'timeframe=1s', '--size', 'qty:2', '--lot', '1'];
const spec = (symbol: string): BacktestSpec => ({
  strategy: builtinStrategy('sma-cross'),
  params: { fast: 2, slow: 3, timeframe: '1s', sizing: { kind: 'qty', qty: '2' }, mode: 'long-short' },
  symbol,
  cash: '10000',
  execution: { fill: 'next-open', makerFeeRate: '0', takerFeeRate: '0', lot: '1', tick: '0.01' },
  longShort: true,
  barMs: 60_000,
});

let tmp: Scratch;
let capture: string;
let tradesFile: string;
let quotesFile: string;
let minuteQuotes: string;

beforeAll(async () => {
  tmp = scratch('bourse-backtest-data-');
  const lines: FrameAt[] = [];
  CLOSES.forEach((close, i) => {
    const w = T0 + i * 1000;
    lines.push({ t: w + 5, frame: frames.trade(2 * i + 1, close, '1', w) });
    lines.push({ t: w + 300, frame: frames.quote(100 + i, `${Number(close) - 0.01}`, `${Number(close) + 0.01}`) });
    lines.push({ t: w + 605, frame: frames.trade(2 * i + 2, close, '1', w + 600) });
  });
  capture = join(tmp.dir, 'binance-x.ndjson.gz');
  await writeCapture(capture, T0, lines);
  tradesFile = tmp.file(
    'trades.ndjson',
    CLOSES.flatMap((c, i) => [0, 600].map((d) => JSON.stringify({ time: T0 + i * 1000 + d, price: c, qty: '1' })))
      .join('\n')
      .concat('\n'),
  );
  quotesFile = tmp.file(
    'quotes.csv',
    ['time,bid,bid_size,ask,ask_size', ...CLOSES.map((c, i) => `${T0 + i * 1000},${c},1,${Number(c) + 0.02},1`)]
      .join('\n')
      .concat('\n'),
  );
  // The case, smaller: an hour of top-of-book quotes only (time, bid, bid qty, ask, ask qty),
  // one a second, the mid waving with a 20-minute period, for a strategy on 1m bars.
  minuteQuotes = tmp.file(
    'minute-quotes.csv',
    [
      'time,bid,bid_qty,ask,ask_qty',
      ...Array.from({ length: 3600 }, (_, i) => {
        const mid = 100 + 5 * Math.sin((2 * Math.PI * i) / 1200);
        return `${T0 + i * 1000},${(mid - 0.01).toFixed(2)},3,${(mid + 0.01).toFixed(2)},4`;
      }),
    ]
      .join('\n')
      .concat('\n'),
  );
}, 30_000);
afterAll(() => tmp?.remove());

describe('bourse backtest --data <ticks or capture>', () => {
  it('detects bars, quotes, trades and captures', async () => {
    expect(await detectDataKind(capture)).toBe('capture');
    expect(await detectDataKind(tradesFile)).toBe('trades');
    expect(await detectDataKind(quotesFile)).toBe('quotes');
    expect(await detectDataKind(tmp.file('b.csv', ',Open,High,Low,Close,Volume\n2004-08-19,1,2,0.5,1.5,10\n'))).toBe(
      'bars',
    );
    expect(await detectDataKind(tmp.file('x.csv', 'a,b\n1,2\n'))).toMatch(/--input/);
  });

  it("runs a capture through the engine: the capture's instrument, the same trades as in-process", async () => {
    const run = await bourse([
      'backtest',
      '--data',
      capture,
      '--strategy',
      'sma-cross',
      ...FLAGS,
      '--long-short',
      '--json',
    ]);
    expect(run.stderr).not.toContain('bourse:');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { stats: { tradeCount: number }; trades: unknown[] };
    const expected = await runTickBacktest(spec('BTC/USDT'), captureTicks(readCapture(capture), 'BTC/USDT'));
    expect(expected.trades.length).toBeGreaterThanOrEqual(3);
    expect(out.stats.tradeCount).toBe(expected.trades.length);
    expect(out.trades).toHaveLength(expected.trades.length);
    expect((out.trades as { entryPrice: string; side: string }[]).map((t) => `${t.side}@${t.entryPrice}`)).toEqual(
      expected.trades.map((t) => `${t.side}@${t.entryPrice}`),
    );
  }, 60_000);

  it('runs a trade tick file and a quote tick file', async () => {
    const trades = await bourse([
      'backtest',
      '--data',
      tradesFile,
      '--strategy',
      'sma-cross',
      ...FLAGS,
      '--long-short',
      '--json',
    ]);
    expect(trades.code).toBe(0);
    const expected = await runTickBacktest(spec('ASSET/USD'), fileTicks('trades', tradesFile));
    const out = JSON.parse(trades.stdout) as { trades: { side: string; entryPrice: string; exitPrice: string }[] };
    expect(expected.trades.length).toBeGreaterThanOrEqual(3);
    expect(out.trades.map((t) => `${t.side}@${t.entryPrice}-${t.exitPrice}`)).toEqual(
      expected.trades.map((t) => `${t.side}@${t.entryPrice}-${t.exitPrice}`),
    );
    // A quote file's bars are built from the quotes' mid by default: the same trades as in-process.
    const quotes = await bourse([
      'backtest',
      '--data',
      quotesFile,
      '--strategy',
      'sma-cross',
      ...FLAGS,
      '--long-short',
      '--json',
    ]);
    expect(quotes.stderr).not.toContain('bourse:');
    expect(quotes.code).toBe(0);
    const fromMid = await runTickBacktest({ ...spec('ASSET/USD'), barPrice: 'mid' }, fileTicks('quotes', quotesFile));
    expect(fromMid.trades.length).toBeGreaterThanOrEqual(3);
    expect((JSON.parse(quotes.stdout) as typeof out).trades.map((t) => `${t.side}@${t.entryPrice}`)).toEqual(
      fromMid.trades.map((t) => `${t.side}@${t.entryPrice}`),
    );
  }, 60_000);

  it('builds 1m bars from quotes only (mid by default, bid on request); bars from trades warn that none came', async () => {
    const flags = ['--data', minuteQuotes, '--strategy', 'sma-cross', '--param', 'fast=3', '--param', 'slow=5'];
    const flagsTail = ['--param', 'timeframe=1m', '--size', 'qty:1', '--long-short', '--json'];
    const mid = await bourse(['backtest', ...flags, ...flagsTail]);
    expect(mid.stderr).not.toContain('bourse:');
    expect(mid.code).toBe(0);
    const midTrades = (JSON.parse(mid.stdout) as { trades: { entryPrice: string }[] }).trades;
    // Three 20-minute waves of 1m bars: the 3/5 averages cross several times.
    expect(midTrades.length).toBeGreaterThanOrEqual(4);

    const bid = await runTickBacktest(
      {
        ...spec('ASSET/USD'),
        params: { fast: 3, slow: 5, timeframe: '1m', sizing: { kind: 'qty', qty: '1' }, mode: 'long-short' },
        barPrice: 'bid',
      },
      fileTicks('quotes', minuteQuotes),
    );
    expect(bid.trades.length).toBe(midTrades.length);
    expect(bid.warnings).toEqual([]);

    // Built from trades, the bars of a quote-only file never form: the run says so, on stderr.
    const last = await bourse(['backtest', ...flags, ...flagsTail, '--bar-price', 'last']);
    expect(last.code).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ stats: { tradeCount: 0, equityFinal: 10000 } });
    expect(last.stderr).toContain(
      'bourse: warning: strategy sma-cross received none of the events it asked for (1m bars): ' +
        'the data held 3600 quotes and 0 trades, and bars are built from trades (--bar-price last); ' +
        'to build bars from the quotes, give --bar-price mid (or bid, ask)',
    );
  }, 90_000);

  it('--bar-price is refused for bar data, and --help lists every built-in strategy', async () => {
    const bars = tmp.file(
      'bars.csv',
      'date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.5,10\n',
    );
    const refused = await bourse(['backtest', '--data', bars, '--strategy', 'sma-cross', '--bar-price', 'mid']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--bar-price: --data holds bars');
    const help = await bourse(['backtest', '--help']);
    expect(help.code).toBe(0);
    for (const name of ['sma-cross', 'rsi-threshold', 'bollinger-mean-reversion', 'market-maker'])
      expect(help.stdout).toContain(name);
  }, 60_000);

  it('refuses a sweep over ticks, naming --param (exit 2)', async () => {
    const run = await bourse([
      'backtest',
      '--data',
      capture,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=2,3',
      '--param',
      'slow=5',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--param: sweeps run over bars');
  }, 60_000);
});
