import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '@bourse/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bourse, scratch, type Scratch } from './backtest-support.js';

// `bourse strategy new` and `bourse strategy check` as a user runs them, in a folder outside the
// repository (os.tmpdir): write a strategy, check it (load checks and a short backtest, decisions
// printed), backtest it with `bourse backtest --strategy <file>`, and check broken ones.

let tmp: Scratch;
beforeAll(() => {
  tmp = scratch('bourse-strategy-cli-');
});
afterAll(() => tmp?.remove());

describe('bourse strategy', { timeout: 60_000 }, () => {
  it('new writes a strategy and its test; check loads it and prints its decisions; backtest trades it', async () => {
    const made = await bourse(['strategy', 'new', 'dip-buyer', '--dir', join(tmp.dir, 'strategies')]);
    expect(made.code).toBe(0);
    const file = join(tmp.dir, 'strategies', 'dip-buyer.ts');
    expect(made.stdout).toContain(`wrote ${file}`);
    expect(readFileSync(join(tmp.dir, 'strategies', 'dip-buyer.test.ts'), 'utf8')).toContain(
      "module: './dip-buyer.ts'",
    );

    const again = await bourse(['strategy', 'new', 'dip-buyer', '--dir', join(tmp.dir, 'strategies')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; nothing written');

    const checked = await bourse(['strategy', 'check', file]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain(`ok: ${file}#default loads (dip-buyer 0.1.0)`);
    expect(checked.stdout).toContain('timeframes: 1m; warm-up: 20 × 1m');
    const decisions = checked.stdout.split('\n').filter((l) => / (BUY|SELL) \d/.test(l));
    expect(decisions.length).toBeGreaterThan(1);
    expect(decisions[0]).toMatch(/BUY 1 market .*close=\d+(\.\d+)? sma=/);

    const json = await bourse(['strategy', 'check', file, '--params', '{"qty":"2","period":10}', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { strategy: { params: { qty: string } }; decisions: { qty: string }[] };
    expect(report.strategy.params.qty).toBe('2');
    expect(report.decisions.length).toBeGreaterThan(0);
    expect(report.decisions[0]?.qty).toBe('2');

    const csv = tmp.file(
      'minutes.csv',
      [
        'time,open,high,low,close,volume',
        ...Array.from({ length: 240 }, (_, i) => {
          const close = (100 + 10 * Math.sin((2 * Math.PI * i) / 40)).toFixed(2);
          return `${Date.UTC(2024, 0, 1) + i * 60_000},${close},${close},${close},${close},10`;
        }),
      ].join('\n'),
    );
    const run = await bourse(['backtest', '--data', csv, '--strategy', file, '--lot', '1', '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { stats: { tradeCount: number } }).stats.tradeCount).toBeGreaterThan(0);
  });

  it('check refuses a strategy with a bad param or a forbidden import (exit 1, field named)', async () => {
    const made = await bourse(['strategy', 'new', 'bad-one', '--dir', tmp.dir]);
    expect(made.code).toBe(0);
    const file = join(tmp.dir, 'bad-one.ts');
    const params = await bourse(['strategy', 'check', file, '--params', '{"period":1}']);
    expect(params.code).toBe(1);
    expect(params.stderr).toContain(`strategy ${file}#default: params.period:`);
    const leaky = tmp.file(
      'leaky.ts',
      `import { spawn } from 'node:child_process';\nvoid spawn;\nexport const x = 1;\n`,
    );
    const imports = await bourse(['strategy', 'check', leaky]);
    expect(imports.code).toBe(1);
    expect(imports.stderr).toContain(`strategy ${leaky}#default: imports: imports "node:child_process"`);
  });

  it('the test `strategy new` writes passes, run with vitest from a folder inside the checkout', async () => {
    // A folder of its own at the root (vitest has collected this run's files already, so no other run
    // of this worktree picks it up), removed afterwards.
    const inside = mkdtempSync(join(repoRoot(), 'strategies-test-'));
    try {
      const made = await bourse(['strategy', 'new', 'wave-rider', '--dir', inside]);
      expect(made.code).toBe(0);
      const run = spawnSync(
        join(repoRoot(), 'node_modules', '.bin', 'vitest'),
        ['run', relative(repoRoot(), join(inside, 'wave-rider.test.ts'))],
        { cwd: repoRoot(), encoding: 'utf8', timeout: 50_000 },
      );
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/1 passed/);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });
});
