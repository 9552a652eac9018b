// Every error the backtest library raises. Each sets `name`, carries a stable `code` and the offending
// value, so the CLI can print it and a caller can tell bad input from a bug without parsing text.

export const BacktestErrorCode = {
  /** A data row failed to parse or validate and the reader was told to stop. */
  BAD_ROW: 'BAD_ROW',
  /** The header line lacks a required column or names one twice. */
  BAD_HEADER: 'BAD_HEADER',
  /** A function was called with an argument it cannot work with. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;
export type BacktestErrorCode = (typeof BacktestErrorCode)[keyof typeof BacktestErrorCode];

/** Base class of every backtest error; `code` says what went wrong, `value` what was offered. */
export abstract class BacktestError extends Error {
  abstract readonly code: BacktestErrorCode;
  constructor(
    message: string,
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One rejected input row: where it is and what was wrong with it. */
export interface BadRow {
  /** 1-based line number in the file (the header is line 1 in a CSV). */
  readonly line: number;
  /** The column or field at fault, or `row` when the row as a whole is wrong. */
  readonly field: string;
  /** What was wrong, in words a user can act on. */
  readonly reason: string;
  /** The offending text (cut to 200 characters so a huge line cannot flood a log). */
  readonly text: string;
}

export class BadRowError extends BacktestError {
  override readonly name = 'BadRowError';
  readonly code = BacktestErrorCode.BAD_ROW;
  constructor(
    readonly source: string,
    readonly badRow: BadRow,
    options?: { cause?: unknown },
  ) {
    super(`${source} line ${badRow.line}: ${badRow.field} ${badRow.reason}`, badRow.text, options);
  }
}

export class BadHeaderError extends BacktestError {
  override readonly name = 'BadHeaderError';
  readonly code = BacktestErrorCode.BAD_HEADER;
  constructor(
    readonly source: string,
    header: string,
    detail: string,
  ) {
    super(`${source} header ${JSON.stringify(clip(header))} ${detail}`, header);
  }
}

export class InvalidBacktestArgumentError extends BacktestError {
  override readonly name = 'InvalidBacktestArgumentError';
  readonly code = BacktestErrorCode.INVALID_ARGUMENT;
  constructor(
    readonly field: string,
    value: unknown,
    detail: string,
  ) {
    super(`${field} ${describe(value)} ${detail}`, value);
  }
}

/** True for any error this library raises. */
export function isBacktestError(err: unknown): err is BacktestError {
  return err instanceof BacktestError;
}

const MAX_TEXT = 200;

/** Cuts text that goes into an error or a bad-row list. */
export function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return String(value);
  return clip(Object.prototype.toString.call(value));
}
