import { VenueError, VenueErrorCode } from '@bourse/venues';

// A request with a deadline (an order whose decision has a shelf life, DESIGN 13) must not reach the
// venue at or after it. Two guards: it is not sent once the deadline has come (checked after the
// rate limiter's wait, right before the bytes go), and the venue is asked to refuse it if it arrives
// late: Binance refuses a signed request older than its `recvWindow` on arrival (-1021), unprocessed.

/**
 * The `recvWindow` (ms) to sign a request with: the configured one, or less so that the request is
 * refused on arrival after `notAfter` (local ms). Throws a local, non-retryable VenueError
 * (VENUE_REQUEST_EXPIRED) when the deadline has come: the request is not sent.
 */
export function recvWindowFor(
  operation: string,
  recvWindowMs: number,
  notAfter: number | undefined,
  now: number,
): number {
  if (notAfter === undefined) return recvWindowMs;
  const left = notAfter - now;
  if (left <= 0) {
    throw new VenueError(
      'non-retryable',
      VenueErrorCode.EXPIRED,
      `${operation}: not sent: its deadline passed ${-left} ms ago`,
      { operation, local: true },
    );
  }
  return Math.min(recvWindowMs, Math.ceil(left));
}
