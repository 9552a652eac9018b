// One error type for every venue, sorted by what the caller may do next. The adapter maps the
// venue's own codes once (see the Binance adapter's common/errors.ts); callers branch on `kind`.

/**
 * - `retryable`: the request did not take effect and may be sent again (after `retryAfterMs` if set).
 * - `non-retryable`: the venue refused it (bad parameter, filter failure, insufficient balance);
 *   sending it again gives the same answer.
 * - `fatal`: nothing will work until a person acts (bad key, IP ban, permission, configuration).
 * - `unknown-outcome`: the request may or may not have taken effect (timeout, 5xx after send);
 *   query before anything is resent.
 */
export type VenueErrorKind = 'retryable' | 'non-retryable' | 'fatal' | 'unknown-outcome';

export const VENUE_ERROR_KINDS: readonly VenueErrorKind[] = ['retryable', 'non-retryable', 'fatal', 'unknown-outcome'];

export interface VenueErrorOptions {
  /** The venue's own error code (Binance: -1021, -2010…) or an HTTP status, when there is one. */
  venueCode?: number;
  /** HTTP status or WS-API status, when there is one. */
  httpStatus?: number;
  /** How long to wait before any request to this venue (429 Retry-After, 418 ban). */
  retryAfterMs?: number;
  /** The venue operation, e.g. `POST /api/v3/order` or `order.place`; never carries parameters. */
  operation?: string;
  /** The failure is ours, not the venue's answer to the request (see `VenueError.local`). Default false. */
  local?: boolean;
  cause?: unknown;
}

/**
 * An error from a venue. `code` is a stable Bourse code (`VENUE_RATE_LIMITED`, `VENUE_TIMEOUT`…);
 * the message is the venue's text, which never includes keys or signatures.
 */
export class VenueError extends Error {
  override readonly name = 'VenueError';
  readonly venueCode: number | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly operation: string | undefined;
  /**
   * True when the request never reached the venue's judgement: it failed before it left this process
   * (the clock sync before signing, the rate limiter's wait, a missing key, an unknown symbol, a
   * connection that is not open), or the venue refused it unprocessed for a reason of ours that we
   * could not repair (-1021 and the clock could not be measured again). Nothing took effect, and
   * the venue did not reject the order: callers label such a failure as Bourse's, never the venue's
   * (an order failed so is not a venue rejection and counts toward no venue-rejection burst).
   */
  readonly local: boolean;

  constructor(
    readonly kind: VenueErrorKind,
    readonly code: string,
    message: string,
    options: VenueErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.venueCode = options.venueCode;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.operation = options.operation;
    this.local = options.local ?? false;
  }

  /** True when sending the same request again cannot cause a duplicate effect. */
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

/** The same error marked as ours (`local`): it arose before the request left this process. */
export function asLocalVenueError(err: VenueError): VenueError {
  if (err.local) return err;
  return new VenueError(err.kind, err.code, err.message, {
    ...(err.venueCode !== undefined ? { venueCode: err.venueCode } : {}),
    ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.operation !== undefined ? { operation: err.operation } : {}),
    local: true,
    cause: err,
  });
}

export function isVenueError(err: unknown): err is VenueError {
  return err instanceof VenueError;
}

/** True when the request may have taken effect and must be resolved by a query, not resent. */
export function isUnknownOutcome(err: unknown): err is VenueError {
  return isVenueError(err) && err.kind === 'unknown-outcome';
}

/** Bourse's stable codes for venue errors. */
export const VenueErrorCode = {
  TIMEOUT: 'VENUE_TIMEOUT',
  NETWORK: 'VENUE_NETWORK',
  SERVER_ERROR: 'VENUE_SERVER_ERROR',
  RATE_LIMITED: 'VENUE_RATE_LIMITED',
  IP_BANNED: 'VENUE_IP_BANNED',
  CLOCK_SKEW: 'VENUE_CLOCK_SKEW',
  /** Not sent: the request's deadline (PlaceOrderRequest.notAfter, a decision's shelf life) had come. */
  EXPIRED: 'VENUE_REQUEST_EXPIRED',
  /** The venue's clock could not be measured (GET /api/v3/time failed) when a signed request needed it. */
  CLOCK_SYNC_FAILED: 'VENUE_CLOCK_SYNC_FAILED',
  AUTH: 'VENUE_AUTH',
  REJECTED: 'VENUE_REJECTED',
  INVALID_REQUEST: 'VENUE_INVALID_REQUEST',
  UNKNOWN_ORDER: 'VENUE_UNKNOWN_ORDER',
  INSUFFICIENT_BALANCE: 'VENUE_INSUFFICIENT_BALANCE',
  DUPLICATE_ORDER: 'VENUE_DUPLICATE_ORDER',
  MALFORMED_RESPONSE: 'VENUE_MALFORMED_RESPONSE',
  NOT_CONNECTED: 'VENUE_NOT_CONNECTED',
  CLOSED: 'VENUE_CLOSED',
  UNKNOWN: 'VENUE_UNKNOWN',
} as const;
export type VenueErrorCode = (typeof VenueErrorCode)[keyof typeof VenueErrorCode];
