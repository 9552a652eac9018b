import { tryDec, type Decimal } from '@bourse/domain';
import { ReconcileInputError } from './errors.js';

/** Parses a decimal string from the input; throws ReconcileInputError naming the field (never a float). */
export function amount(field: string, text: string): Decimal {
  const value = tryDec(text);
  if (value === undefined) throw new ReconcileInputError(field, text, 'must be a decimal string such as "1.25"');
  return value;
}

/** Orders venue ids as the venue issued them: numerically when both are integers (Binance), else as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
