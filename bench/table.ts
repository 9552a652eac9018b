// One row of `pnpm bench`'s table: a figure of the issue (issue 22), its value, the baseline measured
// in the same run, their ratio and the target. A missed target is reported, never an exit code.

export interface Row {
  /** The figure number: '4', '4b', '5', '6', '7', 'bus'. */
  figure: string;
  /** What was measured, with its count (events, orders) so a capped run says so. */
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run (undefined when the figure has none). */
  baseline?: number;
  baselineName?: string;
  /** value / baseline, or the ratio the figure defines. */
  ratio?: number;
  /** The target in words, e.g. "≥ 0.3× and ≥ 1 000 000/s"; '—' when the issue sets none. */
  target: string;
  /** undefined: no target to meet. */
  met?: boolean;
  /** Anything the reader needs to trust the figure (counts, caps, trades on both sides). */
  notes?: string;
}

export function rate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return n.toFixed(0);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function formatTable(rows: Row[]): string {
  const head = ['fig', 'figure', 'value', 'baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.figure,
    r.name,
    `${rate(r.value)} ${r.unit}`,
    r.baseline === undefined ? '—' : `${rate(r.baseline)} (${r.baselineName ?? 'baseline'})`,
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.met === undefined ? '—' : r.met ? 'met' : 'NOT MET',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  const notes = rows.filter((r) => r.notes !== undefined).map((r) => `  [${r.figure}] ${r.name}: ${r.notes}`);
  if (notes.length > 0) out.push('', 'notes:', ...notes);
  return out.join('\n');
}

/** Seconds a figure may run before it stops feeding events and reports what it got (BENCH_FULL=1: no cap). */
export function budgetSeconds(defaultSeconds: number): number {
  if (process.env.BENCH_FULL === '1') return Number.POSITIVE_INFINITY;
  const scale = Number(process.env.BENCH_TIME_SCALE ?? '1');
  return defaultSeconds * (Number.isFinite(scale) && scale > 0 ? scale : 1);
}

export function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export function mib(bytes: number): number {
  return bytes / (1024 * 1024);
}
