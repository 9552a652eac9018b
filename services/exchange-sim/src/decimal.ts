// Exact decimal arithmetic for the protocol layer: filters, notional checks and Binance's
// fixed 8-decimal formatting. A scaled BigInt is enough here and keeps floats out of every
// order field; the matching engine does its own arithmetic on the same decimal strings.

const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const LOOSE_DECIMAL = /^[0-9]+(\.[0-9]*)?$|^\.[0-9]+$/;

export class InvalidDecimalError extends Error {
  override readonly name = 'InvalidDecimalError';
  readonly code = 'INVALID_DECIMAL';
  constructor(readonly value: string) {
    super(`not a non-negative decimal: "${value}"`);
  }
}

/** A non-negative decimal as `units / 10^scale`. */
export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

/** Whether `s` is a decimal Binance would accept in a quantity or price field ("1", "0.1", "1.", ".5"). */
export function isDecimalText(s: string): boolean {
  return LOOSE_DECIMAL.test(s) && s.length <= 40;
}

export function dec(s: string): Dec {
  if (!isDecimalText(s)) throw new InvalidDecimalError(s);
  const [whole = '', frac = ''] = s.split('.');
  const units = BigInt((whole === '' ? '0' : whole) + frac);
  return { units, scale: frac.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

export function cmp(a: Dec, b: Dec): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function add(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

/** a - b, clamped at zero is the caller's business: negative results keep their sign. */
export function sub(a: Dec, b: Dec): Dec {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function mul(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function isZero(a: Dec): boolean {
  return a.units === 0n;
}

/** Whether `(value - base)` is a whole multiple of `step` (Binance's tickSize / stepSize rule). */
export function isMultipleOf(value: Dec, base: Dec, step: Dec): boolean {
  if (isZero(step)) return true;
  const diff = sub(value, base);
  const [d, s] = align(diff, step);
  return d % s === 0n;
}

/** a / b rounded down to `scale` decimals. */
export function divDown(a: Dec, b: Dec, scale: number): Dec {
  if (b.units === 0n) throw new InvalidDecimalError('division by zero');
  // a/b = (a.units / 10^a.scale) / (b.units / 10^b.scale)
  const num = a.units * 10n ** BigInt(scale + b.scale);
  const den = b.units * 10n ** BigInt(a.scale);
  return { units: num / den, scale };
}

/** Round down to a multiple of `step` (e.g. a lot size). */
export function floorToStep(value: Dec, step: Dec): Dec {
  if (isZero(step)) return value;
  const [v, s, scale] = align(value, step);
  return { units: (v / s) * s, scale };
}

/** Plain text, trailing zeros trimmed: "0.1", "12", "0". */
export function toPlain(a: Dec): string {
  const negative = a.units < 0n;
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const whole = digits.slice(0, digits.length - a.scale);
  const frac = digits.slice(digits.length - a.scale).replace(/0+$/, '');
  return (negative ? '-' : '') + whole + (frac === '' ? '' : `.${frac}`);
}

/** Binance prints prices and quantities with exactly 8 decimals ("0.10000000"). */
export function toFixed8(a: Dec | string): string {
  const d = typeof a === 'string' ? dec(a) : a;
  const negative = d.units < 0n;
  const abs = negative ? -d.units : d.units;
  let scaled: bigint;
  if (d.scale <= 8) scaled = abs * 10n ** BigInt(8 - d.scale);
  else scaled = abs / 10n ** BigInt(d.scale - 8);
  const digits = scaled.toString().padStart(9, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -8)}.${digits.slice(-8)}`;
}

/** Normalise any accepted decimal text into the engine's plain form ("1." → "1", ".5" → "0.5"). */
export function normalise(s: string): string {
  return toPlain(dec(s));
}

export function isPlainDecimal(s: string): boolean {
  return PLAIN_DECIMAL.test(s);
}

export const ZERO: Dec = { units: 0n, scale: 0 };
