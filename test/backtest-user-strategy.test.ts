import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bourse, scratch, wavyBarsCsv, type Scratch } from './backtest-support.js';

// `bourse backtest --strategy <file>` with a user's own strategy written into a folder outside the
// repository (os.tmpdir, no node_modules of ours): one run, a sweep on worker threads, and a strategy
// that imports I/O refused before it runs.

let tmp: Scratch;
let data: string;
let strategy: string;

/** Mean reversion on closes: buy below the SMA by `band`, sell back at the SMA. Its own params only. */
export const MEAN_REVERT = `
import { z } from 'zod';
import { defineStrategy, Sma, TimeframeLabel } from '@bourse/strategy';

export const meanRevert = defineStrategy({
  name: 'mean-revert',
  version: '0.1.0',
  params: z.strictObject({
    period: z.number().int().min(2).default(10),
    band: z.number().positive().default(0.03),
    qty: z.string().default('10'),
    timeframe: TimeframeLabel.default('1d'),
  }),
  timeframes: (p) => [p.timeframe],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(p) {
    const sma = new Sma(p.period);
    return {
      onBar(bar, ctx) {
        const mean = sma.update(bar.close);
        if (mean === undefined) return [];
        const held = Number(ctx.position(bar.symbol).qty);
        const inputs = { close: String(bar.close), sma: mean.toFixed(4) };
        if (held === 0 && bar.close < mean * (1 - p.band)) {
          return [{ instrument: bar.symbol, side: 'BUY', qty: p.qty, style: 'market', inputs }];
        }
        if (held > 0 && bar.close >= mean) {
          return [{ instrument: bar.symbol, side: 'SELL', qty: String(held), style: 'market', reduceOnly: true, inputs }];
        }
        return [];
      },
    };
  },
});
`;

beforeAll(() => {
  tmp = scratch('bourse-user-strategy-');
  data = tmp.file('wave.csv', wavyBarsCsv(200));
  strategy = tmp.file('mean-revert.ts', MEAN_REVERT);
});
afterAll(() => tmp?.remove());

interface JsonRun {
  stats: { tradeCount: number; returnPct: number };
  trades: { side: string; qty: string }[];
}

describe('bourse backtest --strategy <file>', { timeout: 60_000 }, () => {
  it('backtests a TypeScript strategy file from outside the repository, and it trades', async () => {
    const run = await bourse(['backtest', '--data', data, '--strategy', strategy, '--lot', '1', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonRun;
    expect(report.stats.tradeCount).toBeGreaterThan(0);
    expect(report.trades.length).toBe(report.stats.tradeCount);
    expect(report.trades.every((t) => t.side === 'BUY' && t.qty === '10')).toBe(true);
  });

  it('names the export with #name and sweeps its params on worker threads', async () => {
    const run = await bourse([
      'backtest',
      '--data',
      data,
      '--strategy',
      `${strategy}#meanRevert`,
      '--param',
      'period=5..15:5',
      '--lot',
      '1',
      '--workers',
      '2',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const sweep = JSON.parse(run.stdout) as {
      runs: { params: Record<string, number>; stats?: { tradeCount: number } }[];
    };
    expect(sweep.runs.map((r) => r.params['period']).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([5, 10, 15]);
    // Every run ran in a worker (stats, no error); the 10-bar run trades as the single run above does.
    for (const r of sweep.runs) expect(r.stats).toBeDefined();
    expect(sweep.runs.find((r) => r.params['period'] === 10)?.stats?.tradeCount).toBeGreaterThan(0);
  });

  it('refuses a strategy file that imports I/O, or does not exist, before running (exit 2, file named)', async () => {
    const leaky = tmp.file('leaky.ts', `import { request } from 'node:http';\nvoid request;\n${MEAN_REVERT}`);
    const run = await bourse(['backtest', '--data', data, '--strategy', leaky]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--strategy: strategy ${leaky}#default: imports: imports "node:http"`);
    const missing = await bourse(['backtest', '--data', data, '--strategy', `${tmp.dir}/nope.ts`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${tmp.dir}/nope.ts#default: module: no such file`);
  });
});
