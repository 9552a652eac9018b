import { describe, it, expect } from 'vitest';
import { VenueError, VenueErrorCode, isUnknownOutcome, isVenueError } from './errors.js';

describe('VenueError', () => {
  it('carries kind, codes, retry delay and cause, and says whether a resend is safe', () => {
    const cause = new Error('socket hang up');
    const err = new VenueError('retryable', VenueErrorCode.RATE_LIMITED, 'Too many requests', {
      venueCode: -1003,
      httpStatus: 429,
      retryAfterMs: 2_000,
      operation: 'GET /api/v3/depth',
      cause,
    });
    expect(err.name).toBe('VenueError');
    expect(err).toBeInstanceOf(Error);
    expect(isVenueError(err)).toBe(true);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(2_000);
    expect(err.venueCode).toBe(-1003);
    expect(err.cause).toBe(cause);
    expect(isUnknownOutcome(err)).toBe(false);
  });

  it('marks an unknown outcome as neither retryable nor a failure', () => {
    const err = new VenueError('unknown-outcome', VenueErrorCode.TIMEOUT, 'no response in 5000 ms');
    expect(err.retryable).toBe(false);
    expect(isUnknownOutcome(err)).toBe(true);
    expect(isVenueError(new Error('x'))).toBe(false);
  });
});
