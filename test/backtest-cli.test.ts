import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinStrategy } from '@bourse/strategy';
import { readBarsCsv, runBacktest } from '@bourse/backtest';
import { bourse, bourseOnTerminal, scratch, wavyBarsCsv, type Scratch } from './backtest-support.js';

// `bourse backtest` as users script it: the --json contract, a --param sweep across worker threads
// (ranked, each run equal to the same backtest run in-process), bad flags (exit 2, flag named), and the
// progress bar (on a terminal only, never with --json).

let tmp: Scratch;
let data: string;

beforeAll(() => {
  tmp = scratch('bourse-backtest-cli-');
  data = tmp.file('wave.csv', wavyBarsCsv(200));
});
afterAll(() => tmp?.remove());

const STAT_KEYS = [
  'start',
  'end',
  'equityStart',
  'equityFinal',
  'equityPeak',
  'returnPct',
  'buyAndHoldReturnPct',
  'annualReturnPct',
  'annualVolatilityPct',
  'sharpe',
  'sortino',
  'calmar',
  'maxDrawdownPct',
  'maxDrawdownDays',
  'exposurePct',
  'tradeCount',
  'winRatePct',
  'bestTradePct',
  'worstTradePct',
  'avgTradePct',
  'profitFactor',
  'expectancyPct',
  'feesPaid',
];
const TRADE_KEYS = ['side', 'qty', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'returnPct', 'fees'];

async function inProcess(fast: number, slow: number) {
  return runBacktest(
    {
      strategy: builtinStrategy('sma-cross'),
      params: { fast, slow, timeframe: '1d', sizing: { kind: 'fraction', fraction: '1' }, mode: 'long-only' },
      symbol: 'ASSET/USD',
      cash: '10000',
      execution: { fill: 'next-open', makerFeeRate: '0.001', takerFeeRate: '0.001', lot: '1', tick: '0.01' },
      longShort: false,
      barMs: 86_400_000,
    },
    readBarsCsv(data),
  );
}

describe('bourse backtest', { timeout: 60_000 }, () => {
  it('--json prints { stats, trades } with the listed keys, equal to the in-process run', async () => {
    const run = await bourse([
      'backtest',
      '--data',
      data,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=5',
      '--param',
      'slow=20',
      '--cash',
      '10000',
      '--commission',
      '0.001',
      '--fill',
      'next-open',
      '--size',
      '1',
      '--lot',
      '1',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { stats: Record<string, unknown>; trades: Record<string, unknown>[] };
    expect(Object.keys(out).sort()).toEqual(['stats', 'trades']);
    expect(Object.keys(out.stats).sort()).toEqual([...STAT_KEYS].sort());
    expect(out.trades.length).toBeGreaterThan(3);
    for (const t of out.trades) expect(Object.keys(t).sort()).toEqual([...TRADE_KEYS].sort());
    const ref = await inProcess(5, 20);
    expect(out.stats['tradeCount']).toBe(ref.stats.tradeCount);
    expect(out.stats['equityFinal']).toBe(ref.stats.equityFinal);
    expect(out.trades.map((t) => t['pnl'])).toEqual(ref.trades.map((t) => t.pnl));
  });

  it('--param fast=2..5:3 sweeps across worker threads and ranks the runs', async () => {
    const args = [
      'backtest',
      '--data',
      data,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=2..5:3',
      '--param',
      'slow=10,20',
      '--commission',
      '0.001',
      '--lot',
      '1',
      '--workers',
      '2',
    ];
    const run = await bourse([...args, '--json', '--rank', 'returnPct']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      rank: string;
      skipped: number;
      runs: { params: { fast: number; slow: number }; stats: { returnPct: number; equityFinal: number } }[];
    };
    expect(out.rank).toBe('returnPct');
    expect(out.skipped).toBe(0);
    expect(out.runs.map((r) => `${r.params.fast}/${r.params.slow}`).sort()).toEqual(['2/10', '2/20', '5/10', '5/20']);
    const returns = out.runs.map((r) => r.stats.returnPct);
    expect(returns).toEqual([...returns].sort((a, b) => b - a));
    // Each worker's result is the same backtest run here.
    for (const r of out.runs.slice(0, 2)) {
      const ref = await inProcess(r.params.fast, r.params.slow);
      expect(r.stats.equityFinal).toBe(ref.stats.equityFinal);
    }
    const table = await bourse(args);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+fast\s+slow\s+returnPct\*\s+sharpe/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(new RegExp(`^1\\s+${out.runs[0]!.params.fast}\\s+${out.runs[0]!.params.slow}\\s`));
  });

  it('a sweep skips the combinations the strategy refuses, and says so', async () => {
    const run = await bourse([
      'backtest',
      '--data',
      data,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=5,15',
      '--param',
      'slow=10',
      '--workers',
      '1',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 combination(s) skipped');
  });

  it('a bad flag exits 2 with a message naming it (the rest: command.test.ts, in-process)', async () => {
    const run = await bourse(['backtest', '--data', data, '--strategy', 'sma-cross', '--fill', 'tomorrow']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--fill expects one of next-open, close, got "tomorrow"/);
    const refused = await bourse([
      'backtest',
      '--data',
      data,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=20',
      '--param',
      'slow=10',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--param: .*fast.*less than slow/);
  });

  it('draws a progress bar with rate and time left on a terminal, and none with --json', async () => {
    const args = ['backtest', '--data', data, '--strategy', 'sma-cross', '--param', 'fast=5', '--param', 'slow=20'];
    const shown = await bourseOnTerminal(args);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/backtest \[=+\] 100% \| 200\/200 \| \d+\/s \| ETA: 0s/);
    expect(shown.stdout).toMatch(/^Return \[%\]/m);
    const json = await bourseOnTerminal([...args, '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('backtest [');
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ stats: { tradeCount: expect.any(Number) } });
  }, 90_000);
});
