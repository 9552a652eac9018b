import { RunnerError, RunnerErrorCode } from '@bourse/strategy';

// The errors the strategy runner service raises itself, beside the core's (`@bourse/strategy`:
// `RunnerError`, `StrategiesFileError`, `BarRejectedError`). Each sets `name`, carries a stable `code`
// and the offending value (never a secret), so logs and metrics can sort them.

export { isRunnerError } from '@bourse/strategy';

/** A missing or malformed environment variable; `value` is the variable's name. */
export class RunnerConfigError extends RunnerError {
  override readonly name = 'RunnerConfigError';
  readonly code = RunnerErrorCode.INVALID_CONFIG;
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

/** Venue history (klines) could not be read for a warm-up; `value` is what was asked for. */
export class HistoryUnavailableError extends RunnerError {
  override readonly name = 'HistoryUnavailableError';
  readonly code = RunnerErrorCode.HISTORY_UNAVAILABLE;
}

/** Message of any thrown value, for logs and reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** PostgreSQL did not answer a claim or write of a strategy's state; `value` is the state's key. */
export class StateStoreError extends RunnerError {
  override readonly name = 'StateStoreError';
  readonly code = RunnerErrorCode.STATE_STORE_FAILED;
}

/** The hash prefix shown in messages: enough to tell two versions of a file apart, short enough to read. */
export const HASH_PREFIX_LENGTH = 12;

/**
 * A strategy's code changed while its version did not: the code hash recorded for this strategy id and
 * version in PostgreSQL differs from the loaded file's. The strategy is refused (the others run), so
 * one version always names one code; `value` is `{ strategyId, version, recordedHash, loadedHash }`.
 */
export class StrategyCodeChangedError extends RunnerError {
  override readonly name = 'StrategyCodeChangedError';
  readonly code = RunnerErrorCode.STRATEGY_CODE_CHANGED;
  constructor(
    readonly strategyId: string,
    readonly version: string,
    readonly recordedHash: string,
    readonly loadedHash: string,
  ) {
    super(
      `strategy ${strategyId} version ${version}: its code changed (recorded ${recordedHash.slice(0, HASH_PREFIX_LENGTH)}, ` +
        `now ${loadedHash.slice(0, HASH_PREFIX_LENGTH)}) but its version did not; bump the strategy's version ` +
        '(or, in development only, start with --allow-changed / RUNNER_ALLOW_CHANGED_CODE=true)',
      { strategyId, version, recordedHash, loadedHash },
    );
  }
}

/** PostgreSQL did not answer a read or write of the recorded code hashes; `value` is the strategy id. */
export class CodeStoreError extends RunnerError {
  override readonly name = 'CodeStoreError';
  readonly code = RunnerErrorCode.CODE_STORE_FAILED;
}
