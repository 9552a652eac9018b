// The order manager's shell around its core. Start order (DESIGN 9): migrate and load the store →
// the venue's instruments → the trading-state KV → the user-data stream → every unresolved outbox
// entry settled by querying the venue by client order id → every stored limit chase resumed →
// commands → the ORDERS consumer → ready.
// Everything the core decides goes through ExecutionPipeline (persist, then publish on EXEC).

import {
  DURABLE_CONSUMERS,
  type Bus,
  type BusSubscription,
  type ConsumerHandle,
  type KvWatchHandle,
} from '@bourse/bus';
import {
  CancelAllCommand,
  CancelCommand,
  OrderRequest,
  ReconNowCommand,
  ReconciliationReport,
  StatusCommand,
  TradingState,
  VenueCorrections,
  VenueCorrectionsApplied,
  operatorReplyOf,
  type ClientOrderId,
  type InstrumentSymbol,
} from '@bourse/contracts';
import { InstrumentRegistry, isTerminal, type Order } from '@bourse/domain';
import type { BookDepthSource } from './book-depth.js';
import { ChildOrderIds } from './child-order-ids.js';
import { annotateSpan, tradingAttributes, withSpan, type Logger, type Metrics } from '@bourse/telemetry';
import type { UserDataEvent, UserDataFeed, VenueClient } from '@bourse/venues';
import type pg from 'pg';
import {
  executeCancel,
  expiryOf,
  OrderTracker,
  planOperatorCommand,
  recoverMissingFills,
  recoverOutboxEntry,
  resolveOutbox,
  submitOrder,
  untrackedRejection,
  type CancelResult,
  type Clock,
  type Journal,
  type OutboxEntry,
  type SubmissionDeps,
  type SubmissionOutcome,
  type SubmissionResult,
  type TrackerChange,
} from '@bourse/execution';
import {
  bookBalanceTransfer,
  finishTactic,
  insertOutbox,
  insertTactic,
  listActiveTactics,
  listFillsOfOrders,
  listUnbookedOrders,
  listUnresolvedOutbox,
  loadOrder,
  loadOutbox,
  loadPositions,
  markOutbox,
  migrateOrderManagerStore,
  recordChildCancel,
  recordTacticChild,
  storedFillIds,
  tacticExists,
} from '../store/index.js';
import { CancelExecutionReply, OmsStatusReply, type CancelExecutionResult, type OmsStatus } from './command-replies.js';
import type { z } from 'zod';
import { ExecutionPipeline } from './execution-pipeline.js';
import { ExecutionStore } from './execution-store.js';
import { createOrderManagerMetrics, type OrderManagerMetrics } from './metrics.js';
import {
  fillEventOfRecord,
  orderOfStored,
  restoreState,
  seedBalances,
  syncInstruments,
  type RestoreSummary,
} from './restore.js';
import {
  nextSubmissionPause,
  RUNNING,
  type SubmissionPauseEffect,
  type SubmissionPauseEvent,
  type SubmissionPauseState,
} from './submission-pause.js';
import { trackChaseChildren } from './tactic-resume.js';
import { TacticRunner, wantsChase, type ChaseSettings, type TacticJournal } from './tactic-runner.js';
import { TradingStateWatch } from './trading-state-watch.js';
import { OrderTraces } from './order-traces.js';

const SERVICE = 'order-manager';
const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const TradingStateContract = { name: 'TradingState', schema: TradingState };
const ReportContract = { name: 'ReconciliationReport', schema: ReconciliationReport };
const ReconNowContract = { name: 'ReconNowCommand', schema: ReconNowCommand };
const ReconReplyContract = { name: 'ReconNowReply', schema: operatorReplyOf(ReconciliationReport) };
const CorrectionsReplyContract = { name: 'VenueCorrectionsReply', schema: operatorReplyOf(VenueCorrectionsApplied) };

export interface OrderManagerServiceOptions {
  readonly bus: Bus;
  readonly pool: pg.Pool;
  /** Connected already (BinanceVenueClient.connect). */
  readonly venue: VenueClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Receive window + margin: how long a venue that does not know an id may still receive it. */
  readonly safeHorizonMs: number;
  readonly chase: ChaseSettings;
  /** 4 characters of 0-9a-z: part of every client order id the OMS's tactics make. */
  readonly instanceTag: string;
  readonly reconRetryMs?: number;
  readonly reconTimeoutMs?: number;
  /** How often events the EXEC stream did not take are tried again (default 5 s). */
  readonly execRepublishMs?: number;
  /** The far side of the book for the market fallback's guards (the gateway's Redis snapshot). */
  readonly bookDepth?: BookDepthSource;
}

