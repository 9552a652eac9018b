// The order manager's timers: one-off work after a delay (resolving an unknown outcome, asking for
// a reconciliation again) and repeated work (the outbox gauge). One owner, so stopping the service
// clears every timer it set, and work scheduled while it stops is not started at all.

import type { Logger } from '@bourse/telemetry';
import type pg from 'pg';
import { listUnresolvedOutbox } from '../store/index.js';
import type { OrderManagerMetrics } from './metrics.js';

export class ServiceTimers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  /** Runs `work` once after `ms`; a failure is logged. Nothing is scheduled once the service stops. */
  after(ms: number, work: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work().catch((err: unknown) => this.log.error({ err }, 'scheduled work failed'));
    }, ms);
    this.timers.add(timer);
  }

  /** Runs `work` every `ms`, the next run scheduled when one ends. */
  everyMs(ms: number, work: () => void): void {
    const loop = (): void => {
      this.after(ms, async () => {
        work();
        loop();
      });
    };
    loop();
  }

  /** The service is stopping: nothing new is scheduled from here on. */
  close(): void {
    this.closed = true;
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Keeps `oms_outbox_unresolved` current: counted now and every 5 s. */
export async function watchOutboxGauge(
  timers: ServiceTimers,
  pool: pg.Pool,
  metrics: OrderManagerMetrics,
  log: Logger,
): Promise<void> {
  const refresh = async (): Promise<void> => {
    try {
      const entries = await listUnresolvedOutbox(pool);
      metrics.outboxUnresolved.set(entries.length);
    } catch (err) {
      log.warn({ err }, 'could not count unresolved outbox entries');
    }
  };
  timers.everyMs(5_000, () => void refresh());
  await refresh();
}
