// Typed errors of the operator command. Each carries a stable `code` so callers (and tests) can
// tell them apart without parsing messages; values are masked before they get here.

import { ChildFailedError } from '@bourse/servers';

// Defined with the supervisor that throws it (@bourse/servers); one of the CLI's errors all the same.
export { ChildFailedError };

export const CliErrorCode = {
  InvalidConfig: 'INVALID_CONFIG',
  NotBuilt: 'NOT_BUILT',
  ChildFailed: 'CHILD_FAILED',
  Usage: 'USAGE',
  CommandFailed: 'COMMAND_FAILED',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** An environment variable is missing its expected shape. `value` is already masked. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = CliErrorCode.InvalidConfig;
  constructor(
    readonly variable: string,
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A platform service's entry file does not exist yet. */
export class NotBuiltError extends Error {
  override readonly name = 'NotBuiltError';
  readonly code = CliErrorCode.NotBuilt;
  constructor(
    readonly service: string,
    readonly entry: string,
  ) {
    super(`${service} is not built yet (${entry} does not exist)`);
  }
}

/** A command line that parses but asks for something impossible (both --instrument and --strategy). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = CliErrorCode.Usage;
  constructor(
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An operator command could not do its job: a server did not answer, a service refused or did not
 * reply. `what` names the step (`NATS`, `order-manager cancel-all`); the message says what to check.
 */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  readonly code = CliErrorCode.CommandFailed;
  constructor(
    readonly what: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type CliError = ConfigError | NotBuiltError | ChildFailedError | UsageError | CommandFailedError;

export function isCliError(err: unknown): err is CliError {
  return (
    err instanceof ConfigError ||
    err instanceof NotBuiltError ||
    err instanceof ChildFailedError ||
    err instanceof UsageError ||
    err instanceof CommandFailedError
  );
}
