// Ordering of non-negative decimal strings without floats: book prices are compared as written.

/** Canonical form: no leading zeros in the integer part, no trailing zeros in the fraction. */
export function canonicalDecimal(value: string): string {
  const [rawInt = '0', rawFrac = ''] = value.split('.');
  const int = rawInt.replace(/^0+(?=\d)/, '');
  const frac = rawFrac.replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** Compares two non-negative decimal strings: negative when a < b, 0 when equal, positive when a > b. */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = canonicalDecimal(a).split('.');
  const [bi = '0', bf = ''] = canonicalDecimal(b).split('.');
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const ap = af.padEnd(width, '0');
  const bp = bf.padEnd(width, '0');
  return ap === bp ? 0 : ap < bp ? -1 : 1;
}

/** True for "0", "0.000", "-0.0". */
export function isZeroDecimal(value: string): boolean {
  return /^-?0+(\.0+)?$/.test(value);
}
