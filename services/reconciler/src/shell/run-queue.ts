// One run at a time. A trigger that arrives while a run is going waits for the next run, and every
// trigger that arrives before that next run starts shares it (they coalesce); the shared run takes
// the most significant trigger (start > operator > reconnect > schedule) so its report says why it
// ran. Each caller gets the outcome of a run that started after it asked.

import type { ReconciliationTrigger } from '@bourse/contracts';

const RANK: Record<ReconciliationTrigger, number> = { schedule: 0, reconnect: 1, operator: 2, start: 3 };

export class RunQueue<R> {
  private running: Promise<void> | undefined;
  private pending: { trigger: ReconciliationTrigger; waiters: ((outcome: R) => void)[] } | undefined;
  private stopped = false;

  /** `execute` must not throw: it returns the outcome, failed or not. */
  constructor(private readonly execute: (trigger: ReconciliationTrigger) => Promise<R>) {}

  /** True while a run is going or waiting. */
  get busy(): boolean {
    return this.running !== undefined || this.pending !== undefined;
  }

  request(trigger: ReconciliationTrigger): Promise<R> {
    if (this.stopped) return Promise.reject(new Error('the reconciler is stopping'));
    return new Promise<R>((resolve) => {
      if (this.pending) {
        if (RANK[trigger] > RANK[this.pending.trigger]) this.pending.trigger = trigger;
        this.pending.waiters.push(resolve);
      } else {
        this.pending = { trigger, waiters: [resolve] };
      }
      this.kick();
    });
  }

  /** No new run starts; resolves once the current one (and a queued one) ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running || !this.pending) return;
    const { trigger, waiters } = this.pending;
    this.pending = undefined;
    this.running = this.execute(trigger).then((outcome) => {
      for (const resolve of waiters) resolve(outcome);
    });
    void this.running.finally(() => {
      this.running = undefined;
      this.kick();
    });
  }
}
