import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intent } from '@bourse/contracts';
import { readBarsCsv, runUnitBacktest, type Bar } from '@bourse/backtest';
import { loadStrategies, loadStrategy } from '@bourse/strategy/loader';
import { bourse, pairBarsCsv, scratch, type Scratch } from './backtest-support.js';

// The example pair strategy (examples/strategies/btc-eth-spread.ts, a user's file using only the public
// SDK) backtested as one unit over BTC/USDT and ETH/USDT bars this test generates: one instance sees both
// legs, and both legs trade.

const EXAMPLE = resolve(import.meta.dirname, '../examples/strategies/btc-eth-spread.ts');
let tmp: Scratch;
let files: { a: string; b: string };

beforeAll(() => {
  tmp = scratch('bourse-pair-');
  const csv = pairBarsCsv(240);
  files = { a: tmp.file('btc.csv', csv.a), b: tmp.file('eth.csv', csv.b) };
});
afterAll(() => tmp?.remove());

async function bars(path: string): Promise<Bar[]> {
  const out: Bar[] = [];
  for await (const bar of readBarsCsv(path)) out.push(bar);
  return out;
}

const PARAMS = { period: 20, entryZ: 1.2, exitZ: 0.3, qtyA: '0.1', qtyB: '1.5', timeframe: '1d' };

describe('the BTC/ETH spread example in a unit backtest', { timeout: 60_000 }, () => {
  it('loads as a unit of two instruments, and the loader refuses it with one instrument, naming the field', async () => {
    const loaded = await loadStrategy({ kind: 'module', module: EXAMPLE, baseDir: '/' }, { params: PARAMS });
    expect(loaded.definition.unit).toEqual({ minInstruments: 2, maxInstruments: 2 });
    const err = await loadStrategy(
      { kind: 'module', module: EXAMPLE, baseDir: '/' },
      { params: PARAMS, instruments: ['BTC/USDT'] },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STRATEGY_CHECK_FAILED', field: 'instruments', file: EXAMPLE });
    expect((err as Error).message).toContain('exactly 2 instruments; 1 given');
  });

  it('trades both legs, long-short: opposite sides entered together and closed together', async () => {
    const { definition, codeHash } = await loadStrategy({ kind: 'module', module: EXAMPLE, baseDir: '/' });
    const intents: Intent[] = [];
    const result = await runUnitBacktest(
      {
        strategy: definition,
        params: PARAMS,
        symbols: ['BTC/USDT', 'ETH/USDT'],
        cash: '100000',
        execution: { lot: '0.0001' },
        longShort: true,
        barMs: 86_400_000,
        codeHash,
        onIntent: (i) => intents.push(i),
      },
      { 'BTC/USDT': await bars(files.a), 'ETH/USDT': await bars(files.b) },
    );
    const btc = intents.filter((i) => i.instrument === 'BTC/USDT');
    const eth = intents.filter((i) => i.instrument === 'ETH/USDT');
    expect(btc.length).toBeGreaterThan(1);
    expect(eth.length).toBe(btc.length);
    // Each entry is a pair of opposite sides decided at the same time; the intents carry the code hash.
    const entries = intents.filter((i) => !i.reduceOnly);
    expect(entries.length).toBeGreaterThan(1);
    for (let k = 0; k < entries.length; k += 2) {
      const [x, y] = [entries[k]!, entries[k + 1]!];
      expect([x.instrument, y.instrument]).toEqual(['BTC/USDT', 'ETH/USDT']);
      expect(x.side).not.toBe(y.side);
      expect(x.createdAt).toBe(y.createdAt);
    }
    expect(intents.every((i) => i.codeHash === codeHash)).toBe(true);
    // Exits read each leg's own position from the context: reduce-only, the size held on that leg.
    const exits = intents.filter((i) => i.reduceOnly);
    expect(new Set(exits.map((e) => e.instrument))).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));
    for (const e of exits) expect(e.qty).toBe(e.instrument === 'BTC/USDT' ? '0.1' : '1.5');
    expect(new Set(entries.map((e) => `${e.instrument} ${e.side}`))).toEqual(
      new Set(['BTC/USDT BUY', 'BTC/USDT SELL', 'ETH/USDT BUY', 'ETH/USDT SELL']),
    );
    const [legA, legB] = result.legs;
    expect(legA).toMatchObject({ symbol: 'BTC/USDT', bars: 240 });
    expect(legB).toMatchObject({ symbol: 'ETH/USDT', bars: 240 });
    expect(legA!.fills).toBeGreaterThan(1);
    expect(legB!.fills).toBeGreaterThan(1);
    expect(legA!.trades.length).toBeGreaterThan(0);
    expect(legB!.trades.length).toBeGreaterThan(0);
    expect(legA!.trades.every((t) => t.qty === '0.1')).toBe(true);
    expect(legB!.trades.every((t) => t.qty === '1.5')).toBe(true);
    expect(result.stats.tradeCount).toBe(legA!.trades.length + legB!.trades.length);
    expect(result.rejections).toEqual([]);
  });
});

