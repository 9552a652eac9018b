// Small text helpers shared by the reports.

import { tryDec } from '@bourse/domain';

/** Shown for a figure that is undefined (NaN: a profit factor with no losing trade, a ratio of 0/0). */
export const UNDEFINED_FIGURE = '—';

/** A figure for people: fixed decimals, `—` when undefined, `inf` when unbounded (as backtesting.py prints it). */
export function formatFigure(value: number, decimals = 2): string {
  if (Number.isNaN(value)) return UNDEFINED_FIGURE;
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value.toFixed(decimals);
}

/**
 * An amount of the quote asset to its precision (`decimals`), exact for a decimal string (half-even),
 * to the nearest for a number; `—` when undefined.
 */
export function formatMoney(value: number | string, decimals: number): string {
  if (typeof value === 'string') return tryDec(value)?.toFixed(decimals) ?? value;
  return Number.isFinite(value) ? value.toFixed(decimals) : formatFigure(value, decimals);
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
