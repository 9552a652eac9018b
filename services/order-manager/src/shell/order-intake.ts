// Order requests in: de-duplication of redeliveries (a request the journal has is never sent twice),
// limit chases handed to the tactic runner, and every other request journaled and sent through the
// execution core's submission, held while submission is paused. Outcomes the venue left unknown are
// resolved later by query; entries a crash left unresolved are settled at start-up.

import type { OrderRequest } from '@bourse/contracts';
import type { Order } from '@bourse/domain';
import {
  expiryOf,
  recoverOutboxEntry,
  resolveOutbox,
  submitOrder,
  untrackedRejection,
  type Clock,
  type Journal,
  type OrderTracker,
  type OutboxEntry,
  type SubmissionDeps,
  type SubmissionOutcome,
  type SubmissionResult,
  type TrackerChange,
} from '@bourse/execution';
import { annotateSpan, tradingAttributes, withSpan, type Logger } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { insertOutbox, listUnresolvedOutbox, loadOrder, loadOutbox, markOutbox, tacticExists } from '../store/index.js';
import type { ExecutionPipeline } from './execution-pipeline.js';
import type { OrderManagerMetrics } from './metrics.js';
import type { OrderRecall } from './order-recall.js';
import type { OrderTraces } from './order-traces.js';
import type { ServiceTimers } from './service-timers.js';
import type { SubmissionGate } from './submission-gate.js';
import { wantsChase, type TacticRunner } from './tactic-runner.js';
import type { TradingStateWatch } from './trading-state-watch.js';

export interface OrderIntakeDeps {
  readonly pool: pg.Pool;
  readonly venue: VenueClient;
  readonly clock: Clock;
  /** Receive window + margin: how long a venue that does not know an id may still receive it. */
  readonly safeHorizonMs: number;
  readonly tracker: OrderTracker;
  readonly tradingState: TradingStateWatch;
  readonly pipeline: ExecutionPipeline;
  readonly traces: OrderTraces;
  readonly gate: SubmissionGate;
  readonly recall: OrderRecall;
  readonly timers: ServiceTimers;
  readonly metrics: OrderManagerMetrics;
  readonly logger: Logger;
  /** The tactic runner, once started. */
  tactics(): TacticRunner | undefined;
}

export class OrderIntake {
  private readonly unresolved = new Set<string>();

  constructor(private readonly d: OrderIntakeDeps) {}

  /** One request from ORDERS; resolves once what it started is durable (then it may be acked). */
  async onOrderRequest(request: OrderRequest): Promise<void> {
    const { pool, tracker, metrics, logger: log } = this.d;
    const id = request.clientOrderId;
    const known =
      tracker.get(id) !== undefined ||
      (await loadOutbox(pool, id)) !== undefined ||
      (wantsChase(request) && (await tacticExists(pool, id)));
    if (known) {
      // A redelivery: the journal has it. Write the order's current view again in case the first
      // attempt failed after the venue call, and ack; it is never sent twice.
      const tracked = tracker.get(id);
      if (tracked !== undefined) await this.d.pipeline.apply([{ ...rewrite(id), tracked }]);
      else await this.recordJournaledRefusal(id);
      metrics.submissions.inc({ outcome: 'duplicate' });
      log.info({ clientOrderId: id }, 'order request already journaled; not sent again');
      return;
    }
    const tactics = this.d.tactics();
    if (wantsChase(request) && tactics !== undefined) {
      await this.d.gate.waitUntilRunning();
      // A stale decision starts no chase: submission journals it and refuses it as expired (DESIGN 13).
      if (expiryOf(request, this.d.clock.now()) !== undefined) {
        await this.submit(request);
        return;
      }
      // The chase's steps (its child orders, cancels, fallback) join the request's trace.
      await this.d.traces.record(id);
      // Resolves once the chase is committed: acking after that cannot lose it, quote or not.
      if (!(await tactics.begin(request))) {
        metrics.submissions.inc({ outcome: 'duplicate' });
        log.info({ clientOrderId: id }, 'limit chase already stored; not started again');
      }
      return;
    }
    await this.submit(request);
  }

