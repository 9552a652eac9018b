import { Decimal } from '@bourse/domain';
import type { BadRow } from '../errors.js';
import { clip } from '../errors.js';

// Field parsers shared by the bar and tick readers. A parser that meets a bad value throws a RowFault,
// which the row reader turns into a BadRow with the line number; it never leaves this library.

/** A problem with one row; internal: the reader converts it to a BadRow. */
export class RowFault extends Error {
  override readonly name = 'RowFault';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }

  toBadRow(line: number, text: string): BadRow {
    return { line, field: this.field, reason: this.reason, text: clip(text) };
  }
}

/** A decimal read from a file: the canonical exact string and a float copy for fast maths. */
export interface ParsedDecimal {
  readonly value: Decimal;
  readonly text: string;
  readonly num: number;
}

const SIMPLE = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const EXPONENT = /^([+-]?)(\d*)\.?(\d*)[eE]([+-]?\d{1,3})$/;

/**
 * Rewrites number text as a plain decimal (`1.5e+07` → `15000000`, `.5` → `0.5`, `+2.` → `2`) without
 * going through a float, so nothing is rounded. Returns undefined for anything that is not a number.
 */
export function toPlainDecimal(text: string): string | undefined {
  if (SIMPLE.test(text)) {
    let t = text.startsWith('+') ? text.slice(1) : text;
    const neg = t.startsWith('-');
    if (neg) t = t.slice(1);
    if (t.startsWith('.')) t = `0${t}`;
    if (t.endsWith('.')) t = t.slice(0, -1);
    t = t.replace(/^0+(?=\d)/, '');
    return neg ? `-${t}` : t;
  }
  const m = EXPONENT.exec(text);
  if (m === null) return undefined;
  const [, sign = '', intPart = '', fracPart = '', expText = '0'] = m;
  if (intPart === '' && fracPart === '') return undefined;
  const digits = `${intPart}${fracPart}`;
  // The decimal point moves from after intPart by the exponent.
  const point = intPart.length + Number(expText);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = `${digits}${'0'.repeat(point - digits.length)}`;
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return toPlainDecimal(sign === '-' ? `-${plain}` : plain);
}

/** Parses a number field exactly; throws RowFault when it is empty or not a number. */
export function parseDecimalField(field: string, raw: string | undefined): ParsedDecimal {
  if (raw === undefined || raw === '') throw new RowFault(field, 'is missing');
  const plain = toPlainDecimal(raw);
  if (plain === undefined) throw new RowFault(field, `${JSON.stringify(clip(raw))} is not a number`);
  const value = Decimal.parse(plain).normalize();
  const text = value.toString();
  return { value, text, num: Number(text) };
}

/** A price: a number above zero. */
export function parsePriceField(field: string, raw: string | undefined): ParsedDecimal {
  const parsed = parseDecimalField(field, raw);
  if (!parsed.value.isPositive()) throw new RowFault(field, `${parsed.text} must be above zero`);
  return parsed;
}

/** A quantity or volume: a number of zero or more. */
export function parseQtyField(field: string, raw: string | undefined): ParsedDecimal {
  const parsed = parseDecimalField(field, raw);
  if (parsed.value.isNegative()) throw new RowFault(field, `${parsed.text} must not be negative`);
  return parsed;
}

/** Lower case without blanks, underscores, dashes or dots: `Adj Close` → `adjclose`, `bid_qty` → `bidqty`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]+/g, '');
}
