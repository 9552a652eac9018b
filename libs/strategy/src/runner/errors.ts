// Errors of the strategy runner: each sets `name`, carries a stable `code` and the offending value
// (never a secret), so logs and metrics can sort them. The codes are one list for the core here and
// the strategy runner service, whose own errors (config, leases, stream replay, venue history) extend
// `RunnerError` too, so one `isRunnerError` sorts them all.

export const RunnerErrorCode = {
  INVALID_CONFIG: 'INVALID_CONFIG',
  INVALID_STRATEGIES_FILE: 'INVALID_STRATEGIES_FILE',
  LEASE_STORE_FAILED: 'LEASE_STORE_FAILED',
  LEASE_BUCKET_MISMATCH: 'LEASE_BUCKET_MISMATCH',
  STREAM_REPLAY_FAILED: 'STREAM_REPLAY_FAILED',
  BAR_REJECTED: 'BAR_REJECTED',
  HISTORY_UNAVAILABLE: 'HISTORY_UNAVAILABLE',
  STORED_STATE_INVALID: 'STORED_STATE_INVALID',
  STATE_STORE_FAILED: 'STATE_STORE_FAILED',
  STRATEGY_CODE_CHANGED: 'STRATEGY_CODE_CHANGED',
  CODE_STORE_FAILED: 'CODE_STORE_FAILED',
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

/** A closed bar handed to the core that is not one of its instrument, or repeats / precedes one delivered; `value` is the bar. */
export class BarRejectedError extends RunnerError {
  override readonly name = 'BarRejectedError';
  readonly code = RunnerErrorCode.BAR_REJECTED;
}

/**
 * A strategy's stored state cannot be used: an unknown format, or not a valid StrategyState (not an
 * object of short strings, too many keys, a bad key). The strategy is refused on that instrument
 * rather than run with a state it never wrote; `value` is the stored state, `issues` say what is wrong.
 */
export class StoredStateError extends RunnerError {
  override readonly name = 'StoredStateError';
  readonly code = RunnerErrorCode.STORED_STATE_INVALID;
  constructor(
    readonly key: { readonly strategyId: string; readonly venue: string; readonly symbol: string },
    readonly issues: readonly string[],
    value: unknown,
  ) {
    super(
      `stored state of strategy ${key.strategyId} on ${key.venue} ${key.symbol} is unusable: ${issues.join('; ')}`,
      value,
    );
  }
}
