import { tryDec, type Decimal } from '@bourse/domain';
import { ReconcileInputError } from './errors.js';

/** Parses a decimal string from the input; throws ReconcileInputError naming the field (never a float). */
export function amount(field: string, text: string): Decimal {
  const value = tryDec(text);
  if (value === undefined) throw new ReconcileInputError(field, text, 'must be a decimal string such as "1.25"');
  return value;
}

/**
 * Orders venue ids as the venue issued them: numerically when both are integers, or integers under
 * the same `<prefix>:` (the Binance adapter's fill ids are `BTCUSDT:12345`, numbered per symbol),
 * else as text.
 */
export function compareIds(a: string, b: string): number {
  const x = splitId(a);
  const y = splitId(b);
  if (x && y && x.prefix === y.prefix) return x.n < y.n ? -1 : x.n > y.n ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The venue's own trade number in a fill id (`BTCUSDT:12345` → `12345`, `12345` → `12345`), or undefined. */
export function tradeNumber(venueFillId: string): string | undefined {
  return splitId(venueFillId)?.n.toString();
}

function splitId(id: string): { prefix: string; n: bigint } | undefined {
  const m = /^(?:(.*):)?(\d+)$/.exec(id);
  if (!m || m[2] === undefined) return undefined;
  return { prefix: m[1] ?? '', n: BigInt(m[2]) };
}

export function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