  /** Waits while submission is paused, then journals and sends; resolves once the outcome is durable. */
  async submit(request: OrderRequest): Promise<SubmissionOutcome> {
    const { clock, metrics } = this.d;
    if (this.d.gate.paused) {
      this.d.logger.info({ clientOrderId: request.clientOrderId }, 'order request held while submission is paused');
    }
    await this.d.gate.waitUntilRunning();
    const startedAt = clock.now();
    // A clock step can put the decision after the start; a negative latency would only mislead.
    metrics.decisionToSubmissionSeconds.observe(Math.max(0, startedAt - request.createdAt) / 1_000);
    // The order's span in the OMS: journaling, the venue call and its answer are its children.
    const attributes = tradingAttributes({
      clientOrderId: request.clientOrderId,
      strategyId: request.strategyId,
      strategyVersion: request.strategyVersion,
      instrument: request.instrument,
      intentId: request.intentId,
    });
    const result = await withSpan('order.submit', { attributes }, async () => {
      const submitted = await submitOrder(request, this.submissionDeps());
      if (submitted.outcome.kind === 'accepted') {
        const ackAt = clock.now();
        metrics.submissionToAckSeconds.observe((ackAt - startedAt) / 1_000);
        // Two clocks (the gateway's and ours) can disagree by a little: never a negative latency.
        if (request.marketDataAt !== undefined)
          metrics.tickToTradeSeconds.observe(Math.max(0, ackAt - request.marketDataAt) / 1_000);
      }
      await this.handleSubmission(submitted);
      return submitted;
    });
    metrics.submissionSeconds.observe({ outcome: result.outcome.kind }, (clock.now() - startedAt) / 1_000);
    return result.outcome;
  }

  /**
   * A chase child refused before the tracker followed it: followed from here on as an order the OMS
   * rejected, and its row stored so it shows with the others (`bourse orders --all`). EXEC gets the
   * refusal under the event id it was published with when refused (a repeat is dropped by id): the
   * risk gate frees what it holds for the order even when that first publish died with a process.
   */
  async recordRefusal(request: OrderRequest, reason: string): Promise<Order> {
    const { tracker } = this.d;
    const at = this.d.clock.now();
    const id = request.clientOrderId;
    const tracked = tracker.track(request, at);
    const rejected = tracker.applyLocal(id, { type: 'rejected', reason, by: 'bourse' }, at);
    await this.d.pipeline.apply([
      { ...tracked, statusUpdates: [] },
      { ...rejected, statusUpdates: [untrackedRejection(request, reason, at)] },
    ]);
    const order = tracker.get(id)?.order;
    if (order === undefined) throw new Error(`order ${id} is not followed after it was tracked`);
    return order;
  }

  /**
   * A request the journal refused (expired, or refused on our side) whose order row was never
   * written: the process died between marking the outbox and committing the row. The redelivery
   * records the refusal the journal holds, so the strategy hears of it and the books show it.
   */
  private async recordJournaledRefusal(id: string): Promise<void> {
    const { pool, tracker } = this.d;
    const entry = await loadOutbox(pool, id);
    if (entry?.state !== 'failed' || (await loadOrder(pool, id)) !== undefined) return;
    const reason = entry.lastError ?? 'refused before it was sent';
    const at = this.d.clock.now();
    const tracked = tracker.track(entry.request, entry.createdAt);
    const refused = tracker.applyLocal(
      id,
      reason.startsWith('expired')
        ? { type: 'expired', reason, ...ageOf(entry.request, entry.updatedAt) }
        : { type: 'rejected', reason, by: 'bourse' },
      at,
    );
    await this.d.pipeline.apply([tracked, refused]);
    this.d.logger.warn({ clientOrderId: id, reason }, 'journaled refusal had no order row; recorded on redelivery');
  }

