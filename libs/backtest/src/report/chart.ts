import { escapeXml } from './format.js';

// Minimal SVG charting for the standalone equity.svg (a file any viewer opens, no script), and the
// thinning both it and the HTML report use. The HTML report's charts are lightweight-charts'.

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** A plot area inside an SVG of `width` × `height`, mapping data to pixels. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

const MARGIN = { left: 72, right: 16, top: 24, bottom: 28 };

/** A frame fitting `points` (with a little headroom), in an SVG of the given size. */
export function frameFor(points: readonly XY[], width: number, height: number, extraY: readonly number[] = []): Frame {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of points) {
    if (p.x < xMin) xMin = p.x;
    if (p.x > xMax) xMax = p.x;
    if (p.y < yMin) yMin = p.y;
    if (p.y > yMax) yMax = p.y;
  }
  for (const y of extraY) {
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (xMax === xMin) xMax = xMin + 1;
  const pad = yMax === yMin ? Math.abs(yMax) * 0.05 || 1 : (yMax - yMin) * 0.05;
  return {
    width,
    height,
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
    xMin,
    xMax,
    yMin: yMin - pad,
    yMax: yMax + pad,
  };
}

export function px(frame: Frame, x: number): number {
  return frame.left + ((x - frame.xMin) / (frame.xMax - frame.xMin)) * (frame.right - frame.left);
}

export function py(frame: Frame, y: number): number {
  return frame.bottom - ((y - frame.yMin) / (frame.yMax - frame.yMin)) * (frame.bottom - frame.top);
}

/** An SVG path `d` through the points. */
export function linePath(frame: Frame, points: readonly XY[]): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(frame, p.x).toFixed(1)},${py(frame, p.y).toFixed(1)}`)
    .join('');
}

/** Grid lines with time labels below and value labels at the left. */
export function axes(frame: Frame, formatY: (y: number) => string, ticks = 5): string {
  const parts: string[] = [];
  // Dates alone over spans of days or more; minutes otherwise.
  const dateOnly = frame.xMax - frame.xMin >= 3 * 86_400_000;
  for (let i = 0; i <= ticks; i += 1) {
    const y = frame.yMin + ((frame.yMax - frame.yMin) * i) / ticks;
    const yy = py(frame, y).toFixed(1);
    parts.push(
      `<line x1="${frame.left}" x2="${frame.right}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/>`,
      `<text x="${frame.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#4b5563">${escapeXml(formatY(y))}</text>`,
    );
    const x = frame.xMin + ((frame.xMax - frame.xMin) * i) / ticks;
    const xx = px(frame, x).toFixed(1);
    parts.push(
      `<text x="${xx}" y="${frame.bottom + 18}" text-anchor="${i === 0 ? 'start' : i === ticks ? 'end' : 'middle'}" font-size="11" fill="#4b5563">${escapeXml(timeLabel(x, dateOnly))}</text>`,
    );
  }
  parts.push(
    `<rect x="${frame.left}" y="${frame.top}" width="${frame.right - frame.left}" height="${frame.bottom - frame.top}" fill="none" stroke="#9ca3af"/>`,
  );
  return parts.join('');
}

function timeLabel(ms: number, dateOnly: boolean): string {
  const iso = new Date(Math.round(ms)).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/**
 * At most about `max` points, keeping each bucket's lowest and highest in time order, so a million-bar
 * curve draws as a small SVG without losing its peaks and troughs.
 */
export function downsample<T extends XY>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const out: T[] = [];
  for (let b = 0; b < buckets; b += 1) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i += 1) {
      if (points[i]!.y < points[lo]!.y) lo = i;
      if (points[i]!.y > points[hi]!.y) hi = i;
    }
    if (lo === hi) out.push(points[lo]!);
    else if (lo < hi) out.push(points[lo]!, points[hi]!);
    else out.push(points[hi]!, points[lo]!);
  }
  const last = points[points.length - 1]!;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/** Compact axis numbers: 1234567 → 1.23M, 0.000123 → 0.000123. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 1e3) return value.toFixed(0);
  if (abs >= 1 || abs === 0) return value.toFixed(2);
  return value.toPrecision(3);
}
