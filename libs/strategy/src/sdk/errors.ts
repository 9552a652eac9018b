// Every error the SDK raises. Each sets `name`, carries a stable `code` and the offending value, so
// the strategy runner can log it, count it by code and keep running the other strategies.

export const StrategyErrorCode = {
  INVALID_STRATEGY_DEFINITION: 'INVALID_STRATEGY_DEFINITION',
  INVALID_STRATEGY_PARAMS: 'INVALID_STRATEGY_PARAMS',
  INVALID_STRATEGY_SETUP: 'INVALID_STRATEGY_SETUP',
  INVALID_STRATEGY_STATE: 'INVALID_STRATEGY_STATE',
  INVALID_INTENT: 'INVALID_INTENT',
  STRATEGY_HANDLER_FAILED: 'STRATEGY_HANDLER_FAILED',
  UNKNOWN_STRATEGY: 'UNKNOWN_STRATEGY',
  INVALID_SIZING: 'INVALID_SIZING',
  // The strategy loader's (`@bourse/strategy/loader`): a strategy refused before anything trades.
  STRATEGY_NOT_FOUND: 'STRATEGY_NOT_FOUND',
  STRATEGY_MODULE_FAILED: 'STRATEGY_MODULE_FAILED',
  STRATEGY_EXPORT_INVALID: 'STRATEGY_EXPORT_INVALID',
  STRATEGY_IMPORT_FORBIDDEN: 'STRATEGY_IMPORT_FORBIDDEN',
  STRATEGY_CHECK_FAILED: 'STRATEGY_CHECK_FAILED',
} as const;
export type StrategyErrorCode = (typeof StrategyErrorCode)[keyof typeof StrategyErrorCode];

/** One problem found by a schema: where (`fast`, `sizing.qty`, `(root)`) and what. */
export interface StrategyIssue {
  readonly path: string;
  readonly message: string;
}

/** Base class of every SDK error. */
export abstract class StrategyError extends Error {
  abstract readonly code: StrategyErrorCode;
  constructor(
    message: string,
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStrategyError(err: unknown): err is StrategyError {
  return err instanceof StrategyError;
}

function listIssues(issues: readonly StrategyIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/** A definition that can never run: bad name, version, timeframe or evaluation policy. */
export class InvalidStrategyDefinitionError extends StrategyError {
  override readonly name = 'InvalidStrategyDefinitionError';
  readonly code = StrategyErrorCode.INVALID_STRATEGY_DEFINITION;
  constructor(
    readonly strategy: string,
    readonly issues: readonly StrategyIssue[],
    value: unknown,
  ) {
    super(`strategy definition ${strategy} is invalid: ${listIssues(issues)}`, value);
  }
}

/** Params that fail the strategy's zod schema; `issues` name each path, e.g. `fast`. */
export class InvalidStrategyParamsError extends StrategyError {
  override readonly name = 'InvalidStrategyParamsError';
  readonly code = StrategyErrorCode.INVALID_STRATEGY_PARAMS;
  constructor(
    readonly strategy: string,
    readonly issues: readonly StrategyIssue[],
    value: unknown,
    options?: { cause?: unknown },
  ) {
    super(`invalid params for strategy ${strategy}: ${listIssues(issues)}`, value, options);
  }
}

/** Instruments or restored state that an instance cannot start with. */
export class InvalidStrategySetupError extends StrategyError {
  override readonly name = 'InvalidStrategySetupError';
  readonly code = StrategyErrorCode.INVALID_STRATEGY_SETUP;
  constructor(
    readonly strategy: string,
    readonly issues: readonly StrategyIssue[],
    value: unknown,
  ) {
    super(`invalid setup for strategy ${strategy}: ${listIssues(issues)}`, value);
  }
}

/** A state a handler returned that breaks the small key/value rules (see MAX_STATE_KEYS). */
export class InvalidStrategyStateError extends StrategyError {
  override readonly name = 'InvalidStrategyStateError';
  readonly code = StrategyErrorCode.INVALID_STRATEGY_STATE;
  constructor(
    readonly strategy: string,
    readonly issues: readonly StrategyIssue[],
    value: unknown,
  ) {
    super(`strategy ${strategy} returned an invalid state: ${listIssues(issues)}`, value);
  }
}

/** An intent draft that cannot become a valid Intent; `issues` point at the field to fix. */
export class InvalidIntentError extends StrategyError {
  override readonly name = 'InvalidIntentError';
  readonly code = StrategyErrorCode.INVALID_INTENT;
  constructor(
    readonly strategy: string,
    readonly issues: readonly StrategyIssue[],
    value: unknown,
  ) {
    super(`strategy ${strategy} produced an invalid intent: ${listIssues(issues)}`, value);
  }
}

/** A handler threw; `cause` is what it threw. No intent of that call is used and the state is unchanged. */
export class StrategyHandlerError extends StrategyError {
  override readonly name = 'StrategyHandlerError';
  readonly code = StrategyErrorCode.STRATEGY_HANDLER_FAILED;
  constructor(
    readonly strategy: string,
    readonly handler: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`strategy ${strategy} failed in ${handler}: ${reason}`, handler, { cause });
  }
}

export class UnknownStrategyError extends StrategyError {
  override readonly name = 'UnknownStrategyError';
  readonly code = StrategyErrorCode.UNKNOWN_STRATEGY;
  constructor(
    name: string,
    readonly known: readonly string[],
  ) {
    super(`no built-in strategy named "${name}"; known: ${known.join(', ')}`, name);
  }
}

/** A sizing input out of range: a fraction outside (0, 1], a negative equity, a lot of zero. */
export class InvalidSizingError extends StrategyError {
  override readonly name = 'InvalidSizingError';
  readonly code = StrategyErrorCode.INVALID_SIZING;
  constructor(
    readonly field: string,
    value: unknown,
    detail: string,
  ) {
    super(`sizing ${field} ${JSON.stringify(value)} ${detail}`, value);
  }
}

/** Turns zod issues into path/message pairs; `(root)` for an issue on the whole value. */
export function issuesOf(issues: readonly { path: readonly PropertyKey[]; message: string }[]): StrategyIssue[] {
  return issues.map((i) => ({
    path: i.path.length === 0 ? '(root)' : i.path.map((p) => String(p)).join('.'),
    message: i.message,
  }));
}
