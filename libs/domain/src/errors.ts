// Every error the domain raises or returns. Each sets `name`, carries a stable `code` and the
// offending values, so a shell can log it, count it by code and decide what to do without parsing text.

export const DomainErrorCode = {
  INVALID_DECIMAL: 'INVALID_DECIMAL',
  DIVISION_BY_ZERO: 'DIVISION_BY_ZERO',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_INSTRUMENT: 'INVALID_INSTRUMENT',
  UNKNOWN_INSTRUMENT: 'UNKNOWN_INSTRUMENT',
  INVALID_CLIENT_ORDER_ID: 'INVALID_CLIENT_ORDER_ID',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  OVERFILL: 'OVERFILL',
  FILL_CONFLICT: 'FILL_CONFLICT',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
} as const;
export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

/** Base class of every domain error; `code` says what went wrong, `value` what was offered. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(
    message: string,
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InvalidDecimalError extends DomainError {
  override readonly name = 'InvalidDecimalError';
  readonly code = DomainErrorCode.INVALID_DECIMAL;
  constructor(value: unknown, detail = 'must be a decimal string such as "123.45" (no exponent, no float)') {
    super(`${describe(value)} is not a valid decimal: ${detail}`, value);
  }
}

export class DivisionByZeroError extends DomainError {
  override readonly name = 'DivisionByZeroError';
  readonly code = DomainErrorCode.DIVISION_BY_ZERO;
  constructor(dividend: string) {
    super(`cannot divide ${dividend} by zero`, dividend);
  }
}

export class InvalidArgumentError extends DomainError {
  override readonly name = 'InvalidArgumentError';
  readonly code = DomainErrorCode.INVALID_ARGUMENT;
  constructor(
    readonly field: string,
    value: unknown,
    detail: string,
  ) {
    super(`${field} ${describe(value)} ${detail}`, value);
  }
}

export class InvalidInstrumentError extends DomainError {
  override readonly name = 'InvalidInstrumentError';
  readonly code = DomainErrorCode.INVALID_INSTRUMENT;
  constructor(
    readonly symbol: string,
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`instrument metadata for ${symbol} is invalid: ${problems.join('; ')}`, symbol, options);
  }
}

export class UnknownInstrumentError extends DomainError {
  override readonly name = 'UnknownInstrumentError';
  readonly code = DomainErrorCode.UNKNOWN_INSTRUMENT;
  constructor(
    readonly lookup: string,
    value: string,
  ) {
    super(`no instrument with ${lookup} "${value}" in the registry`, value);
  }
}

export class InvalidClientOrderIdError extends DomainError {
  override readonly name = 'InvalidClientOrderIdError';
  readonly code = DomainErrorCode.INVALID_CLIENT_ORDER_ID;
  constructor(value: unknown, detail: string) {
    super(`client order id ${describe(value)} ${detail}`, value);
  }
}

export class InvalidStateTransition extends DomainError {
  override readonly name = 'InvalidStateTransition';
  readonly code = DomainErrorCode.INVALID_STATE_TRANSITION;
  constructor(
    readonly from: string,
    readonly event: string,
    readonly clientOrderId?: string,
  ) {
    super(`order${clientOrderId ? ` ${clientOrderId}` : ''} cannot go from "${from}" on "${event}"`, { from, event });
  }
}

export class OverfillError extends DomainError {
  override readonly name = 'OverfillError';
  readonly code = DomainErrorCode.OVERFILL;
  constructor(
    readonly clientOrderId: string,
    readonly orderedQty: string,
    readonly cumulativeQty: string,
  ) {
    super(`order ${clientOrderId} reports ${cumulativeQty} filled of ${orderedQty} ordered`, cumulativeQty);
  }
}

export class FillConflictError extends DomainError {
  override readonly name = 'FillConflictError';
  readonly code = DomainErrorCode.FILL_CONFLICT;
  constructor(
    readonly fillKey: string,
    readonly detail: string,
  ) {
    super(`fill ${fillKey} was seen before with different content: ${detail}`, fillKey);
  }
}

export class InsufficientBalanceError extends DomainError {
  override readonly name = 'InsufficientBalanceError';
  readonly code = DomainErrorCode.INSUFFICIENT_BALANCE;
  constructor(
    readonly asset: string,
    readonly bucket: 'free' | 'locked',
    readonly requested: string,
    readonly available: string,
  ) {
    super(`cannot take ${requested} ${asset} from ${bucket}: only ${available} there`, requested);
  }
}

/** True for any error raised or returned by @bourse/domain; narrows on `code` when given. */
export function isDomainError(err: unknown, code?: DomainErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}
