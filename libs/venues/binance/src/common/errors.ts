import { VenueError, VenueErrorCode, type VenueErrorKind } from '@bourse/venues';

// Binance's error codes, mapped once to a VenueError kind. Sources: Binance Spot "Error codes"
// and "General API information" (HTTP 418/429/5xx semantics).

export const BinanceErrorCode = {
  UNKNOWN: -1000,
  DISCONNECTED: -1001,
  UNAUTHORIZED: -1002,
  TOO_MANY_REQUESTS: -1003,
  UNEXPECTED_RESP: -1006,
  TIMEOUT: -1007,
  SERVER_BUSY: -1008,
  INVALID_MESSAGE: -1013,
  UNKNOWN_ORDER_COMPOSITION: -1014,
  TOO_MANY_ORDERS: -1015,
  SERVICE_SHUTTING_DOWN: -1016,
  UNSUPPORTED_OPERATION: -1020,
  INVALID_TIMESTAMP: -1021,
  INVALID_SIGNATURE: -1022,
  NEW_ORDER_REJECTED: -2010,
  CANCEL_REJECTED: -2011,
  NO_SUCH_ORDER: -2013,
  BAD_API_KEY_FMT: -2014,
  REJECTED_MBX_KEY: -2015,
  NO_TRADING_WINDOW: -2016,
  ORDER_ARCHIVED: -2026,
} as const;

export interface BinanceFailure {
  /** HTTP status (REST) or the WS-API `status` field. */
  httpStatus?: number;
  /** Binance's `code`, when the body carried one. */
  code?: number;
  msg?: string;
  /** From a Retry-After header or WS-API `retryAfter` (already converted to ms). */
  retryAfterMs?: number;
  /** `POST /api/v3/order`, `order.place`… — never parameters. */
  operation: string;
  /** True for requests that change state (place, cancel): an unclear answer is then an unknown outcome. */
  mutating: boolean;
  cause?: unknown;
}

function venueError(kind: VenueErrorKind, code: string, message: string, f: BinanceFailure): VenueError {
  return new VenueError(kind, code, message, {
    venueCode: f.code,
    httpStatus: f.httpStatus,
    retryAfterMs: f.retryAfterMs,
    operation: f.operation,
    cause: f.cause,
  });
}

