// Exact decimal <-> integer conversion. Every amount inside the engine is an integer: prices in
// ticks and quantities in lots (JS numbers, kept within 2^53) and balances in units of 10^-18
// (bigint). Floats never touch an order field.

export const UNIT_DECIMALS = 18;
export const UNIT = 10n ** 18n;

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * "30000.01" → 30000010000000000000000n (units of 10^-18). Returns undefined for anything that is
 * not a plain non-negative decimal or that carries non-zero digits beyond 18 decimals.
 */
export function parseUnits(text: string): bigint | undefined {
  const m = PLAIN_DECIMAL.exec(text);
  if (m === null) return undefined;
  const int = m[1] as string;
  let frac = m[2] ?? '';
  if (frac.length > UNIT_DECIMALS) {
    if (!/^0*$/.test(frac.slice(UNIT_DECIMALS))) return undefined;
    frac = frac.slice(0, UNIT_DECIMALS);
  }
  return BigInt(int) * UNIT + BigInt(frac.padEnd(UNIT_DECIMALS, '0') || '0');
}

/** Units → decimal string with at least `minDecimals` fraction digits (Binance prints 8). */
export function formatUnits(units: bigint, minDecimals = 8): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const int = abs / UNIT;
  let frac = (abs % UNIT).toString().padStart(UNIT_DECIMALS, '0');
  let end = frac.length;
  while (end > minDecimals && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  const body = frac.length > 0 ? `${int}.${frac}` : int.toString();
  return negative ? `-${body}` : body;
}

/**
 * A decimal string as a whole number of grid steps (`gridUnits` = the step in units). Returns
 * undefined when malformed; NaN when off the grid; Infinity when beyond 2^53 steps.
 */
export function parseOnGrid(text: string, gridUnits: bigint, gridDecimals = -1): number | undefined {
  if (gridDecimals >= 0) {
    // Power-of-ten grid: shift the decimal point in the string, no bigint.
    const m = PLAIN_DECIMAL.exec(text);
    if (m === null) return undefined;
    let frac = m[2] ?? '';
    if (frac.length > gridDecimals) {
      if (!/^0*$/.test(frac.slice(gridDecimals)))
        return frac.length > UNIT_DECIMALS ? parseOnGridSlow(text, gridUnits) : NaN;
      frac = frac.slice(0, gridDecimals);
    }
    const digits = (m[1] as string) + frac.padEnd(gridDecimals, '0');
    if (digits.length <= 15) return Number(digits);
  }
  return parseOnGridSlow(text, gridUnits);
}

function parseOnGridSlow(text: string, gridUnits: bigint): number | undefined {
  const units = parseUnits(text);
  if (units === undefined) return undefined;
  if (units % gridUnits !== 0n) return NaN;
  const steps = units / gridUnits;
  return steps > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(steps);
}

/**
 * `steps` whole steps of 10^-decimals, written like `formatUnits` (at least 8 decimals), without
 * bigint arithmetic: prices and quantities on power-of-ten grids are formatted on every report.
 */
export function formatScaled(steps: number, decimals: number): string {
  let s = String(steps);
  if (s.length <= decimals) s = '0'.repeat(decimals - s.length + 1) + s;
  const int = s.slice(0, s.length - decimals);
  let frac = s.slice(s.length - decimals);
  if (frac.length < 8) frac += '00000000'.slice(frac.length);
  else {
    let end = frac.length;
    while (end > 8 && frac.charCodeAt(end - 1) === 48) end--;
    frac = frac.slice(0, end);
  }
  return `${int}.${frac}`;
}

/** k when `units` is 10^(18-k) with 0 ≤ k ≤ 18, else -1. */
export function powerOfTenDecimals(units: bigint): number {
  for (let k = 0; k <= UNIT_DECIMALS; k++) if (units === 10n ** BigInt(UNIT_DECIMALS - k)) return k;
  return -1;
}
