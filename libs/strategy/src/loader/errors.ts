import { StrategyError, StrategyErrorCode } from '../sdk/errors.js';

// The strategy loader's errors: each names the file (or `builtin:<name>`), the export and the field at
// fault, so "which strategy, where, what" is one line in a log. The runner refuses that strategy and
// counts the error by `code`; the CLI prints the message.

export interface StrategyLoadErrorInit {
  /** The module file (absolute), the package specifier, or `builtin:<name>`. */
  readonly file: string;
  /** The export looked for (`default`, `meanRevert`); `-` for a built-in or when none was reached. */
  readonly exportName: string;
  /** What is wrong: `module`, `export`, `imports`, `params.fast`, `warmup.0.timeframe`, ... */
  readonly field: string;
  readonly value: unknown;
  readonly cause?: unknown;
}

export abstract class StrategyLoadError extends StrategyError {
  readonly file: string;
  readonly exportName: string;
  readonly field: string;
  constructor(init: StrategyLoadErrorInit, detail: string) {
    super(
      `strategy ${init.file}${init.exportName === '-' ? '' : `#${init.exportName}`}: ${init.field}: ${detail}`,
      init.value,
      init.cause !== undefined ? { cause: init.cause } : undefined,
    );
    this.file = init.file;
    this.exportName = init.exportName;
    this.field = init.field;
  }
}

export function isStrategyLoadError(err: unknown): err is StrategyLoadError {
  return err instanceof StrategyLoadError;
}

/** No such file, no package by that specifier, or no built-in by that name. */
export class StrategyNotFoundError extends StrategyLoadError {
  override readonly name = 'StrategyNotFoundError';
  readonly code = StrategyErrorCode.STRATEGY_NOT_FOUND;
}

/** The module does not compile, or throws while it is evaluated, or its `create` throws. */
export class StrategyModuleError extends StrategyLoadError {
  override readonly name = 'StrategyModuleError';
  readonly code = StrategyErrorCode.STRATEGY_MODULE_FAILED;
}

/** The export is missing, or is not a `defineStrategy` result. */
export class StrategyExportError extends StrategyLoadError {
  override readonly name = 'StrategyExportError';
  readonly code = StrategyErrorCode.STRATEGY_EXPORT_INVALID;
}

/** The module (or a file it imports) imports something that does I/O; `file` is the importing file. */
export class ForbiddenStrategyImportError extends StrategyLoadError {
  override readonly name = 'ForbiddenStrategyImportError';
  readonly code = StrategyErrorCode.STRATEGY_IMPORT_FORBIDDEN;
  constructor(
    init: StrategyLoadErrorInit,
    /** Every forbidden import found, `file: specifier` each. */
    readonly found: readonly string[],
  ) {
    super(
      init,
      `imports ${JSON.stringify(init.value)}, which can do I/O (a strategy sees market state and returns intents)${found.length > 1 ? `; also ${found.slice(1).join(', ')}` : ''}`,
    );
  }
}

/** The params fail the strategy's schema, or its timeframes / warm-up / evaluation are invalid. */
export class StrategyCheckError extends StrategyLoadError {
  override readonly name = 'StrategyCheckError';
  readonly code = StrategyErrorCode.STRATEGY_CHECK_FAILED;
}
