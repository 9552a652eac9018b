// Figure 4b: `bourse backtest` as a user runs it — the whole command (start-up, reading and parsing the
// CSV, the run, the report) over a file of trade ticks and one of quotes, each as a short file (100 000
// events) and a long one (up to 1 100 000), in a child process. The rate is the marginal one,
// (long − short events) / (long − short seconds), so start-up does not count; the resident memory
// of the two runs shows whether the file is streamed (flat) or held. The long file is cut to what the
// short run's rate says fits the time budget (BENCH_FULL=1: always 1 100 000). Memory is read inside the
// child by bench/memory-probe.ts: the largest resident memory after a full GC, sampled every second.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteAt, tradeAt } from './backtest-data.js';
import { budgetSeconds, mib, seconds, type Row } from './table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHORT = 100_000;
const LONG = 1_100_000;
/** Resident memory after GC of the long run may exceed the short run's by this much (figure 4b's bound). */
const RSS_BOUND_MIB = 32;

type Kind = 'trades' | 'quotes';

function line(kind: Kind, i: number): string {
  if (kind === 'trades') {
    const t = tradeAt(i);
    return `${t.time},${t.price},${t.qty},${t.side},${t.id}\n`;
  }
  const q = quoteAt(i) as { time: number; bidPrice: string; bidQty: string; askPrice: string; askQty: string };
  return `${q.time},${q.bidPrice},${q.bidQty},${q.askPrice},${q.askQty}\n`;
}

async function writeCsv(path: string, kind: Kind, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(kind === 'trades' ? 'time,price,qty,side,id\n' : 'time,bid,bid_size,ask,ask_size\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += line(kind, i);
    if ((i & 8191) === 8191) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Runs `bourse backtest` on `file`: its wall time, peak RSS (VmHWM, read from /proc while it runs) and the probe's memory after GC. */
async function bourse(
  file: string,
  probe: string,
): Promise<{ seconds: number; peakRss: number; stdout: string; heapAfterGc: number; rssAfterGc: number }> {
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    '--import',
    join(root, 'bench/memory-probe.ts'),
    join(root, 'services/cli/src/main.ts'),
    'backtest',
    '--data',
    file,
    '--strategy',
    'sma-cross',
    '--param',
    'fast=10',
    '--param',
    'slow=30',
    '--long-short',
    '--commission',
    '0.001',
    '--lot',
    '0.00001',
    '--symbol',
    'BENCH/USD',
    '--cash',
    '100000',
    '--json',
  ];
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BOURSE_BENCH_MEMORY_PROBE: probe },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const poll = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((s) => {
        const m = /VmHWM:\s+(\d+) kB/.exec(s);
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      })
      .catch(() => undefined);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  const took = seconds(start);
  if (code !== 0) throw new Error(`bourse backtest ${file} exited ${code}: ${stderr.slice(0, 500)}`);
  const memory = JSON.parse(await readFile(probe, 'utf8')) as { maxHeapUsedAfterGc: number; maxRssAfterGc: number };
  return {
    seconds: took,
    peakRss: peak,
    stdout,
    heapAfterGc: memory.maxHeapUsedAfterGc,
    rssAfterGc: memory.maxRssAfterGc,
  };
}

async function figure(dir: string, kind: Kind, budget: number): Promise<Row[]> {
  const short = join(dir, `${kind}-short.csv`);
  await writeCsv(short, kind, SHORT);
  // Twice, keeping the faster: start-up on a shared machine varies by seconds, and the marginal rate
  // divides by the difference of two wall times.
  const s1 = await bourse(short, join(dir, `${kind}-short.memory.json`));
  const s2 = await bourse(short, join(dir, `${kind}-short.memory.json`));
  const s = s1.seconds <= s2.seconds ? s1 : s2;
  // The short run's rate, start-up included, underestimates the marginal one: the long file fits.
  const fits = Math.floor((SHORT / s.seconds) * budget);
  const nLong = Math.min(LONG, SHORT + Math.max(fits, SHORT));
  const long = join(dir, `${kind}-long.csv`);
  await writeCsv(long, kind, nLong);
  const l = await bourse(long, join(dir, `${kind}-long.memory.json`));
  await rm(long, { force: true });
  // When the long run took no longer than the short one, the machine's noise swamped the difference.
  const marginal = l.seconds > s.seconds ? (nLong - SHORT) / (l.seconds - s.seconds) : Number.NaN;
  const growth = mib(l.rssAfterGc - s.rssAfterGc);
  const trades = (out: string) => {
    try {
      return (JSON.parse(out) as { stats: { tradeCount?: number } }).stats.tradeCount ?? '?';
    } catch {
      return '?';
    }
  };
  return [
    {
      figure: '4b',
      name: `bourse backtest, ${kind} CSV, ${SHORT} → ${nLong} rows`,
      value: marginal,
      unit: 'events/s',
      target: '≥ 1M/s',
      ...(Number.isNaN(marginal) ? {} : { met: marginal >= 1e6 }),
      notes:
        `marginal rate; whole command ${s.seconds.toFixed(1)} s for ${SHORT}, ${l.seconds.toFixed(1)} s for ${nLong}` +
        `${nLong < LONG ? ` (long file cut to fit the time budget, of ${LONG})` : ''}; ${trades(l.stdout)} trades`,
    },
    {
      figure: '4b',
      name: `bourse backtest, ${kind} CSV, RSS after GC ${SHORT} → ${nLong} rows`,
      value: growth,
      unit: 'MiB',
      target: `≤ ${RSS_BOUND_MIB} MiB`,
      met: growth <= RSS_BOUND_MIB,
      notes:
        `largest RSS after a full GC (sampled each second) ${mib(s.rssAfterGc).toFixed(0)} MiB short, ` +
        `${mib(l.rssAfterGc).toFixed(0)} MiB long; heap used after GC ${mib(s.heapAfterGc).toFixed(0)} → ` +
        `${mib(l.heapAfterGc).toFixed(0)} MiB; peak RSS without forcing GC ${mib(s.peakRss).toFixed(0)} → ` +
        `${mib(l.peakRss).toFixed(0)} MiB (V8 lets the heap grow before collecting)`,
    },
  ];
}

export async function figures(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bourse-bench-'));
  try {
    const budget = budgetSeconds(80);
    return [...(await figure(dir, 'trades', budget)), ...(await figure(dir, 'quotes', budget))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