describe('bourse backtest --strategy <unit strategy> --data BASE/QUOTE=file ...', { timeout: 60_000 }, () => {
  const params = Object.entries(PARAMS).flatMap(([k, v]) => ['--param', `${k}=${v}`]);

  it('backtests the pair on both instruments and reports fills and round trips on both legs', async () => {
    const run = await bourse([
      'backtest',
      '--strategy',
      EXAMPLE,
      '--data',
      `BTC/USDT=${files.a}`,
      '--data',
      `ETH/USDT=${files.b}`,
      ...params,
      '--long-short',
      '--lot',
      '0.0001',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      stats: { tradeCount: number };
      legs: { symbol: string; fills: number; trades: { side: string; qty: string }[] }[];
    };
    expect(report.legs.map((l) => l.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    for (const leg of report.legs) {
      expect(leg.fills).toBeGreaterThan(1);
      expect(leg.trades.length).toBeGreaterThan(0);
    }
    expect(new Set(report.legs[0]!.trades.map((t) => t.side))).toEqual(new Set(['BUY', 'SELL']));
    expect(report.stats.tradeCount).toBe(report.legs[0]!.trades.length + report.legs[1]!.trades.length);
  });

  it('refuses one file for a unit, and several files for a one-instrument strategy (exit 2, flag named)', async () => {
    const one = await bourse(['backtest', '--strategy', EXAMPLE, '--data', files.a, ...params]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--data: btc-eth-spread trades its instruments as one unit');
    const short = await bourse(['backtest', '--strategy', EXAMPLE, '--data', `BTC/USDT=${files.a}`, ...params]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('exactly 2 instruments; 1 given');
    const many = await bourse(['backtest', '--strategy', 'sma-cross', '--data', files.a, '--data', files.b]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('--data: given 2 times');
  });
});

describe('bourse strategy check <unit strategy>', { timeout: 60_000 }, () => {
  it('checks the pair on placeholder instruments and backtests it on sample bars of each, deciding on both legs', async () => {
    const run = await bourse(['strategy', 'check', EXAMPLE, '--params', '{"period":10,"entryZ":1}', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { strategy: { name: string }; decisions: { instrument: string }[] };
    expect(report.strategy.name).toBe('btc-eth-spread');
    expect(new Set(report.decisions.map((d) => d.instrument))).toEqual(new Set(['ASSET1/USD', 'ASSET2/USD']));
  });

  it('refuses one --symbol for a pair, naming the field', async () => {
    const run = await bourse(['strategy', 'check', EXAMPLE, '--symbol', 'BTC/USDT']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`strategy ${EXAMPLE}#default: instruments:`);
    expect(run.stderr).toContain('exactly 2 instruments; 1 given');
  });
});

describe('a unit in a strategies file (loadStrategies)', () => {
  it('refuses a unit entry with the wrong number of instruments alone, naming the field', async () => {
    const example = EXAMPLE;
    const text = `
strategies:
  - module: ${example}
    id: pair-ok
    version: 0.1.0
    venue: binance
    instruments: [BTC/USDT, ETH/USDT]
  - module: ${example}
    id: pair-short
    version: 0.1.0
    venue: binance
    instruments: [BTC/USDT]
`;
    const loaded = await loadStrategies(text, 'test', { baseDir: '/' });
    expect(loaded.strategies.map((s) => s.id)).toEqual(['pair-ok']);
    expect(loaded.strategies[0]!.definition.unit).toEqual({ minInstruments: 2, maxInstruments: 2 });
    expect(loaded.refused).toHaveLength(1);
    expect(loaded.refused[0]).toMatchObject({ error: { code: 'STRATEGY_CHECK_FAILED', field: 'instruments' } });
  });
});
