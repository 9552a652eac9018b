// Every error the strategy runner raises itself: each sets `name`, carries a stable `code` and the
// offending value (never a secret), so logs and metrics can sort them.

export const RunnerErrorCode = {
  INVALID_CONFIG: 'INVALID_CONFIG',
  INVALID_STRATEGIES_FILE: 'INVALID_STRATEGIES_FILE',
  LEASE_STORE_FAILED: 'LEASE_STORE_FAILED',
  LEASE_BUCKET_MISMATCH: 'LEASE_BUCKET_MISMATCH',
  STREAM_REPLAY_FAILED: 'STREAM_REPLAY_FAILED',
  BAR_REJECTED: 'BAR_REJECTED',
  HISTORY_UNAVAILABLE: 'HISTORY_UNAVAILABLE',
} as const;
export type RunnerErrorCode = (typeof RunnerErrorCode)[keyof typeof RunnerErrorCode];

export abstract class RunnerError extends Error {
  abstract readonly code: RunnerErrorCode;
  constructor(
    message: string,
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRunnerError(err: unknown, code?: RunnerErrorCode): err is RunnerError {
  return err instanceof RunnerError && (code === undefined || err.code === code);
}

/** A missing or malformed environment variable; `value` is the variable's name. */
export class RunnerConfigError extends RunnerError {
  override readonly name = 'RunnerConfigError';
  readonly code = RunnerErrorCode.INVALID_CONFIG;
}

/** The strategies file cannot be read or breaks its schema; `issues` name each path. */
export class StrategiesFileError extends RunnerError {
  override readonly name = 'StrategiesFileError';
  readonly code = RunnerErrorCode.INVALID_STRATEGIES_FILE;
  constructor(
    readonly file: string,
    readonly issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`strategies file ${file} is invalid: ${issues.join('; ')}`, file, options);
  }
}

/** The lease KV bucket answered with an error (not a lost race, which is an ordinary outcome). */
export class LeaseStoreError extends RunnerError {
  override readonly name = 'LeaseStoreError';
  readonly code = RunnerErrorCode.LEASE_STORE_FAILED;
}

/** The lease bucket exists with another TTL than configured: the safety bound would not hold. */
export class LeaseBucketMismatchError extends RunnerError {
  override readonly name = 'LeaseBucketMismatchError';
  readonly code = RunnerErrorCode.LEASE_BUCKET_MISMATCH;
}

/** Reading a JetStream stream from its start (executions, risk decisions) failed. */
export class StreamReplayError extends RunnerError {
  override readonly name = 'StreamReplayError';
  readonly code = RunnerErrorCode.STREAM_REPLAY_FAILED;
}

/** A closed bar handed to the core that is not one of its instrument, or repeats / precedes one delivered; `value` is the bar. */
export class BarRejectedError extends RunnerError {
  override readonly name = 'BarRejectedError';
  readonly code = RunnerErrorCode.BAR_REJECTED;
}

/** Venue history (klines) could not be read for a warm-up; `value` is what was asked for. */
export class HistoryUnavailableError extends RunnerError {
  override readonly name = 'HistoryUnavailableError';
  readonly code = RunnerErrorCode.HISTORY_UNAVAILABLE;
}

/** Message of any thrown value, for logs and reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
