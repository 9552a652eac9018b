// Counts work in flight so shutdown can stop intake and then wait for what already started
// (an order being submitted, a message being handled) instead of cutting it off midway.

import { TelemetryError, TelemetryErrorCode } from './errors.js';

export class WorkTracker {
  private accepting = true;
  private active = 0;
  private idle: Array<() => void> = [];

  /** Jobs started and not yet settled. */
  get inFlight(): number {
    return this.active;
  }

  get isAccepting(): boolean {
    return this.accepting;
  }

  /**
   * Runs `job` as tracked work. Once intake has stopped, rejects with a `WORK_REFUSED`
   * TelemetryError (see `isWorkRefused`) without calling `job`: a NATS handler then leaves the
   * message unacknowledged for redelivery to a live instance.
   */
  async run<T>(name: string, job: () => T | Promise<T>): Promise<T> {
    if (!this.accepting) {
      throw new TelemetryError(TelemetryErrorCode.WORK_REFUSED, `work refused, shutting down: ${name}`, name);
    }
    this.active += 1;
    try {
      return await job();
    } finally {
      this.active -= 1;
      if (this.active === 0) this.wakeIdle();
    }
  }

  /** Refuses new work from now on; work already running continues. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Resolves once no work is in flight (at once when none is). */
  drain(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private wakeIdle(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const wake of waiters) wake();
  }
}
