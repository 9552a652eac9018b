// Errors the reconciler core raises. Each sets `name`, carries a stable `code`, the field and the
// offending value, so the shell can log and count it without parsing the text.

export const ReconcileErrorCode = {
  INVALID_INPUT: 'RECONCILE_INVALID_INPUT',
} as const;
export type ReconcileErrorCode = (typeof ReconcileErrorCode)[keyof typeof ReconcileErrorCode];

/** A config or input value the core cannot work with (malformed decimal, bad config field, …). */
export class ReconcileInputError extends Error {
  override readonly name = 'ReconcileInputError';
  readonly code = ReconcileErrorCode.INVALID_INPUT;
  constructor(
    readonly field: string,
    readonly value: unknown,
    detail: string,
    cause?: unknown,
  ) {
    super(`${field} is invalid: ${detail}`, cause === undefined ? undefined : { cause });
  }
}

export function isReconcileInputError(error: unknown): error is ReconcileInputError {
  return error instanceof ReconcileInputError;
}
