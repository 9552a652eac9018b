import type { EquityPoint } from '../types.js';
import { axes, compactNumber, downsample, frameFor, linePath, type XY } from './chart.js';
import { escapeXml } from './format.js';

export interface EquitySvgOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  /** Most points drawn; the curve is thinned past this, keeping each stretch's high and low. Default 2000. */
  readonly maxPoints?: number;
}

export const DEFAULT_MAX_POINTS = 2000;

/**
 * A standalone SVG of the equity curve, for CI artefacts and terminals that show images: the equity
 * line under its dashed running peak (the gap between them is the drawdown), with time and value
 * axes. No script, no external reference.
 */
export function equityCurveSvg(curve: readonly EquityPoint[], options: EquitySvgOptions = {}): string {
  const width = options.width ?? 800;
  const height = options.height ?? 320;
  const title = options.title ?? 'Equity';
  const max = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const points = downsample(equityPoints(curve), max);
  const peaks = downsample(peakPoints(curve), max);
  const frame = frameFor(points, width, height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${frame.left}" y="16" font-size="13" fill="#111827">${escapeXml(title)}</text>`,
    axes(frame, compactNumber),
    `<path d="${linePath(frame, peaks)}" fill="none" stroke="#fca5a5" stroke-width="1" stroke-dasharray="3 2"/>`,
    `<path class="equity-line" d="${linePath(frame, points)}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`,
    '</svg>',
  ].join('\n');
}

/** Equity against time, for charts. */
export function equityPoints(curve: readonly EquityPoint[]): XY[] {
  return curve.map((p) => ({ x: p.time, y: p.equity }));
}

/** The running peak of equity against time. */
export function peakPoints(curve: readonly EquityPoint[]): XY[] {
  let peak = -Infinity;
  return curve.map((p) => {
    if (p.equity > peak) peak = p.equity;
    return { x: p.time, y: peak };
  });
}

/** Drawdown from the running peak, in negative percent, against time. */
export function drawdownPoints(curve: readonly EquityPoint[]): XY[] {
  let peak = -Infinity;
  return curve.map((p) => {
    if (p.equity > peak) peak = p.equity;
    return { x: p.time, y: (p.equity / peak - 1) * 100 };
  });
}
