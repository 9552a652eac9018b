import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { builtinStrategy } from '../libs/strategy/src/index.js';
import { readCapture } from '../services/market-data/src/index.js';
import { captureTicks } from '../services/cli/src/backtest/capture-ticks.js';
import { detectDataKind, fileTicks } from '../services/cli/src/backtest/data-input.js';
import { runTickBacktest, type BacktestSpec } from '../services/cli/src/backtest/run-backtest.js';
import { frames, writeCapture, type FrameAt } from '../services/cli/src/replay/test-support.js';
import { bourse, scratch, type Scratch } from './backtest-support.js';

// `bourse backtest --data` with a market-data capture and with quote/trade tick files: the kind is
// detected, the capture's instrument is traded unless --symbol says, and the command's --json trades
// equal the engine's on the same ticks in-process. Sweeps over ticks are refused (exit 2, --param).

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
    // Quotes make no bars (the runner builds bars from trades): sma-cross never signals, the run is flat.
    const quotes = await bourse(['backtest', '--data', quotesFile, '--strategy', 'sma-cross', ...FLAGS, '--json']);
    expect(quotes.code).toBe(0);
    expect(JSON.parse(quotes.stdout)).toMatchObject({ stats: { tradeCount: 0, equityFinal: 10000 } });
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