/** Maps a Binance error response to a VenueError that says whether a retry is safe. */
export function mapBinanceError(f: BinanceFailure): VenueError {
  const text = `${f.operation}: ${f.msg ?? `HTTP ${f.httpStatus ?? '?'}`}${f.code !== undefined ? ` (${f.code})` : ''}`;
  const unclear: VenueErrorKind = f.mutating ? 'unknown-outcome' : 'retryable';

  // HTTP status first: 418 and 429 carry their meaning whatever the body says.
  if (f.httpStatus === 418) return venueError('fatal', VenueErrorCode.IP_BANNED, text, f);
  if (f.httpStatus === 429 || f.code === BinanceErrorCode.TOO_MANY_REQUESTS) {
    return venueError('retryable', VenueErrorCode.RATE_LIMITED, text, f);
  }

  // Any 5xx to a request that changes state may have executed (Binance: "execution status
  // UNKNOWN"); even the documented failures are checked by a query rather than trusted.
  if (f.mutating && f.httpStatus !== undefined && f.httpStatus >= 500) {
    return venueError(
      'unknown-outcome',
      f.code === BinanceErrorCode.TIMEOUT || f.code === BinanceErrorCode.UNEXPECTED_RESP
        ? VenueErrorCode.TIMEOUT
        : VenueErrorCode.SERVER_ERROR,
      text,
      f,
    );
  }

  switch (f.code) {
    case BinanceErrorCode.TOO_MANY_ORDERS:
      return venueError('retryable', VenueErrorCode.RATE_LIMITED, text, f);
    case BinanceErrorCode.INVALID_TIMESTAMP:
      // Rejected before processing: safe to send again once the clock offset is measured again.
      return venueError('retryable', VenueErrorCode.CLOCK_SKEW, text, f);
    case BinanceErrorCode.DISCONNECTED:
    case BinanceErrorCode.SERVER_BUSY:
    case BinanceErrorCode.SERVICE_SHUTTING_DOWN:
      // "Unable to process your request" / "server busy": not executed.
      return venueError('retryable', VenueErrorCode.SERVER_ERROR, text, f);
    case BinanceErrorCode.UNKNOWN:
    case BinanceErrorCode.UNEXPECTED_RESP:
    case BinanceErrorCode.TIMEOUT:
      // Binance documents these as "execution status unknown".
      return venueError(unclear, VenueErrorCode.TIMEOUT, text, f);
    case BinanceErrorCode.UNAUTHORIZED:
    case BinanceErrorCode.INVALID_SIGNATURE:
    case BinanceErrorCode.BAD_API_KEY_FMT:
    case BinanceErrorCode.REJECTED_MBX_KEY:
      return venueError('fatal', VenueErrorCode.AUTH, text, f);
    case BinanceErrorCode.NO_SUCH_ORDER:
    case BinanceErrorCode.ORDER_ARCHIVED:
      return venueError('non-retryable', VenueErrorCode.UNKNOWN_ORDER, text, f);
    case BinanceErrorCode.NEW_ORDER_REJECTED:
      return venueError('non-retryable', newOrderRejectCode(f.msg), text, f);
    case BinanceErrorCode.CANCEL_REJECTED:
      return venueError(
        'non-retryable',
        /unknown order/i.test(f.msg ?? '') ? VenueErrorCode.UNKNOWN_ORDER : VenueErrorCode.REJECTED,
        text,
        f,
      );
    case BinanceErrorCode.NO_TRADING_WINDOW:
      return venueError('non-retryable', VenueErrorCode.REJECTED, text, f);
  }
  if (f.code !== undefined && f.code <= -1100 && f.code >= -1199) {
    return venueError('non-retryable', VenueErrorCode.INVALID_REQUEST, text, f);
  }
  if (
    f.code !== undefined &&
    (f.code === BinanceErrorCode.INVALID_MESSAGE ||
      f.code === BinanceErrorCode.UNKNOWN_ORDER_COMPOSITION ||
      f.code === BinanceErrorCode.UNSUPPORTED_OPERATION)
  ) {
    return venueError('non-retryable', VenueErrorCode.INVALID_REQUEST, text, f);
  }
  if (f.httpStatus !== undefined && f.httpStatus >= 500) {
    // 503 "Service Unavailable." is a documented failure; any other 5xx may have executed.
    if (f.httpStatus === 503 && /service unavailable/i.test(f.msg ?? '')) {
      return venueError('retryable', VenueErrorCode.SERVER_ERROR, text, f);
    }
    return venueError(unclear, VenueErrorCode.SERVER_ERROR, text, f);
  }
  if (f.httpStatus === 401 || f.httpStatus === 403) return venueError('fatal', VenueErrorCode.AUTH, text, f);
  if (f.code === undefined && f.httpStatus !== undefined && f.httpStatus >= 400) {
    return venueError('non-retryable', VenueErrorCode.INVALID_REQUEST, text, f);
  }
  return venueError(f.mutating ? 'unknown-outcome' : 'non-retryable', VenueErrorCode.UNKNOWN, text, f);
}

function newOrderRejectCode(msg: string | undefined): VenueErrorCode {
  const m = msg ?? '';
  if (/insufficient balance/i.test(m)) return VenueErrorCode.INSUFFICIENT_BALANCE;
  if (/duplicate order/i.test(m)) return VenueErrorCode.DUPLICATE_ORDER;
  return VenueErrorCode.REJECTED;
}

/**
 * A transport failure (no HTTP answer). `sent` says whether the request may have reached the
 * venue: a refused connection did not, a timeout or reset after writing may have.
 */
export function mapTransportError(operation: string, mutating: boolean, err: unknown, sent: boolean): VenueError {
  const message = err instanceof Error ? err.message : String(err);
  const timeout =
    /timeout|timed out|ETIMEDOUT/i.test(message) || (err as { code?: string } | null)?.code === 'ETIMEDOUT';
  const kind: VenueErrorKind = sent && mutating ? 'unknown-outcome' : 'retryable';
  return new VenueError(kind, timeout ? VenueErrorCode.TIMEOUT : VenueErrorCode.NETWORK, `${operation}: ${message}`, {
    operation,
    cause: err,
  });
}

/** Parses Retry-After (seconds, or an HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
