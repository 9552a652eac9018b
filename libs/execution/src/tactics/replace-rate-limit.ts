import { OrderManagerError, OrderManagerErrorCode } from '../errors.js';

// A per-instrument limit on cancel/replace cycles: at most `maxPerWindow` in any `windowMs`, shared
// by every tactic working that instrument. Venues count cancels against order-rate limits and treat
// a stream of cancel/replace on one symbol as abusive; a quote that flickers must not cause a storm.
// Pure apart from its own memory: time is passed in. Memory: at most `maxPerWindow` times per instrument.

export interface CancelReplaceRateLimitOptions {
  readonly maxPerWindow: number;
  readonly windowMs: number;
}

export class CancelReplaceRateLimit {
  private readonly taken = new Map<string, number[]>();

  constructor(readonly options: CancelReplaceRateLimitOptions) {
    if (!Number.isInteger(options.maxPerWindow) || options.maxPerWindow < 1) {
      throw new OrderManagerError(
        OrderManagerErrorCode.INVALID_TACTIC,
        `maxPerWindow ${options.maxPerWindow} must be a whole number of at least 1`,
        options.maxPerWindow,
      );
    }
    if (!Number.isFinite(options.windowMs) || options.windowMs <= 0) {
      throw new OrderManagerError(
        OrderManagerErrorCode.INVALID_TACTIC,
        `windowMs ${options.windowMs} must be above zero`,
        options.windowMs,
      );
    }
  }

  /** Takes one cancel/replace for `instrument` at `now` when the window has room; false (nothing taken) otherwise. */
  tryAcquire(instrument: string, now: number): boolean {
    const times = this.recent(instrument, now);
    if (times.length >= this.options.maxPerWindow) return false;
    times.push(now);
    this.taken.set(instrument, times);
    return true;
  }

  /** When the next cancel/replace for `instrument` will be allowed (now, when there is room). */
  nextAllowedAt(instrument: string, now: number): number {
    const times = this.recent(instrument, now);
    if (times.length < this.options.maxPerWindow) return now;
    return (times[0] ?? now) + this.options.windowMs;
  }

  private recent(instrument: string, now: number): number[] {
    const since = now - this.options.windowMs;
    return (this.taken.get(instrument) ?? []).filter((t) => t > since);
  }
}
