// Typed errors of the market feed (the gateway's core and the capture reader) and of the market-data
// gateway service, whose own errors (its configuration) extend `MarketDataError` too, so one code
// list and one `isMarketDataError` sort them all. Each sets `name`, carries a `code` and the
// offending value (never a secret: URLs are shown with their password masked).

export const MarketDataErrorCode = {
  INVALID_OPTION: 'MD_INVALID_OPTION',
  INVALID_CONFIG: 'MD_INVALID_CONFIG',
  UNKNOWN_INSTRUMENT: 'MD_UNKNOWN_INSTRUMENT',
  WRONG_VENUE: 'MD_WRONG_VENUE',
  RECORDING_CORRUPT: 'MD_RECORDING_CORRUPT',
  RECORDER_CLOSED: 'MD_RECORDER_CLOSED',
} as const;
export type MarketDataErrorCode = (typeof MarketDataErrorCode)[keyof typeof MarketDataErrorCode];

export class MarketDataError extends Error {
  override readonly name: string = 'MarketDataError';
  constructor(
    readonly code: MarketDataErrorCode,
    readonly value: unknown,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A constructor option out of range (programming error in the caller, caught at start). */
export class InvalidOptionError extends MarketDataError {
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    value: unknown,
    expected: string,
  ) {
    super(MarketDataErrorCode.INVALID_OPTION, value, `${option} must be ${expected}, got ${String(value)}`);
  }
}

/** Market data for an instrument the gateway was not configured with. */
export class UnknownInstrumentError extends MarketDataError {
  override readonly name = 'UnknownInstrumentError';
  constructor(value: string) {
    super(
      MarketDataErrorCode.UNKNOWN_INSTRUMENT,
      value,
      `market data for instrument "${value}", which this gateway does not serve`,
    );
  }
}

/** Market data stamped with another venue than the gateway's. */
export class WrongVenueError extends MarketDataError {
  override readonly name = 'WrongVenueError';
  constructor(
    value: string,
    readonly expected: string,
  ) {
    super(
      MarketDataErrorCode.WRONG_VENUE,
      value,
      `market data from venue "${value}" on the gateway of venue "${expected}"`,
    );
  }
}

/** A recording line that is not a recorded frame. */
export class RecordingCorruptError extends MarketDataError {
  override readonly name = 'RecordingCorruptError';
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      MarketDataErrorCode.RECORDING_CORRUPT,
      `${path}:${line}`,
      `recording ${path} line ${line}: ${detail}`,
      options,
    );
  }
}

export function isMarketDataError(err: unknown, code?: MarketDataErrorCode): err is MarketDataError {
  return err instanceof MarketDataError && (code === undefined || err.code === code);
}
