// Typed rejections. Each code says what was wrong; `BINANCE_ERRORS` gives the venue's own code and
// message for it, so the exchange simulator answers exactly as Binance would.

export const MatchingErrorCode = {
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** A parameter is missing, malformed, or not allowed for this order type. */
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  INVALID_ORDER_TYPE: 'INVALID_ORDER_TYPE',
  INVALID_TIME_IN_FORCE: 'INVALID_TIME_IN_FORCE',
  /** Price not positive or not a multiple of tickSize. */
  PRICE_FILTER: 'PRICE_FILTER',
  /** Quantity off the stepSize grid, under minQty or over maxQty. */
  LOT_SIZE: 'LOT_SIZE',
  /** price × quantity under minNotional. */
  NOTIONAL: 'NOTIONAL',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  /** A LIMIT_MAKER that would take liquidity. */
  WOULD_MATCH: 'WOULD_MATCH',
  /** A stop whose stop price is already reached by the last price. */
  WOULD_TRIGGER: 'WOULD_TRIGGER',
  /** An OCO whose prices are not in the order Binance requires. */
  OCO_PRICES: 'OCO_PRICES',
  /** An order list leg of a type the list does not take (Binance's -1158). */
  OCO_ORDER_TYPE: 'OCO_ORDER_TYPE',
  DUPLICATE_ORDER: 'DUPLICATE_ORDER',
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  UNKNOWN_ORDER_LIST: 'UNKNOWN_ORDER_LIST',
  /** The symbol already exists, or its configuration is unusable. */
  INVALID_SYMBOL_CONFIG: 'INVALID_SYMBOL_CONFIG',
  INVALID_SNAPSHOT: 'INVALID_SNAPSHOT',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  /** The event listener threw; the engine's state change itself is complete. */
  LISTENER_FAILED: 'LISTENER_FAILED',
} as const;
export type MatchingErrorCode = (typeof MatchingErrorCode)[keyof typeof MatchingErrorCode];

export class MatchingError extends Error {
  override readonly name = 'MatchingError';
  readonly code: MatchingErrorCode;
  /** The offending value (a parameter, an id, an amount). */
  readonly value: unknown;

  constructor(code: MatchingErrorCode, message: string, value?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.value = value;
  }
}

export function isMatchingError(err: unknown): err is MatchingError {
  return err instanceof MatchingError;
}

/** Binance Spot's error code and message for each rejection. */
export const BINANCE_ERRORS: Record<MatchingErrorCode, { code: number; msg: string }> = {
  UNKNOWN_SYMBOL: { code: -1121, msg: 'Invalid symbol.' },
  INVALID_PARAMETER: { code: -1102, msg: 'Mandatory parameter was not sent, was empty/null, or malformed.' },
  INVALID_ORDER_TYPE: { code: -1116, msg: 'Invalid orderType.' },
  INVALID_TIME_IN_FORCE: { code: -1115, msg: 'Invalid timeInForce.' },
  PRICE_FILTER: { code: -1013, msg: 'Filter failure: PRICE_FILTER' },
  LOT_SIZE: { code: -1013, msg: 'Filter failure: LOT_SIZE' },
  NOTIONAL: { code: -1013, msg: 'Filter failure: NOTIONAL' },
  INSUFFICIENT_BALANCE: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
  WOULD_MATCH: { code: -2010, msg: 'Order would immediately match and take.' },
  WOULD_TRIGGER: { code: -2010, msg: 'Order would trigger immediately.' },
  OCO_PRICES: { code: -2010, msg: 'The relationship of the prices for the orders is not correct.' },
  OCO_ORDER_TYPE: { code: -1158, msg: 'Order type not supported in OCO.' },
  DUPLICATE_ORDER: { code: -2010, msg: 'Duplicate order sent.' },
  UNKNOWN_ORDER: { code: -2011, msg: 'Unknown order sent.' },
  UNKNOWN_ORDER_LIST: { code: -2011, msg: 'Order list does not exist.' },
  INVALID_SYMBOL_CONFIG: { code: -1121, msg: 'Invalid symbol.' },
  INVALID_SNAPSHOT: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
  NOT_IMPLEMENTED: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
  LISTENER_FAILED: { code: -1000, msg: 'An unknown error occurred while processing the request.' },
};

/** Binance's `{ code, msg }` body for any error the engine throws. */
export function toBinanceError(err: MatchingError): { code: number; msg: string } {
  return BINANCE_ERRORS[err.code];
}
