// Conversions from what pg returns to the ledger's values. Decimals come back as the strings they
// were stored as (pg's default for numeric); timestamptz comes back as a Date and leaves as epoch ms;
// jsonb columns are checked against their schema, since a JSON column can hold anything.

import type { ZodType } from 'zod';
import { OrderStoreError, OrderStoreErrorCode } from './errors.js';

/** Epoch milliseconds → Date for a timestamptz parameter (pg sends it with millisecond precision). */
export function timeParam(field: string, ms: number): Date {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new OrderStoreError(
      OrderStoreErrorCode.INVALID_VALUE,
      `${field} ${JSON.stringify(ms) ?? String(ms)} must be epoch milliseconds (an integer ≥ 0)`,
      { field, value: ms },
    );
  }
  return new Date(ms);
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
