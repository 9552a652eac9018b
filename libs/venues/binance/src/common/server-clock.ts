import { VenueError, VenueErrorCode, type VenueClock } from '@bourse/venues';

// Signed requests carry the venue's time, not ours: Binance rejects a timestamp outside
// recvWindow (-1021). The offset is measured from /api/v3/time (half the round trip counted),
// again on a schedule run by the client, and at once after a -1021.

export class ServerClock implements VenueClock {
  #offsetMs = 0;
  #measuredAt: number | undefined;
  #inFlight: Promise<number> | undefined;

  constructor(
    private readonly local: VenueClock,
    private readonly fetchServerTime: () => Promise<number>,
  ) {}

  /** Our best estimate of the venue's clock now. */
  now(): number {
    return Math.round(this.local.now() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Local time of the last successful measurement, if any. */
  get measuredAt(): number | undefined {
    return this.#measuredAt;
  }

  /** Measures the offset; concurrent callers share one request. Resolves to the new offset. */
  sync(): Promise<number> {
    this.#inFlight ??= this.#measure().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #measure(): Promise<number> {
    const sent = this.local.now();
    const server = await this.fetchServerTime();
    const received = this.local.now();
    this.#offsetMs = server - (sent + received) / 2;
    this.#measuredAt = received;
    return this.#offsetMs;
  }
}

/**
 * Measures the venue's clock again after a -1021. The request was refused unprocessed; when the
 * measurement fails too (a 5xx on GET /api/v3/time), the failure is ours and transient, not the
 * venue's judgement of the request: `local`, retryable, code CLOCK_SYNC_FAILED.
 */
export async function resyncClock(clock: ServerClock, operation: string): Promise<void> {
  try {
    await clock.sync();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new VenueError(
      'retryable',
      VenueErrorCode.CLOCK_SYNC_FAILED,
      `${operation}: not processed (-1021) and the venue clock could not be measured again: ${detail}`,
      {
        operation,
        local: true,
        cause: err,
        ...(err instanceof VenueError && err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      },
    );
  }
}
