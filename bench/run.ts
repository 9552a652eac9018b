// `pnpm bench`: runs every bench/*.bench.ts (or those whose file name contains an argument: `pnpm bench
// backtest-quotes`), prints one table of figure, value, baseline, ratio, target, met, and writes it to
// bench/results/latest.json with the machine and the commit. A missed target is a row, not a failure;
// the exit code is non-zero only when a benchmark itself broke (its error is printed and the rest run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { formatTable, seconds, type Row } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

if (files.length === 0) {
  console.error(`bench: no benchmark matches ${only.join(', ') || '*.bench.ts'} in ${here}`);
  process.exit(1);
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const started = process.hrtime.bigint();
const startedAt = new Date().toISOString();
const load = loadavg();
const rows: Row[] = [];
const broken: { file: string; error: string }[] = [];
for (const file of files) {
  const t = process.hrtime.bigint();
  console.error(`bench: ${file} …`);
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { figures?: () => Promise<Row[]> };
    if (typeof mod.figures !== 'function') throw new Error(`${file} does not export figures()`);
    const got = await mod.figures();
    rows.push(...got);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`bench: ${file} broke: ${message}`);
    broken.push({ file, error: message.split('\n')[0] ?? '' });
  }
  console.error(`bench: ${file} done in ${seconds(t).toFixed(1)} s`);
}

const total = seconds(started);
const cpu = cpus();
const report = {
  startedAt,
  seconds: Number(total.toFixed(1)),
  only: only.length > 0 ? only : undefined,
  machine: {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverageAtStart: load.map((l) => Number(l.toFixed(2))),
  },
  git: {
    commit: git('rev-parse', 'HEAD'),
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    dirty: (git('status', '--porcelain') ?? '') !== '',
  },
  rows,
  broken,
};

console.log(
  `\nbourse bench — ${report.machine.cores} cores (${report.machine.cpuModel}), Node ${report.machine.node}, ` +
    `commit ${report.git.commit?.slice(0, 10) ?? '?'}${report.git.dirty ? ' (dirty)' : ''}, load ${load.map((l) => l.toFixed(1)).join(' ')}, ${total.toFixed(0)} s\n`,
);
console.log(formatTable(rows));
for (const b of broken) console.log(`\nBROKEN: ${b.file}: ${b.error}`);
// BENCH_RESULTS_DIR: elsewhere than bench/results (the bounded run in `pnpm test` keeps a user's latest).
const dir = process.env.BENCH_RESULTS_DIR ?? join(here, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nwritten: ${process.env.BENCH_RESULTS_DIR === undefined ? join('bench', 'results', 'latest.json') : join(dir, 'latest.json')}`,
);
process.exitCode = broken.length > 0 ? 1 : 0;
