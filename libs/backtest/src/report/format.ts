// Small text helpers shared by the reports.

/** A figure for people: fixed decimals, `NaN` and `inf` spelled out as backtesting.py prints them. */
export function formatFigure(value: number, decimals = 2): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value.toFixed(decimals);
}

/** ISO 8601 UTC, shortened to the date when the time is midnight (daily bars). */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

/** A JSON-safe number: NaN and ±Infinity (which JSON cannot hold) become null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
