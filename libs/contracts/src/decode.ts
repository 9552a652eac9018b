import type { z } from 'zod';

export interface ContractIssue {
  /** Dotted path of the offending field, e.g. `legs.0.price`; empty for the message itself. */
  path: string;
  message: string;
}

/** A message that does not match its contract. Carries every issue with its path, never the raw payload. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  readonly code = 'CONTRACT_VIOLATION';
  constructor(
    readonly contract: string,
    readonly issues: ContractIssue[],
  ) {
    super(`${contract} is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export function isContractViolation(err: unknown): err is ContractViolationError {
  return err instanceof ContractViolationError;
}

/** Lists zod's issues as `path: message` pairs. */
export function contractIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Validates `value` against `schema`; returns the typed value or throws ContractViolationError naming every bad path. */
export function decodeMessage<S extends z.ZodType>(contract: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractViolationError(contract, contractIssues(result.error));
  return result.data;
}
