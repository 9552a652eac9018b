// Which exact decimal type libs/domain uses: our bigint fixed-point `Decimal` against decimal.js and
// big.js, on the operations an order path performs (parse a wire string, add, multiply, compare,
// round to the tick, print). The decision and the figures are recorded in libs/domain/README.md.
// The libraries are loaded from libs/domain when still installed; after the decision they are not
// dependencies any more and their rows are skipped with a note.
import { createRequire } from 'node:module';
import { Decimal } from '@bourse/domain';
import { measure, type BenchResult } from './measure.js';
import type { Row } from './table.js';

/** The slice of decimal.js / big.js this benchmark calls, typed structurally (neither is a root dependency). */
interface LibNumber {
  plus(o: LibNumber): LibNumber;
  times(o: LibNumber): LibNumber;
  cmp(o: LibNumber): number;
  toFixed(): string;
}
interface Candidate {
  name: string;
  parse(s: string): unknown;
  add(a: unknown, b: unknown): unknown;
  mul(a: unknown, b: unknown): unknown;
  cmp(a: unknown, b: unknown): number;
  floorToTick(a: unknown, tick: unknown): unknown;
  print(a: unknown): string;
}

const N = 1024;
const prices = Array.from(
  { length: N },
  (_, i) => `${27000 + ((i * 37) % 5000)}.${String((i * 7919) % 100).padStart(2, '0')}`,
);
const qtys = Array.from({ length: N }, (_, i) => `0.${String(100 + ((i * 104729) % 99000)).padStart(5, '0')}`);
const TICK = '0.05';
/** Results land here so the engine cannot drop the work as dead code. */
const sink: unknown[] = [undefined, undefined];

function ours(): Candidate {
  const d = (x: unknown) => x as Decimal;
  return {
    name: 'bigint Decimal (ours)',
    parse: (s) => Decimal.parse(s),
    add: (a, b) => d(a).plus(d(b)),
    mul: (a, b) => d(a).times(d(b)),
    cmp: (a, b) => d(a).cmp(d(b)),
    floorToTick: (a, t) => d(a).roundToMultiple(d(t), 'floor'),
    print: (a) => d(a).toString(),
  };
}

function library(name: string, pkg: string): Candidate | string {
  // The candidate libraries are root devDependencies, kept only so this comparison can be rerun.
  const req = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = req(pkg);
  } catch (error) {
    return `${name}: not installed (${(error as Error).message.split('\n')[0]})`;
  }
  const m = mod as { default?: unknown };
  const Ctor = (m.default ?? mod) as { new (s: string): LibNumber; ROUND_DOWN?: number; roundDown?: number };
  const n = (x: unknown) => x as LibNumber;
  const floorToTick =
    pkg === 'decimal.js'
      ? (a: unknown, t: unknown) =>
          (a as { toNearest(t: unknown, mode: number): LibNumber }).toNearest(
            t,
            (Ctor as { ROUND_DOWN: number }).ROUND_DOWN,
          )
      : (a: unknown, t: unknown) =>
          (a as { div(t: unknown): { round(dp: number, rm: number): LibNumber } }).div(t).round(0, 0).times(n(t));
  return {
    name,
    parse: (s) => new Ctor(s),
    add: (a, b) => n(a).plus(n(b)),
    mul: (a, b) => n(a).times(n(b)),
    cmp: (a, b) => n(a).cmp(n(b)),
    floorToTick,
    print: (a) => n(a).toFixed(),
  };
}

function suite(c: Candidate): Record<string, BenchResult> {
  const ps = prices.map(c.parse);
  const qs = qtys.map(c.parse);
  const tick = c.parse(TICK);
  // Check the candidate computes what ours does before timing it.
  const reference = (k: Candidate) =>
    k.print(k.floorToTick(k.add(k.parse(prices[1]!), k.mul(k.parse(prices[2]!), k.parse(qtys[3]!))), k.parse(TICK)));
  if (reference(c) !== reference(ours()))
    throw new Error(`${c.name} disagrees: ${reference(c)} vs ${reference(ours())}`);
  const batch = { opsPerCall: N, targetMs: 250 };
  const r = {
    parse: measure(
      `${c.name}: parse`,
      () => {
        for (let i = 0; i < N; i++) sink[0] = c.parse(prices[i]!);
      },
      batch,
    ),
    add: measure(
      `${c.name}: add`,
      () => {
        for (let i = 0; i < N; i++) sink[0] = c.add(ps[i], ps[(i + 1) % N]);
      },
      batch,
    ),
    mul: measure(
      `${c.name}: mul`,
      () => {
        for (let i = 0; i < N; i++) sink[0] = c.mul(ps[i], qs[i]);
      },
      batch,
    ),
    compare: measure(
      `${c.name}: compare`,
      () => {
        for (let i = 0; i < N; i++) sink[1] = c.cmp(ps[i], ps[(i + 7) % N]);
      },
      batch,
    ),
    roundToTick: measure(
      `${c.name}: round to tick`,
      () => {
        for (let i = 0; i < N; i++) sink[0] = c.floorToTick(ps[i], tick);
      },
      batch,
    ),
    toString: measure(
      `${c.name}: toString`,
      () => {
        for (let i = 0; i < N; i++) sink[0] = c.print(ps[i]);
      },
      batch,
    ),
  };
  return r;
}

export async function figures(): Promise<Row[]> {
  const candidates = [ours(), library('decimal.js', 'decimal.js'), library('big.js', 'big.js')];
  const results = new Map<string, Record<string, BenchResult>>();
  const skipped: string[] = [];
  for (const c of candidates) {
    if (typeof c === 'string') skipped.push(c);
    else results.set(c.name, suite(c));
  }
  const mine = results.get('bigint Decimal (ours)')!;
  const rows: Row[] = [];
  // One row per operation and library: our rate, the library's as the baseline, ours / theirs.
  for (const [name, other] of results) {
    if (other === mine) continue;
    for (const op of Object.keys(mine)) {
      rows.push({
        figure: '7',
        name: `Decimal ${op}: ours vs ${name}`,
        value: mine[op]!.opsPerSec,
        unit: 'ops/s',
        baseline: other[op]!.opsPerSec,
        baselineName: name,
        ratio: mine[op]!.opsPerSec / other[op]!.opsPerSec,
        target: '— (comparison)',
      });
    }
  }
  if (skipped.length > 0)
    rows.push({
      figure: '7',
      name: 'Decimal: libraries skipped',
      value: 0,
      unit: '',
      target: '—',
      notes: skipped.join('; '),
    });
  return rows;
}
