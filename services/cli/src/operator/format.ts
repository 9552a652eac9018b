// Plain-text rendering shared by the operator commands: aligned tables for a person, and short
// human durations. JSON output is each command's own data passed to JSON.stringify.

/** Columns padded to the widest cell; numbers-looking columns are right-aligned. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNumber = (c: string) => /^[-+]?\d[\d.]*$/.test(c);
  const numeric = headers.map(
    (_, i) => rows.some((r) => isNumber(r[i] ?? '')) && rows.every((r) => isNumber(r[i] ?? '') || r[i] === '-'),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `850ms`, `12s`, `4m05s`, `3h02m`, `2d04h`. */
export function formatAge(ms: number): string {
  if (ms < 0) return `in ${formatAge(-ms)}`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The failure of a server call, as one line for an error message. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
