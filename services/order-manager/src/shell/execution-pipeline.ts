// Everything the core learns goes through here, in order: persist (one transaction) → publish on
// EXEC (message id = event id, so JetStream drops a repeat) → tell the listeners (tactics). One
// queue, so a batch is published only after it and every batch before it are committed, and EXEC
// carries events in the order the OMS applied them.
//
// A failed commit is retried in the background until it lands (every write is idempotent: order
// rows are upserted from the tracker's current view, events and fills are keyed by their ids); the
// caller still sees the failure, so an order request is nak'ed rather than acked. A failed publish is
// retried a few times, then counted and logged: Postgres holds the fact, and the reconciler and the
// store are where consumers rebuild from.

import type { Bus } from '@bourse/bus';
import { ExecutionEvent } from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';
import type { Clock, OrderTracker, TrackerChange } from '../core/index.js';
import type { ExecutionStore } from './execution-store.js';
import type { OrderManagerMetrics } from './metrics.js';

const ExecutionEventContract = { name: 'ExecutionEvent', schema: ExecutionEvent };
const PUBLISH_ATTEMPTS = 3;
const PERSIST_RETRY_MS = 1_000;

export type ChangeListener = (changes: readonly TrackerChange[]) => void;

export interface ExecutionPipelineOptions {
  readonly bus: Bus;
  readonly store: ExecutionStore;
  readonly tracker: OrderTracker;
  readonly logger: Logger;
  readonly metrics: OrderManagerMetrics;
  readonly clock: Clock;
  /** The venue symbol (subject token) of an internal instrument symbol. */
  readonly venueSymbolOf: (instrument: string) => string | undefined;
}

export class ExecutionPipeline {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<ChangeListener>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Venue or OMS time of the last event applied. */
  lastEventAt: number | undefined;

  constructor(private readonly o: ExecutionPipelineOptions) {}

  onApplied(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Persists `changes`, then publishes their events (and `extraEvents`, e.g. a rejection of a
   * request that was never tracked). Resolves once committed and published; rejects when the commit
   * failed (a background retry is already scheduled).
   */
  apply(changes: readonly TrackerChange[], extraEvents: readonly ExecutionEvent[] = []): Promise<void> {
    const run = this.queue.then(() => this.step(changes, extraEvents));
    this.queue = run.catch(() => undefined);
    return run.then(() => {
      for (const listener of this.listeners) listener(changes);
    });
  }

  /** Resolves when every batch queued so far is done. */
  async idle(): Promise<void> {
    await this.queue;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
  }

  private async step(changes: readonly TrackerChange[], extraEvents: readonly ExecutionEvent[]): Promise<void> {
    try {
      const result = await this.o.store.persist(changes);
      if (result.newFills > 0) this.o.metrics.fills.inc(result.newFills);
    } catch (err) {
      this.o.metrics.failures.inc({ kind: 'persist' });
      this.o.logger.error(
        { err, orders: [...new Set(changes.map((c) => c.clientOrderId))] },
        'could not persist order changes; retrying in the background',
      );
      this.retryLater(changes, extraEvents);
      throw err;
    }
    await this.publish(changes, extraEvents);
  }

  private retryLater(changes: readonly TrackerChange[], extraEvents: readonly ExecutionEvent[]): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      // A retry goes through the queue like any batch, so it cannot overtake later commits' publishes.
      this.apply(changes, extraEvents).catch(() => undefined);
    }, PERSIST_RETRY_MS);
    timer.unref();
    this.retries.add(timer);
  }

  private async publish(changes: readonly TrackerChange[], extraEvents: readonly ExecutionEvent[]): Promise<void> {
    const events = [...changes.flatMap((c) => [...c.statusUpdates, ...c.fills.map((f) => f.event)]), ...extraEvents];
    const subjects = this.o.bus.subjects;
    for (const event of events) {
      this.lastEventAt = Math.max(this.lastEventAt ?? 0, event.venueTime);
      const symbol =
        this.o.tracker.get(event.clientOrderId)?.request.venueSymbol ?? this.o.venueSymbolOf(event.instrument);
      if (symbol === undefined) {
        this.o.metrics.failures.inc({ kind: 'exec' });
        this.o.logger.error({ eventId: event.eventId, instrument: event.instrument }, 'no venue symbol for event');
        continue;
      }
      const subject = event.type === 'fill' ? subjects.exec.fill(symbol) : subjects.exec.status(symbol);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.o.bus.publishDurable(subject, ExecutionEventContract, event, { msgId: event.eventId });
          break;
        } catch (err) {
          if (attempt >= PUBLISH_ATTEMPTS) {
            this.o.metrics.failures.inc({ kind: 'exec' });
            this.o.logger.error(
              { err, eventId: event.eventId, clientOrderId: event.clientOrderId, subject },
              'EXEC publish failed; the event is in Postgres (order_events) only',
            );
            break;
          }
        }
      }
    }
  }
}
