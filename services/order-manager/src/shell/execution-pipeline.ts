// Everything the core learns goes through here, in order: persist (one transaction) → publish on
// EXEC (message id = event id, so JetStream drops a repeat) → tell the listeners (tactics). One
// queue, so a batch is published only after it and every batch before it are committed, and EXEC
// carries events in the order the OMS applied them.
//
// A failed commit is retried in the background until it lands (every write is idempotent: order
// rows are upserted from the tracker's current view, events and fills are keyed by their ids); the
// caller still sees the failure, so an order request is nak'ed rather than acked.
//
// Publishing is an outbox: every recorded event carries `published_at`, set once the stream acked
// it. After each commit the unpublished events are published oldest first; the first that cannot
// be published (after a few attempts) stops the round, so EXEC never carries an event before an
// older one, and the rest wait for the next round (a timer while behind, and `startPublishing()` at start).
// A publish that landed but whose mark did not is published again under the same id: JetStream
// drops it within its duplicate window, and EXEC consumers de-duplicate by event id after that.

import type { Bus } from '@bourse/bus';
import { ExecutionEvent } from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';
import { fillLogRecords, type Clock, type OrderTracker, type TrackerChange } from '@bourse/execution';
import type { ExecutionStore } from './execution-store.js';
import type { OrderManagerMetrics } from './metrics.js';

const ExecutionEventContract = { name: 'ExecutionEvent', schema: ExecutionEvent };
const PUBLISH_ATTEMPTS = 3;
const PERSIST_RETRY_MS = 1_000;
const DRAIN_BATCH = 100;
const DEFAULT_REPUBLISH_MS = 5_000;

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
  /** How often unpublished events are tried again while some are waiting (default 5 s). */
  readonly republishMs?: number;
}

export class ExecutionPipeline {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<ChangeListener>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private republishTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** True while recorded events wait for the EXEC stream (the last round stopped at a failure). */
  private behind = false;
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

  /** True while recorded events wait to be published. */
  get publishBacklog(): boolean {
    return this.behind;
  }

  /**
   * Publishes every recorded event not yet acknowledged (at start, before new work), then keeps
   * trying on a timer whenever a round stops at a failure. Resolves once the first round is done.
   */
  async startPublishing(): Promise<void> {
    const run = this.queue.then(() => this.publishRecorded());
    this.queue = run.catch(() => undefined);
    await run;
    const every = this.o.republishMs ?? DEFAULT_REPUBLISH_MS;
    const tick = (): void => {
      this.republishTimer = setTimeout(() => {
        if (this.stopped) return;
        if (this.behind) {
          const round = this.queue.then(() => this.publishRecorded());
          this.queue = round.catch(() => undefined);
        }
        tick();
      }, every);
      this.republishTimer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    if (this.republishTimer !== undefined) clearTimeout(this.republishTimer);
  }

  private async step(changes: readonly TrackerChange[], extraEvents: readonly ExecutionEvent[]): Promise<void> {
    try {
      const result = await this.o.store.persist(changes);
      if (result.newFills > 0) this.o.metrics.fills.inc(result.newFills);
      for (const s of result.shortfalls) {
        this.o.metrics.failures.inc({ kind: 'balance' });
        this.o.logger.error(
          s,
          'a fill took a stored balance below zero; set to zero (the reconciler will see the drift)',
        );
      }
      // Logged once committed, so the line never claims a fill a retry might still lose.
      for (const c of changes) for (const record of fillLogRecords(c)) this.o.logger.info(record, 'fill applied');
    } catch (err) {
      this.o.metrics.failures.inc({ kind: 'persist' });
      this.o.logger.error(
        { err, orders: [...new Set(changes.map((c) => c.clientOrderId))] },
        'could not persist order changes; retrying in the background',
      );
      this.retryLater(changes, extraEvents);
      throw err;
    }
    for (const c of changes)
      for (const e of [...c.statusUpdates, ...c.fills.map((f) => f.event)])
        this.lastEventAt = Math.max(this.lastEventAt ?? 0, e.venueTime);
    await this.publishRecorded();
    // Events of requests refused before they were followed have no order row to be recorded with:
    // published once, best effort.
    for (const event of extraEvents) await this.publishOne(event);
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

  // One round: the unpublished events, oldest first, until none is left or one cannot be published.
  // Never throws: what is not published now waits in Postgres for the next round.
  private async publishRecorded(): Promise<void> {
    try {
      for (;;) {
        const batch = await this.o.store.unpublishedEvents(DRAIN_BATCH);
        const done: string[] = [];
        let stoppedAt: string | undefined;
        for (const row of batch) {
          const parsed = ExecutionEvent.safeParse(row.payload);
          if (!parsed.success) {
            // Recorded by an older version or by hand: it can never be published; do not let it block EXEC.
            this.o.metrics.badInput.inc({ kind: 'exec-outbox' });
            this.o.logger.error(
              { eventId: row.eventId, issues: parsed.error.issues },
              'recorded event is not an ExecutionEvent; skipped',
            );
            done.push(row.eventId);
            continue;
          }
          const outcome = await this.publishOne(parsed.data);
          if (outcome === 'failed') {
            stoppedAt = row.eventId;
            break;
          }
          done.push(row.eventId); // published, or never publishable (logged and counted)
        }
        await this.o.store.markPublished(done);
        if (stoppedAt !== undefined) {
          this.behind = true;
          this.o.logger.warn(
            { eventId: stoppedAt },
            'EXEC publish failed; this and later events stay in Postgres and are published again',
          );
          return;
        }
        if (batch.length < DRAIN_BATCH) {
          if (this.behind) this.o.logger.info('EXEC outbox drained');
          this.behind = false;
          return;
        }
      }
    } catch (err) {
      this.behind = true;
      this.o.metrics.failures.inc({ kind: 'persist' });
      this.o.logger.error({ err }, 'could not read or mark the EXEC outbox; trying again later');
    }
  }

  /**
   * Publishes one event with its event id as message id: `failed` when every attempt failed (try
   * again later), `unpublishable` when no subject can be named for it (never will be).
   */
  private async publishOne(event: ExecutionEvent): Promise<'published' | 'failed' | 'unpublishable'> {
    const subjects = this.o.bus.subjects;
    const symbol =
      this.o.tracker.get(event.clientOrderId)?.request.venueSymbol ?? this.o.venueSymbolOf(event.instrument);
    if (symbol === undefined) {
      this.o.metrics.failures.inc({ kind: 'exec' });
      this.o.logger.error({ eventId: event.eventId, instrument: event.instrument }, 'no venue symbol for event');
      return 'unpublishable';
    }
    const subject = event.type === 'fill' ? subjects.exec.fill(symbol) : subjects.exec.status(symbol);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.o.bus.publishDurable(subject, ExecutionEventContract, event, { msgId: event.eventId });
        return 'published';
      } catch (err) {
        if (attempt >= PUBLISH_ATTEMPTS) {
          this.o.metrics.failures.inc({ kind: 'exec' });
          this.o.logger.error(
            { err, eventId: event.eventId, clientOrderId: event.clientOrderId, subject },
            'EXEC publish failed',
          );
          return 'failed';
        }
      }
    }
  }
}
