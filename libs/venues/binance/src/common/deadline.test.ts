import { describe, expect, it } from 'vitest';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { recvWindowFor } from './deadline.js';

describe('recvWindowFor', () => {
  it('keeps the configured window without a deadline, or when the deadline is further away', () => {
    expect(recvWindowFor('POST /api/v3/order', 5_000, undefined, 1_000)).toBe(5_000);
    expect(recvWindowFor('POST /api/v3/order', 5_000, 60_000, 1_000)).toBe(5_000);
  });

  it('ends the window at the deadline, so the venue refuses a later arrival', () => {
    expect(recvWindowFor('POST /api/v3/order', 5_000, 3_000, 1_000)).toBe(2_000);
    expect(recvWindowFor('POST /api/v3/order', 5_000, 1_000.5, 1_000)).toBe(1);
  });

  it('refuses to send once the deadline has come: a local, non-retryable VENUE_REQUEST_EXPIRED', () => {
    for (const now of [3_000, 3_001]) {
      let caught: unknown;
      try {
        recvWindowFor('order.place', 5_000, 3_000, now);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(VenueError);
      expect(caught).toMatchObject({
        code: VenueErrorCode.EXPIRED,
        kind: 'non-retryable',
        local: true,
        operation: 'order.place',
      });
    }
  });
});
