import { describe, it, expect } from 'vitest';
import { VenueErrorCode } from '@bourse/venues';
import { mapBinanceError, mapTransportError, parseRetryAfter } from './errors.js';

const order = { operation: 'POST /api/v3/order', mutating: true };
const query = { operation: 'GET /api/v3/order', mutating: false };

describe('mapBinanceError', () => {
  it.each([
    [
      { ...order, httpStatus: 418, code: -1003, msg: 'Way too many requests; IP banned until 1659186077000.' },
      'fatal',
      VenueErrorCode.IP_BANNED,
    ],
    [{ ...order, httpStatus: 429, code: -1003, msg: 'Too many requests.' }, 'retryable', VenueErrorCode.RATE_LIMITED],
    [{ ...order, httpStatus: 429, code: -1015, msg: 'Too many new orders.' }, 'retryable', VenueErrorCode.RATE_LIMITED],
    [
      { ...order, httpStatus: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
      'retryable',
      VenueErrorCode.CLOCK_SKEW,
    ],
    [
      { ...order, httpStatus: 400, code: -1022, msg: 'Signature for this request is not valid.' },
      'fatal',
      VenueErrorCode.AUTH,
    ],
    [
      { ...order, httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
      'fatal',
      VenueErrorCode.AUTH,
    ],
    [
      { ...order, httpStatus: 400, code: -2010, msg: 'Account has insufficient balance for requested action.' },
      'non-retryable',
      VenueErrorCode.INSUFFICIENT_BALANCE,
    ],
    [
      { ...order, httpStatus: 400, code: -2010, msg: 'Duplicate order sent.' },
      'non-retryable',
      VenueErrorCode.DUPLICATE_ORDER,
    ],
    [
      { ...order, httpStatus: 400, code: -1013, msg: 'Filter failure: LOT_SIZE' },
      'non-retryable',
      VenueErrorCode.INVALID_REQUEST,
    ],
    [
      { ...order, httpStatus: 400, code: -1102, msg: "Mandatory parameter 'quantity' was not sent." },
      'non-retryable',
      VenueErrorCode.INVALID_REQUEST,
    ],
    [
      { ...query, httpStatus: 400, code: -2013, msg: 'Order does not exist.' },
      'non-retryable',
      VenueErrorCode.UNKNOWN_ORDER,
    ],
    [
      { ...order, httpStatus: 400, code: -2011, msg: 'Unknown order sent.' },
      'non-retryable',
      VenueErrorCode.UNKNOWN_ORDER,
    ],
    [
      { ...order, httpStatus: 500, code: -1001, msg: 'Internal error; unable to process your request.' },
      'unknown-outcome',
      VenueErrorCode.SERVER_ERROR,
    ],
    [
      { ...query, httpStatus: 500, code: -1001, msg: 'Internal error; unable to process your request.' },
      'retryable',
      VenueErrorCode.SERVER_ERROR,
    ],
    [
      { ...order, httpStatus: 400, code: -1001, msg: 'Internal error; unable to process your request.' },
      'retryable',
      VenueErrorCode.SERVER_ERROR,
    ],
    [
      {
        ...order,
        httpStatus: 500,
        code: -1007,
        msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      },
      'unknown-outcome',
      VenueErrorCode.TIMEOUT,
    ],
    [
      { ...query, httpStatus: 500, code: -1007, msg: 'Timeout waiting for response from backend server.' },
      'retryable',
      VenueErrorCode.TIMEOUT,
    ],
    [{ ...order, httpStatus: 502 }, 'unknown-outcome', VenueErrorCode.SERVER_ERROR],
    [{ ...query, httpStatus: 502 }, 'retryable', VenueErrorCode.SERVER_ERROR],
    [{ ...order, httpStatus: 503, msg: 'Service Unavailable.' }, 'unknown-outcome', VenueErrorCode.SERVER_ERROR],
    [{ ...query, httpStatus: 503, msg: 'Service Unavailable.' }, 'retryable', VenueErrorCode.SERVER_ERROR],
  ] as const)('%o → %s %s', (failure, kind, code) => {
    const err = mapBinanceError(failure);
    expect(err.kind).toBe(kind);
    expect(err.code).toBe(code);
    expect(err.operation).toBe(failure.operation);
    expect(err.message).toContain(failure.operation);
  });

  it('keeps the venue code, status and retry delay', () => {
    const err = mapBinanceError({ ...query, httpStatus: 429, code: -1003, msg: 'x', retryAfterMs: 3000 });
    expect(err.venueCode).toBe(-1003);
    expect(err.httpStatus).toBe(429);
    expect(err.retryAfterMs).toBe(3000);
  });
});

describe('mapTransportError', () => {
  it('is an unknown outcome for a sent order, retryable for a read or an unsent order', () => {
    const timeout = Object.assign(new Error('Timeout awaiting request for 5000ms'), { code: 'ETIMEDOUT' });
    expect(mapTransportError('POST /api/v3/order', true, timeout, true).kind).toBe('unknown-outcome');
    expect(mapTransportError('POST /api/v3/order', true, timeout, true).code).toBe(VenueErrorCode.TIMEOUT);
    expect(mapTransportError('GET /api/v3/order', false, timeout, true).kind).toBe('retryable');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(mapTransportError('POST /api/v3/order', true, refused, false).kind).toBe('retryable');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
