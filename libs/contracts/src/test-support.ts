import type { z } from 'zod';
import { decodeMessage, isContractViolation } from './decode.js';

// Shared by the *.test.ts files of this package only; not part of the public entry.

/** Decodes `value` and returns the paths of every issue; throws if the value was accepted. */
export function violationPaths(schema: z.ZodType, value: unknown): string[] {
  try {
    decodeMessage('Test', schema, value);
  } catch (err) {
    if (isContractViolation(err)) return err.issues.map((issue) => issue.path);
    throw err;
  }
  throw new Error(`expected a contract violation, but ${JSON.stringify(value)} was accepted`);
}

/** A copy of `base` with the given fields replaced; `undefined` removes a field. */
export function withFields<T extends Record<string, unknown>>(
  base: T,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}
