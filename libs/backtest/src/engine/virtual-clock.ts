import { InvalidBacktestArgumentError } from '../errors.js';

/**
 * The backtest's time: it moves only when the engine moves it, and never backwards. Every core gets
 * this one clock, so a strategy, the risk gate and the OMS all see the simulated instant.
 */
export class VirtualClock {
  private ms: number;

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  /** Moves to `ms`; moving back is a bug in the event order, so it throws. */
  set(ms: number): void {
    if (ms < this.ms) {
      throw new InvalidBacktestArgumentError('virtual clock', ms, `is before the current time ${this.ms}`);
    }
    this.ms = ms;
  }
}
