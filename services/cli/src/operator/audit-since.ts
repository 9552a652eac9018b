// `bourse audit --since`: kept apart from audit.ts so parsing flags loads no database driver.

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: a duration back from now (`30m`, `2h`, `7d`) or an ISO date/time. Undefined when not understood. */
export function parseSince(value: string, now: number): number | undefined {
  const d = DURATION.exec(value);
  if (d !== null) return now - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS];
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}
