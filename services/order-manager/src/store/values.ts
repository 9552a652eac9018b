// Conversions between repository values and SQL parameters. Decimals go in as the strings they are
// (pg sends them as text, PostgreSQL parses them into numeric exactly) and come back as strings,
// which is pg's default for numeric. Times go in as epoch ms and are stored as timestamptz.

import { DECIMAL_PATTERN } from '@bourse/contracts';
import type { ZodType } from 'zod';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';

/** The INVALID_VALUE error every parameter check throws: the field, the offending value, what it must be. */
export function invalid(field: string, value: unknown, detail: string): OrderStoreError {
  return new OrderStoreError(
    OrderStoreErrorCode.INVALID_VALUE,
    `${field} ${JSON.stringify(value) ?? String(value)} ${detail}`,
    { field, value },
  );
}

/**
 * A decimal parameter. PostgreSQL would also accept `1e-7`, `NaN` or `Infinity` for numeric (and NaN
 * passes a `> 0` check), so the contracts' plain-decimal pattern is enforced here.
 */
export function decimalParam(field: string, value: string): string {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw invalid(field, value, 'must be a decimal string such as "123.45" (no exponent, no float)');
  }
  return value;
}

export function optionalDecimalParam(field: string, value: string | undefined): string | null {
  return value === undefined ? null : decimalParam(field, value);
}

/** Epoch milliseconds → Date for a timestamptz column (pg sends it with millisecond precision). */
export function timeParam(field: string, ms: number): Date {
  if (!Number.isSafeInteger(ms) || ms < 0) throw invalid(field, ms, 'must be epoch milliseconds (an integer ≥ 0)');
  return new Date(ms);
}

export function optionalTimeParam(field: string, ms: number | undefined): Date | null {
  return ms === undefined ? null : timeParam(field, ms);
}

export function msOf(date: Date): number {
  return date.getTime();
}

export function optionalMsOf(date: Date | null): number | undefined {
  return date === null ? undefined : date.getTime();
}

export function undefinedIfNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

/** Checks a value against a zod schema before it is written, naming the field and the first issue. */
export function checked<T>(field: string, schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new OrderStoreError(
      OrderStoreErrorCode.INVALID_VALUE,
      `${field} is invalid${where}: ${issue?.message ?? 'does not match its schema'}`,
      { field },
      { cause: result.error },
    );
  }
  return result.data;
}

/** Checks a row read back against its contract; a failure means the table holds something we never wrote. */
export function parsedRow<T>(what: string, key: string, schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new OrderStoreError(
      OrderStoreErrorCode.CORRUPT_ROW,
      `${what} ${key} does not pass its contract: ${result.error.issues[0]?.message ?? 'invalid'}`,
      { what, key },
      { cause: result.error },
    );
  }
  return result.data;
}
