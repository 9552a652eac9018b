// Errors the risk gate raises. Each sets `name`, carries a stable `code` and the offending value,
// so the shell can log it and count it by code without parsing text.

export const RiskGateErrorCode = {
  INVALID_LIMITS: 'INVALID_LIMITS',
} as const;
export type RiskGateErrorCode = (typeof RiskGateErrorCode)[keyof typeof RiskGateErrorCode];

/** One problem in a limits file: where (`strategies.sma-cross.maxPosition`) and what. */
export interface LimitsIssue {
  readonly path: string;
  readonly message: string;
}

/** The limits file does not parse or does not match the schema; lists every problem with its path. */
export class LimitsConfigError extends Error {
  override readonly name = 'LimitsConfigError';
  readonly code = RiskGateErrorCode.INVALID_LIMITS;
  constructor(
    readonly issues: readonly LimitsIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid risk limits: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, options);
  }

  /** What was offered: the issues, for callers that treat every error as `{ code, value }`. */
  get value(): readonly LimitsIssue[] {
    return this.issues;
  }
}

/** True when `error` is a LimitsConfigError; never throws. */
export function isLimitsConfigError(error: unknown): error is LimitsConfigError {
  return error instanceof LimitsConfigError;
}