/** Thrown to a held order request when the service stops while submission is paused: it is nak'ed, not lost. */
export class SubmissionStoppedError extends Error {
  override readonly name = 'SubmissionStoppedError';
  readonly code = 'OMS_STOPPING';
  readonly value = undefined;
  constructor() {
    super('the order manager is stopping; the request is handed back for redelivery');
  }
}

export class OrderManagerService {
  readonly tracker = new OrderTracker();
  private readonly o: OrderManagerServiceOptions;
  private readonly log: Logger;
  private readonly metrics: OrderManagerMetrics;
  private readonly store: ExecutionStore;
  private readonly tradingState = new TradingStateWatch();
  private readonly pipelineRef: ExecutionPipeline;
  private registry: InstrumentRegistry;
  private tactics: TacticRunner | undefined;
  private feed: UserDataFeed | undefined;
  private consumer: ConsumerHandle | undefined;
  private watch: KvWatchHandle | undefined;
  private subscriptions: BusSubscription[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pause: SubmissionPauseState = RUNNING;
  private readonly pauseWaiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  private readonly childIds: ChildOrderIds;
  private readonly traces: OrderTraces;
  private unresolved = new Set<string>();
  private started = false;
  private stopping = false;
  private restoredRef: Omit<RestoreSummary, 'instruments'> | undefined;

  constructor(options: OrderManagerServiceOptions) {
    this.o = options;
    this.log = options.logger.child({ component: SERVICE });
    this.metrics = createOrderManagerMetrics(
      options.metrics,
      () => this.tracker.liveOrders(),
      () => loadPositions(options.pool),
    );
    this.store = new ExecutionStore(options.pool, this.tracker, options.clock);
    this.registry = new InstrumentRegistry(options.venue.venue);
    this.pipelineRef = new ExecutionPipeline({
      bus: options.bus,
      store: this.store,
      tracker: this.tracker,
      logger: this.log,
      metrics: this.metrics,
      clock: options.clock,
      venueSymbolOf: (instrument) => this.registry.get(instrument)?.venueSymbol,
      ...(options.execRepublishMs !== undefined ? { republishMs: options.execRepublishMs } : {}),
    });
    this.childIds = new ChildOrderIds(options.instanceTag);
    this.traces = new OrderTraces(options.pool, this.tracker, options.clock, this.log);
  }

  /** What the last start read back from the store (open orders, fill rows, the checkpoint it continued from). */
  get restored(): Omit<RestoreSummary, 'instruments'> | undefined {
    return this.restoredRef;
  }

  get pipeline(): ExecutionPipeline {
    return this.pipelineRef;
  }

  /** True once started and consuming, while NATS is connected. */
  get isReady(): boolean {
    return this.started && !this.stopping && this.o.bus.isConnected();
  }

  get submissionPaused(): boolean {
    return this.pause.kind !== 'running';
  }

  /** Order requests held unacked while submission is paused. */
  get heldRequests(): number {
    return this.pauseWaiters.size;
  }

  /** One venue user-data event, as the stream delivers it (also the entry for replays and tests). */
  applyVenueEvent(event: UserDataEvent): void {
    this.onUserData(event);
  }

  async start(): Promise<void> {
    const { pool, venue, bus, clock } = this.o;
    await migrateOrderManagerStore(pool);
    const specs = await venue.fetchInstruments();
    this.registry = new InstrumentRegistry(venue.venue, specs);
    const synced = await syncInstruments(pool, specs, clock.now());
    const restored = await restoreState(pool, this.tracker, this.store, venue.venue);
    this.restoredRef = restored;
    const traced = await this.traces.load();
    this.log.debug(
      { instruments: synced.stored, skipped: synced.skipped.length, ...restored, traced },
      'state restored',
    );
    const seeded = await seedBalances(pool, venue, clock.now());
    if (seeded !== undefined) this.log.debug({ assets: seeded }, 'no stored balances: seeded from the venue account');
    // Events recorded but never acknowledged by EXEC (a crash, an outage) go out before anything new.
    await this.pipelineRef.startPublishing();

    const kv = await bus.tradingState(TradingStateContract);
    this.watch = await kv.watch((change) => {
      const mode = this.tradingState.apply(change);
      if (change.isUpdate) this.log.info({ key: change.key, mode }, 'trading state changed');
    });
    await this.tradingState.prime(kv);

    this.tactics = new TacticRunner({
      bus,
      venue: venue.venue,
      registry: this.registry,
      clock,
      logger: this.log,
      metrics: this.metrics,
      settings: this.o.chase,
      ports: {
        submit: (request) => this.submitGated(request),
        recordRefusal: (request, reason) => this.recordRefusal(request, reason),
        cancel: (clientOrderId, instrument) => this.cancelOne(clientOrderId, instrument).then(() => undefined),
        childClientOrderId: (parent, seq) => this.childIds.of(parent.clientOrderId, seq),
        currentOrder: (clientOrderId) => this.tracker.get(clientOrderId)?.order,
        inTrace: (parentId, effects, run) =>
          this.traces.inOrder('order.chase.step', parentId, { 'bourse.chase.effects': effects.join(',') }, run),
      },
      journal: this.tacticJournal(),
      ...(this.o.bookDepth !== undefined ? { depth: this.o.bookDepth } : {}),
    });
    this.pipelineRef.onApplied((changes) => this.tactics?.onChanges(changes));

    const feed = venue.userData();
    this.feed = feed;
    feed.on((event) => this.onUserData(event));
    await feed.start();
    this.log.debug('user-data stream subscribed');

    await this.recoverOutbox();
    // Orders the venue reported filled whose fills never reached us (the process died between the
    // query and booking them): their trades are asked for before anything new is taken.
    await this.bookUnbookedOrders();
    // After the outbox is settled (its children tracked) and before ORDERS: a chase is never both
    // resumed and started again from a redelivered request.
    await this.resumeTactics();

    const subjects = bus.subjects;
    const cmd = (name: string) => subjects.command(SERVICE, name);
    this.subscriptions.push(
      bus.serve(cmd('cancel'), { name: 'CancelCommand', schema: CancelCommand }, replyOf(), (c) => this.onCancel(c)),
      bus.serve(cmd('cancel-all'), { name: 'CancelAllCommand', schema: CancelAllCommand }, replyOf(), (c) =>
        this.onCancel(c),
      ),
      bus.serve(
        cmd('apply-corrections'),
        { name: 'VenueCorrections', schema: VenueCorrections },
        CorrectionsReplyContract,
        (c) => this.onCorrections(c),
      ),
      bus.serve(cmd('status'), { name: 'StatusCommand', schema: StatusCommand }, statusReply(), () => this.onStatus()),
      bus.subscribe(subjects.reconReport(), ReportContract, (report) => {
        this.dispatchPause({ type: 'recon-report', report });
      }),
    );
    this.tactics.start();
    this.consumer = await bus.consume(DURABLE_CONSUMERS.orderManagerRequests, OrderRequestContract, (request) =>
      this.onOrderRequest(request),
    );
    await bus.flush();
    this.everyMs(5_000, () => void this.refreshOutboxGauge());
    await this.refreshOutboxGauge();
    this.started = true;
    this.log.debug({ venue: venue.venue, openOrders: this.tracker.liveOrders().length }, 'order manager started');
  }

  /** Stops intake (ORDERS first), lets in-flight work finish, closes the stream; leaves bus, pool and venue to the caller. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.pauseWaiters) w.reject(new SubmissionStoppedError());
    this.pauseWaiters.clear();
    await this.consumer?.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.tactics?.stop();
    for (const sub of this.subscriptions) await sub.unsubscribe();
    this.subscriptions = [];
    await this.watch?.stop();
    await this.feed?.close();
    await this.pipelineRef.idle();
    this.pipelineRef.stop();
    this.started = false;
  }

  // ---- order requests -------------------------------------------------------------------------

  private async onOrderRequest(request: OrderRequest): Promise<void> {
    const id = request.clientOrderId;
    const known =
      this.tracker.get(id) !== undefined ||
      (await loadOutbox(this.o.pool, id)) !== undefined ||
      (wantsChase(request) && (await tacticExists(this.o.pool, id)));
    if (known) {
      // A redelivery: the journal has it. Write the order's current view again in case the first
      // attempt failed after the venue call, and ack; it is never sent twice.
      const tracked = this.tracker.get(id);
      if (tracked !== undefined) await this.pipelineRef.apply([{ ...rewrite(id), tracked }]);
      this.metrics.submissions.inc({ outcome: 'duplicate' });
      this.log.info({ clientOrderId: id }, 'order request already journaled; not sent again');
      return;
    }
    if (wantsChase(request) && this.tactics !== undefined) {
      await this.waitUntilRunning();
      // A stale decision starts no chase: submission journals it and refuses it as expired (DESIGN 13).
      if (expiryOf(request, this.o.clock.now()) !== undefined) {
        await this.submitGated(request);
        return;
      }
      // The chase's steps (its child orders, cancels, fallback) join the request's trace.
      await this.traces.record(id);
      // Resolves once the chase is committed: acking after that cannot lose it, quote or not.
      if (!(await this.tactics.begin(request))) {
        this.metrics.submissions.inc({ outcome: 'duplicate' });
        this.log.info({ clientOrderId: id }, 'limit chase already stored; not started again');
      }
      return;
    }
    await this.submitGated(request);
  }

  /** Waits while submission is paused, then journals and sends; resolves once the outcome is durable. */
  private async submitGated(request: OrderRequest): Promise<SubmissionOutcome> {
    if (this.submissionPaused) {
      this.log.info({ clientOrderId: request.clientOrderId }, 'order request held while submission is paused');
    }
    await this.waitUntilRunning();
    const startedAt = this.o.clock.now();
    // A clock step can put the decision after the start; a negative latency would only mislead.
    this.metrics.decisionToSubmissionSeconds.observe(Math.max(0, startedAt - request.createdAt) / 1_000);
    // The order's span in the OMS: journaling, the venue call and its answer are its children.
    const attributes = tradingAttributes({
      clientOrderId: request.clientOrderId,
      strategyId: request.strategyId,
      strategyVersion: request.strategyVersion,
      instrument: request.instrument,
      intentId: request.intentId,
    });
    const result = await withSpan('order.submit', { attributes }, async () => {
      const submitted = await submitOrder(request, this.deps());
      if (submitted.outcome.kind === 'accepted') {
        this.metrics.submissionToAckSeconds.observe((this.o.clock.now() - startedAt) / 1_000);
      }
      await this.handleSubmission(submitted);
      return submitted;
    });
    this.metrics.submissionSeconds.observe({ outcome: result.outcome.kind }, (this.o.clock.now() - startedAt) / 1_000);
    return result.outcome;
  }

  /**
   * A chase child refused before the tracker followed it: followed from here on as an order the OMS
   * rejected, and its row stored so it shows with the others (`bourse orders --all`). EXEC gets the
   * refusal under the event id it was published with when refused (a repeat is dropped by id): the
   * risk gate frees what it holds for the order even when that first publish died with a process.
   */
  private async recordRefusal(request: OrderRequest, reason: string): Promise<Order> {
    const at = this.o.clock.now();
    const id = request.clientOrderId;
    const tracked = this.tracker.track(request, at);
    const rejected = this.tracker.applyLocal(id, { type: 'rejected', reason, by: 'bourse' }, at);
    await this.pipelineRef.apply([
      { ...tracked, statusUpdates: [] },
      { ...rejected, statusUpdates: [untrackedRejection(request, reason, at)] },
    ]);
    const order = this.tracker.get(id)?.order;
    if (order === undefined) throw new Error(`order ${id} is not followed after it was tracked`);
    return order;
  }

  private async handleSubmission(result: SubmissionResult): Promise<void> {
    const { outcome, clientOrderId } = result;
    this.metrics.submissions.inc({ outcome: outcome.kind });
    const tracked = this.tracker.get(clientOrderId);
    const extra = tracked === undefined ? result.events : [];
    await this.pipelineRef.apply(result.changes, extra);
    const log = { clientOrderId, strategyId: tracked?.request.strategyId, outcome: outcome.kind };
    annotateSpan({
      'bourse.order.outcome': outcome.kind,
      ...(outcome.kind === 'accepted' ? tradingAttributes({ venueOrderId: outcome.venueOrder.venueOrderId }) : {}),
    });
    switch (outcome.kind) {
      case 'unknown':
        this.unresolved.add(clientOrderId);
        this.log.warn({ ...log, reason: outcome.reason, resolveAt: outcome.resolveAt }, 'order outcome unknown');
        this.scheduleResolve(outcome.entry, outcome.resolveAt);
        break;
      case 'conflict':
        this.log.error({ ...log, reason: outcome.reason }, 'venue holds a different order under our id: look at it');
        break;
      case 'rejected':
      case 'refused':
      case 'abandoned':
      case 'expired':
        this.unresolved.delete(clientOrderId);
        this.log.warn({ ...log, reason: outcome.reason }, 'order not placed');
        break;
      case 'accepted':
        this.unresolved.delete(clientOrderId);
        this.log.info(
          { ...log, venueOrderId: outcome.venueOrder.venueOrderId, resolvedByQuery: outcome.resolvedByQuery },
          'order placed',
        );
        // A query answered for a lost response: the fills it reports may never come on the stream.
        if (outcome.resolvedByQuery) await this.bookMissingFills(clientOrderId, 'resolved by query');
        break;
      case 'duplicate':
        break;
    }
  }

  private scheduleResolve(entry: OutboxEntry, at: number): void {
    this.after(Math.max(0, at - this.o.clock.now()), async () => {
      const current = (await loadOutbox(this.o.pool, entry.clientOrderId)) ?? entry;
      if (current.state !== 'unknown') return;
      await this.traces.inOrder('order.resolve', entry.clientOrderId, {}, async () =>
        this.handleSubmission(await resolveOutbox(current, this.deps())),
      );
    });
  }

  private async recoverOutbox(): Promise<void> {
    const entries = await listUnresolvedOutbox(this.o.pool);
    for (const entry of entries) {
      this.log.info({ clientOrderId: entry.clientOrderId, state: entry.state }, 'settling outbox entry after restart');
      await this.traces.recall(entry.clientOrderId);
      await this.traces.inOrder(
        'order.recover',
        entry.clientOrderId,
        { 'bourse.outbox.state': entry.state },
        async () => this.handleSubmission(await recoverOutboxEntry(entry, this.deps())),
      );
    }
  }

  /**
   * Asks the venue for the trades of an order whose fills do not add up to what the venue says it
   * executed, and books the missing ones (idempotent by fill id). Never throws: a failure is logged
   * and counted; the order stays unbooked in the store for the next start and the reconciler.
   */
  private async bookMissingFills(clientOrderId: string, why: string): Promise<void> {
    const { pool, venue } = this.o;
    try {
      const result = await recoverMissingFills(clientOrderId, {
        venue,
        tracker: this.tracker,
        storedFillIds: (instrument, ids) => storedFillIds(pool, venue.venue, instrument, ids),
      });
      if (result.kind === 'none') return;
      if (result.kind === 'failed') {
        this.metrics.recoveredFills.inc({ outcome: 'failed' });
        this.log.warn({ clientOrderId, why, reason: result.reason }, 'trades of an order missing fills not read');
        return;
      }
      await this.pipelineRef.apply(result.changes);
      this.metrics.recoveredFills.inc({ outcome: 'booked' }, result.booked.length);
      const detail = {
        clientOrderId,
        why,
        booked: result.booked,
        stillMissing: result.stillMissing.toString(),
        ...(result.refused.length > 0 ? { refused: result.refused } : {}),
      };
      if (result.stillMissing.isPositive() || result.refused.length > 0)
        this.log.warn(detail, 'fills of the order booked from the venue; some still missing');
      else this.log.info(detail, 'missing fills booked from the venue');
    } catch (err) {
      this.metrics.recoveredFills.inc({ outcome: 'failed' });
      this.log.error({ err, clientOrderId, why }, 'booking missing fills failed');
    }
  }

  /** Start-up: every stored order whose filled quantity is above its stored fills. */
  private async bookUnbookedOrders(): Promise<void> {
    const orders = await listUnbookedOrders(this.o.pool, this.o.venue.venue);
    for (const row of orders) {
      const followedBefore = this.tracker.get(row.clientOrderId) !== undefined;
      await this.follow(row.clientOrderId);
      await this.bookMissingFills(row.clientOrderId, 'not fully booked at start');
      if (!followedBefore) {
        await this.pipelineRef.idle();
        this.tracker.evict(row.clientOrderId);
      }
    }
    if (orders.length > 0) this.log.info({ orders: orders.length }, 'orders missing fills looked up at the venue');
  }

  private tacticJournal(): TacticJournal {
    const { pool, clock } = this.o;
    return {
      begin: (parent, startedAt) => insertTactic(pool, parent, startedAt),
      recordChild: async (parentId, child) => {
        await recordTacticChild(pool, parentId, child, clock.now());
      },
      recordCancel: (parentId, childId, reason) => recordChildCancel(pool, parentId, childId, reason, clock.now()),
      finish: async (parentId, outcome, reason) => {
        await finishTactic(pool, parentId, { outcome, reason, at: clock.now() });
      },
    };
  }

  /** Every active stored chase, its children tracked, rebuilt and carried on. */
  private async resumeTactics(): Promise<void> {
    const tactics = this.tactics;
    if (tactics === undefined) return;
    const active = await listActiveTactics(this.o.pool);
    for (const stored of active) {
      try {
        const followed = await trackChaseChildren(stored, {
          pool: this.o.pool,
          venue: this.o.venue,
          tracker: this.tracker,
          clock: this.o.clock,
          logger: this.log,
          follow: (id) => this.follow(id),
          apply: (changes) => this.pipelineRef.apply(changes),
          recordRefusal: (request, reason) => this.recordRefusal(request, reason),
        });
        await tactics.resume(stored);
        // Closed children were loaded only to count their fills; memory keeps open orders.
        for (const id of followed) this.tracker.evict(id);
      } catch (err) {
        // Left active: the next start tries again. Its children are followed as plain orders meanwhile.
        this.log.error({ err, clientOrderId: stored.parentClientOrderId }, 'limit chase not resumed');
      }
    }
    if (active.length > 0) this.log.info({ chases: active.length, running: tactics.active }, 'limit chases resumed');
  }

  private deps(): SubmissionDeps {
    const pool = this.o.pool;
    const journal: Journal = {
      commitOutbox: async (request, at) => {
        // Stored before the row: the order's later steps join the trace the order is journaled in.
        await this.traces.record(request.clientOrderId);
        return withSpan(
          'order.outbox.write',
          { attributes: this.traces.attributes(request.clientOrderId, request) },
          () => insertOutbox(pool, request, at),
        );
      },
      markOutbox: (id, state, options) => markOutbox(pool, id, state, options),
    };
    return {
      journal,
      venue: this.o.venue,
      tracker: this.tracker,
      clock: this.o.clock,
      tradingState: this.tradingState,
      policy: { safeHorizonMs: this.o.safeHorizonMs, maxSubmissions: 2 },
    };
  }

  // ---- venue user data ------------------------------------------------------------------------

  private onUserData(event: UserDataEvent): void {
    switch (event.kind) {
      case 'connection':
        if (event.state === 'reconnecting' || event.state === 'closed') {
          if (!this.stopping)
            this.dispatchPause({ type: 'stream-lost', at: event.time, reason: event.reason ?? event.state });
        } else if (event.state === 'open') {
          this.dispatchPause({ type: 'stream-open', at: event.time });
        }
        return;
      case 'order':
        this.traces.inOrder(
          'order.execution_report',
          event.update.clientOrderId,
          { 'bourse.execution_type': event.executionType, 'bourse.order.status': event.update.status },
          () => this.onExecutionReport(event),
        );
        return;
      case 'balances':
        // Stored balances move with the fills the OMS applies; an absolute report may already hold
        // a fill the OMS never got, and storing it would make the reconciler count that fill twice.
        this.log.debug({ assets: event.balances.map((b) => b.asset) }, 'venue balance report not stored');
        return;
      case 'balance-delta':
        // A deposit, withdrawal or transfer: not a fill, but it moves the account. Booked once per
        // venue event so our balances stay the venue's; one the stream never delivered shows as drift.
        void this.bookTransfer(event.asset, event.delta, event.time);
        return;
    }
  }

  private onExecutionReport(event: Extract<UserDataEvent, { kind: 'order' }>): void {
    const change = this.tracker.applyExecutionReport(event.update, event.fill);
    if (change.outcome === 'unknown-order') {
      this.log.warn({ clientOrderId: event.update.clientOrderId }, 'venue update for an order not followed here');
      return;
    }
    if (change.outcome === 'rejected') {
      this.metrics.badInput.inc({ kind: 'user-data' });
      this.log.error(
        { clientOrderId: change.clientOrderId, detail: change.detail },
        'venue update contradicts the order',
      );
    }
    if (change.outcome !== 'applied') return;
    annotateSpan(this.traces.attributes(change.clientOrderId));
    const apply = () => this.pipelineRef.apply([change]);
    const applied =
      event.fill === undefined
        ? apply()
        : withSpan(
            'order.fill',
            {
              attributes: {
                ...this.traces.attributes(change.clientOrderId),
                'bourse.fill.id': event.fill.venueFillId,
              },
            },
            apply,
          );
    applied.catch(() => undefined); // logged and retried by the pipeline
    const status = this.tracker.get(change.clientOrderId)?.order.status;
    if (status === undefined || isTerminal(status)) this.traces.forget(change.clientOrderId);
    return;
  }

  private async bookTransfer(asset: string, delta: string, venueTime: number): Promise<void> {
    const transfer = { venue: this.o.venue.venue, asset, delta, venueTime };
    try {
      const outcome = await bookBalanceTransfer(this.o.pool, transfer, this.o.clock.now());
      this.metrics.balanceTransfers.inc({ outcome: outcome.kind });
      if (outcome.kind === 'refused') {
        this.log.error(
          { asset, delta, venueTime, storedFree: outcome.free },
          'venue balance transfer exceeds the stored free balance; not booked (the reconciler will report the drift)',
        );
      } else {
        this.log.info({ asset, delta, venueTime, outcome: outcome.kind }, 'venue balance transfer');
      }
    } catch (err) {
      this.metrics.balanceTransfers.inc({ outcome: 'failed' });
      this.log.error({ err, asset, delta, venueTime }, 'venue balance transfer not booked');
    }
  }

  // ---- submission pause around reconnects -----------------------------------------------------

  private dispatchPause(event: SubmissionPauseEvent): void {
    const step = nextSubmissionPause(this.pause, event);
    this.pause = step.state;
    this.metrics.submissionPaused.set(this.pause.kind === 'running' ? 0 : 1);
    for (const effect of step.effects) this.onPauseEffect(effect);
  }

  private onPauseEffect(effect: SubmissionPauseEffect): void {
    switch (effect.kind) {
      case 'paused':
        this.log.warn({ reason: effect.reason }, 'order submission paused');
        return;
      case 'request-recon':
        void this.requestRecon();
        return;
      case 'retry-recon-later':
        this.log.warn({ reason: effect.reason }, 'reconciliation request failed; asking again later');
        this.after(this.o.reconRetryMs ?? 5_000, () => this.requestRecon());
        return;
      case 'report-ignored':
        this.log.info(
          { runId: effect.runId, reason: effect.reason },
          'reconciliation report does not resume submission',
        );
        return;
      case 'resumed':
        this.log.info({ runId: effect.runId, pausedForMs: effect.pausedForMs }, 'order submission resumed');
        for (const w of this.pauseWaiters) w.resolve();
        this.pauseWaiters.clear();
        return;
    }
  }

  private async requestRecon(): Promise<void> {
    if (this.stopping || this.pause.kind !== 'awaiting-recon') return;
    const { bus, clock } = this.o;
    try {
      const reply = await bus.request(
        bus.subjects.command('reconciler', 'recon-now'),
        ReconNowContract,
        { v: 1, command: 'recon-now', requestedBy: SERVICE, requestedAt: clock.now(), trigger: 'reconnect' },
        ReconReplyContract,
        { timeoutMs: this.o.reconTimeoutMs ?? 60_000 },
      );
      if (reply.ok) this.dispatchPause({ type: 'recon-report', report: reply.result });
      else
        this.dispatchPause({
          type: 'recon-request-failed',
          at: clock.now(),
          reason: `${reply.error.code}: ${reply.error.message}`,
        });
    } catch (err) {
      this.dispatchPause({
        type: 'recon-request-failed',
        at: clock.now(),
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private waitUntilRunning(): Promise<void> {
    if (this.stopping) return Promise.reject(new SubmissionStoppedError());
    if (this.pause.kind === 'running') return Promise.resolve();
    return new Promise((resolve, reject) => this.pauseWaiters.add({ resolve, reject }));
  }

  // ---- commands -------------------------------------------------------------------------------

  private async onCancel(command: CancelCommand | CancelAllCommand): Promise<CancelExecutionReply> {
    const plan = planOperatorCommand(command, this.tracker);
    if (!plan.reply.ok) return plan.reply;
    const base = plan.reply.result as Omit<CancelExecutionResult, 'canceled' | 'failed'>;
    const ids = new Set(plan.targets.map((t) => t.clientOrderId));
    await this.tactics?.abortFor(ids, `${command.command} by ${command.requestedBy}`);
    const canceled: ClientOrderId[] = [];
    const failed: { clientOrderId: ClientOrderId; reason: string }[] = [];
    // All at once, not one venue round trip after another: a kill switch's cancel-all must leave
    // nothing resting within a second however many orders the scope has. The pipeline still
    // journals the results one batch at a time.
    await Promise.all(
      plan.targets.map(async (target) => {
        try {
          const result = await this.cancelOne(target.clientOrderId, target.instrument);
          if (result.execution.kind === 'canceled') canceled.push(target.clientOrderId);
          else failed.push({ clientOrderId: target.clientOrderId, reason: failureOf(result) });
        } catch (err) {
          failed.push({
            clientOrderId: target.clientOrderId,
            reason: err instanceof Error ? err.message : String(err),
          });
        }
      }),
    );
    canceled.sort();
    this.log.info(
      { command: command.command, requestedBy: command.requestedBy, canceled, failed },
      'cancel command done',
    );
    return { v: 1, ok: true, result: { ...base, canceled, failed } };
  }

  private async cancelOne(clientOrderId: string, instrument: string): Promise<CancelResult> {
    await this.traces.recall(clientOrderId);
    const result = await this.traces.inOrder('order.cancel', clientOrderId, {}, async () => {
      const cancelled = await executeCancel(
        { clientOrderId: clientOrderId as ClientOrderId, instrument: instrument as InstrumentSymbol },
        { venue: this.o.venue, tracker: this.tracker, clock: this.o.clock },
      );
      await this.pipelineRef.apply(cancelled.changes);
      return cancelled;
    });
    // A cancel refused as too late is followed by a query: a fill it reports may be one the stream lost.
    const tracked = this.tracker.get(clientOrderId);
    if (tracked !== undefined && isTerminal(tracked.order.status))
      await this.bookMissingFills(clientOrderId, 'closed at cancel');
    return result;
  }

  private async onCorrections(c: VenueCorrections): Promise<z.infer<typeof CorrectionsReplyContract.schema>> {
    const counts = { fillsApplied: 0, fillsAlreadyKnown: 0, orderUpdatesApplied: 0, orderUpdatesAlreadyKnown: 0 };
    const changes: TrackerChange[] = [];
    const notApplied: string[] = [];
    for (const id of new Set([...c.fills, ...c.orderUpdates].map((e) => e.clientOrderId))) {
      await this.follow(id);
      await this.traces.recall(id);
      this.traces.correction(id, c.runId);
    }
    for (const update of c.orderUpdates) {
      const change = this.tracker.applyExecutionReport(update);
      if (change.outcome === 'applied') counts.orderUpdatesApplied += 1;
      else if (change.outcome === 'ignored') counts.orderUpdatesAlreadyKnown += 1;
      else notApplied.push(`update ${update.eventId}: ${change.outcome}${change.detail ? ` (${change.detail})` : ''}`);
      changes.push(change);
    }
    // Fills stored already (before the start's checkpoint, so not in the tracker's memory) are known.
    const stored = new Set<string>();
    for (const instrument of new Set(c.fills.map((f) => f.instrument))) {
      const ids = c.fills.filter((f) => f.instrument === instrument).map((f) => f.venueFillId);
      for (const id of await storedFillIds(this.o.pool, this.o.venue.venue, instrument, ids))
        stored.add(`${instrument}|${id}`);
    }
    for (const fill of c.fills) {
      if (stored.has(`${fill.instrument}|${fill.venueFillId}`)) {
        counts.fillsAlreadyKnown += 1;
        continue;
      }
      const change = this.tracker.applyFill(fill);
      if (change.outcome === 'applied') counts.fillsApplied += 1;
      else if (change.outcome === 'ignored') counts.fillsAlreadyKnown += 1;
      else notApplied.push(`fill ${fill.venueFillId}: ${change.outcome}${change.detail ? ` (${change.detail})` : ''}`);
      changes.push(change);
    }
    await this.pipelineRef.apply(changes.filter((ch) => ch.outcome === 'applied'));
    this.log.info({ runId: c.runId, ...counts, notApplied }, 'venue corrections applied');
    if (notApplied.length > 0) {
      this.metrics.badInput.inc({ kind: 'command' });
      return {
        v: 1,
        ok: false,
        error: { code: 'NOT_APPLIED', message: `applied the rest; could not apply ${notApplied.join('; ')}` },
      };
    }
    return { v: 1, ok: true, result: { v: 1, runId: c.runId, ...counts } };
  }

  /** Brings an order no longer in memory (closed and evicted, or never loaded) back from the store. */
  private async follow(clientOrderId: string): Promise<void> {
    if (this.tracker.get(clientOrderId) !== undefined) return;
    const [row, entry] = await Promise.all([
      loadOrder(this.o.pool, clientOrderId),
      loadOutbox(this.o.pool, clientOrderId),
    ]);
    if (row === undefined || entry === undefined) return;
    const order = orderOfStored(row);
    if (order === undefined) return;
    const seq = await this.o.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM order_events WHERE type = 'order-status' AND client_order_id = $1`,
      [clientOrderId],
    );
    this.tracker.restore(entry.request, order, Math.max(1, Number(seq.rows[0]?.n ?? '1')));
    this.store.rememberOrderVersion(clientOrderId, row.version);
    // Its stored fills are in the positions already: counted for the order and known by id, not applied again.
    for (const f of await listFillsOfOrders(this.o.pool, [clientOrderId]))
      this.tracker.restoreFill(fillEventOfRecord(f, entry.request.venueSymbol), true);
  }

  /** What the `status` command answers. */
  status(): OmsStatus {
    const reply = this.onStatus();
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result;
  }

  private onStatus(): OmsStatusReply {
    const result: OmsStatus = {
      openOrders: this.tracker.liveOrders().length,
      positions: this.tracker.positions.positions().map((p) => ({
        strategyId: p.strategyId,
        instrument: p.instrument,
        qty: p.qty.toString(),
        realizedPnl: p.realizedPnl.toString(),
      })) as OmsStatus['positions'],
      lastEventAt: this.pipelineRef.lastEventAt ?? null,
      submissionPaused: this.submissionPaused,
      activeTactics: this.tactics?.active ?? 0,
    };
    return { v: 1, ok: true, result };
  }

  // ---- timers ---------------------------------------------------------------------------------

  private async refreshOutboxGauge(): Promise<void> {
    try {
      const entries = await listUnresolvedOutbox(this.o.pool);
      this.metrics.outboxUnresolved.set(entries.length);
    } catch (err) {
      this.log.warn({ err }, 'could not count unresolved outbox entries');
    }
  }

  private after(ms: number, work: () => Promise<void>): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work().catch((err: unknown) => this.log.error({ err }, 'scheduled work failed'));
    }, ms);
    this.timers.add(timer);
  }

  private everyMs(ms: number, work: () => void): void {
    const loop = (): void => {
      this.after(ms, async () => {
        work();
        loop();
      });
    };
    loop();
  }
}

function replyOf() {
  return { name: 'CancelExecutionReply', schema: CancelExecutionReply };
}

function statusReply() {
  return { name: 'OmsStatusReply', schema: OmsStatusReply };
}

/** A change that only asks for the order's current row to be written again. */
function rewrite(clientOrderId: string): TrackerChange {
  return { clientOrderId, outcome: 'ignored', statusUpdates: [], fills: [], positions: [] };
}

function failureOf(result: CancelResult): string {
  const e = result.execution;
  if (e.kind === 'refused') return `refused: ${e.reason}${e.venueOrder ? ` (venue says ${e.venueOrder.status})` : ''}`;
  if (e.kind === 'unknown') return `unknown: ${e.reason}`;
  return 'canceled';
}
