// The bounded version of `pnpm bench` in `pnpm test`: the harness runs three figures on a tiny time
// budget (BENCH_TIME_SCALE) and must print its one table and write its JSON report with the machine
// and the commit. Speed itself is never asserted here (that is `pnpm bench`'s job, as ratios to
// baselines measured in the same run); what is asserted is that every figure measured something and
// that each ratio is the value over the baseline it prints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'bourse-bench-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Report {
  machine: { cores: number; cpuModel: string; node: string };
  git: { commit?: string };
  rows: Array<{ figure: string; name: string; value: number; baseline?: number; ratio?: number; target: string }>;
  broken: unknown[];
}

describe('pnpm bench (bounded)', () => {
  it('prints one table and writes the report for the decimal, matching and backtest-quotes figures', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', 'decimal', 'matching', 'backtest-quotes'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, BENCH_TIME_SCALE: '0.02', BENCH_RESULTS_DIR: out },
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^fig +figure +value +baseline +ratio +target +met$/m);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Report;
    expect(report.broken).toEqual([]);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(report.rows.map((r) => r.figure))).toEqual(new Set(['4', '5', '6', '7']));
    for (const row of report.rows) {
      expect(Number.isFinite(row.value), row.name).toBe(true);
      expect(row.value, row.name).toBeGreaterThan(0);
      if (row.baseline !== undefined && row.ratio !== undefined && row.figure !== '7') {
        expect(row.ratio, row.name).toBeCloseTo(row.value / row.baseline, 6);
      }
    }
  }, 150_000);
});
