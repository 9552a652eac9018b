// Cross-field rules (min ≤ max, bid < ask, drift ≤ tolerance) need to order two decimal strings.
// Contracts stay free of a decimal library, so this compares the digits exactly, as text.
// Inputs must already match DECIMAL_PATTERN; the schemas check that before any refinement runs.

function split(value: string): { negative: boolean; int: string; frac: string } {
  const negative = value.startsWith('-');
  const unsigned = negative ? value.slice(1) : value;
  const [int = '0', frac = ''] = unsigned.split('.');
  return { negative, int, frac: frac.replace(/0+$/, '') };
}

function compareMagnitude(a: { int: string; frac: string }, b: { int: string; frac: string }): -1 | 0 | 1 {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(width, '0');
  const fb = b.frac.padEnd(width, '0');
  if (fa === fb) return 0;
  return fa < fb ? -1 : 1;
}

function isZeroParts(p: { int: string; frac: string }): boolean {
  return p.int === '0' && p.frac === '';
}

/** -1, 0 or 1 as `a` is below, equal to or above `b` ("1.50" equals "1.5", "-0" equals "0"). */
export function compareDecimalStrings(a: string, b: string): -1 | 0 | 1 {
  const pa = split(a);
  const pb = split(b);
  const negA = pa.negative && !isZeroParts(pa);
  const negB = pb.negative && !isZeroParts(pb);
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitude(pa, pb);
  return negA ? ((-magnitude || 0) as -1 | 0 | 1) : magnitude;
}

export function isZeroDecimal(value: string): boolean {
  return isZeroParts(split(value));
}