  /** Start-up: every outbox entry a previous run left unresolved, settled by asking the venue. */
  async recoverOutbox(): Promise<void> {
    const { traces } = this.d;
    const entries = await listUnresolvedOutbox(this.d.pool);
    for (const entry of entries) {
      this.d.logger.info(
        { clientOrderId: entry.clientOrderId, state: entry.state },
        'settling outbox entry after restart',
      );
      await traces.recall(entry.clientOrderId);
      await traces.inOrder('order.recover', entry.clientOrderId, { 'bourse.outbox.state': entry.state }, async () =>
        this.handleSubmission(await recoverOutboxEntry(entry, this.submissionDeps())),
      );
    }
  }

  private async handleSubmission(result: SubmissionResult): Promise<void> {
    const { outcome, clientOrderId } = result;
    const { metrics, logger } = this.d;
    metrics.submissions.inc({ outcome: outcome.kind });
    const tracked = this.d.tracker.get(clientOrderId);
    const extra = tracked === undefined ? result.events : [];
    await this.d.pipeline.apply(result.changes, extra);
    const log = { clientOrderId, strategyId: tracked?.request.strategyId, outcome: outcome.kind };
    annotateSpan({
      'bourse.order.outcome': outcome.kind,
      ...(outcome.kind === 'accepted' ? tradingAttributes({ venueOrderId: outcome.venueOrder.venueOrderId }) : {}),
    });
    switch (outcome.kind) {
      case 'unknown':
        this.unresolved.add(clientOrderId);
        logger.warn({ ...log, reason: outcome.reason, resolveAt: outcome.resolveAt }, 'order outcome unknown');
        this.scheduleResolve(outcome.entry, outcome.resolveAt);
        break;
      case 'conflict':
        logger.error({ ...log, reason: outcome.reason }, 'venue holds a different order under our id: look at it');
        break;
      case 'rejected':
      case 'refused':
      case 'abandoned':
      case 'expired':
        this.unresolved.delete(clientOrderId);
        logger.warn({ ...log, reason: outcome.reason }, 'order not placed');
        break;
      case 'accepted':
        this.unresolved.delete(clientOrderId);
        logger.info(
          { ...log, venueOrderId: outcome.venueOrder.venueOrderId, resolvedByQuery: outcome.resolvedByQuery },
          'order placed',
        );
        // A query answered for a lost response: the fills it reports may never come on the stream.
        if (outcome.resolvedByQuery) await this.d.recall.bookMissingFills(clientOrderId, 'resolved by query');
        break;
      case 'duplicate':
        break;
    }
  }

  private scheduleResolve(entry: OutboxEntry, at: number): void {
    this.d.timers.after(Math.max(0, at - this.d.clock.now()), async () => {
      const current = (await loadOutbox(this.d.pool, entry.clientOrderId)) ?? entry;
      if (current.state !== 'unknown') return;
      await this.d.traces.inOrder('order.resolve', entry.clientOrderId, {}, async () =>
        this.handleSubmission(await resolveOutbox(current, this.submissionDeps())),
      );
    });
  }

  private submissionDeps(): SubmissionDeps {
    const { pool, traces } = this.d;
    const journal: Journal = {
      commitOutbox: async (request, at) => {
        // Stored before the row: the order's later steps join the trace the order is journaled in.
        await traces.record(request.clientOrderId);
        return withSpan('order.outbox.write', { attributes: traces.attributes(request.clientOrderId, request) }, () =>
          insertOutbox(pool, request, at),
        );
      },
      markOutbox: (id, state, options) => markOutbox(pool, id, state, options),
    };
    return {
      journal,
      venue: this.d.venue,
      tracker: this.d.tracker,
      clock: this.d.clock,
      tradingState: this.d.tradingState,
      policy: { safeHorizonMs: this.d.safeHorizonMs, maxSubmissions: 2 },
    };
  }
}

/** A change that only asks for the order's current row to be written again. */
function rewrite(clientOrderId: string): TrackerChange {
  return { clientOrderId, outcome: 'ignored', statusUpdates: [], fills: [], positions: [] };
}

/** The decision's age at `at`, when the request says when it was decided. */
function ageOf(request: OrderRequest, at: number): { decisionAgeMs?: number } {
  return request.decidedAt === undefined ? {} : { decisionAgeMs: Math.max(0, at - request.decidedAt) };
}
