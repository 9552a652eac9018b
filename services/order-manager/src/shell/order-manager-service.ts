// The order manager's shell around its core (@bourse/execution). Start order (DESIGN 9): migrate
// and load the store → the venue's instruments → the trading-state KV → the user-data stream →
// every unresolved outbox entry settled by querying the venue by client order id → every stored
// limit chase resumed → commands → the ORDERS consumer → ready.
// Everything the core decides goes through ExecutionPipeline (persist, then publish on EXEC). This
// class wires the parts, each in its own file: request intake and de-duplication (OrderIntake),
// the user-data stream (UserDataHandler), operator commands (OperatorCommands), the submission
// pause (SubmissionGate), stored orders and missing fills (OrderRecall), timers and gauges
// (ServiceTimers).

import {
  DURABLE_CONSUMERS,
  type Bus,
  type BusSubscription,
  type ConsumerHandle,
  type KvWatchHandle,
} from '@bourse/bus';
import { OrderRequest, ReconciliationReport, TradingState, type OmsStatus } from '@bourse/contracts';
import { InstrumentRegistry } from '@bourse/domain';
import { OrderTracker, type Clock } from '@bourse/execution';
import type { Logger, Metrics } from '@bourse/telemetry';
import type { UserDataEvent, UserDataFeed, VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { loadPositions, migrateOrderManagerStore } from '../store/index.js';
import type { BookDepthSource } from './book-depth.js';
import { ChildOrderIds } from './child-order-ids.js';
import { ExecutionPipeline } from './execution-pipeline.js';
import { ExecutionStore } from './execution-store.js';
import { createOrderManagerMetrics, type OrderManagerMetrics } from './metrics.js';
import type { MarkSource } from './marks.js';
import { OperatorCommands } from './operator-commands.js';
import { OrderIntake } from './order-intake.js';
import { OrderRecall } from './order-recall.js';
import { OrderTraces } from './order-traces.js';
import { restoreState, seedBalances, syncInstruments, type RestoreSummary } from './restore.js';
import { ServiceTimers, watchOutboxGauge } from './service-timers.js';
import { SubmissionGate } from './submission-gate.js';
import { resumeTactics, storedTacticJournal } from './tactic-resume.js';
import { TacticRunner, type ChaseSettings } from './tactic-runner.js';
import { TradingStateWatch } from './trading-state-watch.js';
import { UserDataHandler } from './user-data-handler.js';

// Defined with the gate that throws it; exported here as before.
export { SubmissionStoppedError } from './submission-gate.js';

const SERVICE = 'order-manager';
const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const TradingStateContract = { name: 'TradingState', schema: TradingState };
const ReportContract = { name: 'ReconciliationReport', schema: ReconciliationReport };

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
  /** The latest mids the unrealised P&L gauge marks positions at; without it the gauge has no series. */
  readonly marks?: MarkSource;
}

export class OrderManagerService {
  readonly tracker = new OrderTracker();
  private readonly o: OrderManagerServiceOptions;
  private readonly log: Logger;
  private readonly metrics: OrderManagerMetrics;
  private readonly store: ExecutionStore;
  private readonly tradingState = new TradingStateWatch();
  private readonly pipelineRef: ExecutionPipeline;
  private readonly timers: ServiceTimers;
  private readonly gate: SubmissionGate;
  private readonly recall: OrderRecall;
  private readonly intake: OrderIntake;
  private readonly userData: UserDataHandler;
  private readonly commands: OperatorCommands;
  private registry: InstrumentRegistry;
  private tactics: TacticRunner | undefined;
  private feed: UserDataFeed | undefined;
  private consumer: ConsumerHandle | undefined;
  private watch: KvWatchHandle | undefined;
  private subscriptions: BusSubscription[] = [];
  private readonly childIds: ChildOrderIds;
  private readonly traces: OrderTraces;
  private started = false;
  private stopping = false;
  private restoredRef: Omit<RestoreSummary, 'instruments'> | undefined;

  constructor(options: OrderManagerServiceOptions) {
    this.o = options;
    const { pool, venue, clock } = options;
    this.log = options.logger.child({ component: SERVICE });
    const logger = this.log;
    this.metrics = createOrderManagerMetrics(
      options.metrics,
      () => this.tracker.liveOrders(),
      () => loadPositions(pool),
      async (instrument) => {
        const venueSymbol = this.registry.get(instrument)?.venueSymbol;
        return venueSymbol === undefined ? undefined : options.marks?.mid(venue.venue, venueSymbol);
      },
    );
    const { metrics, tracker } = this;
    this.store = new ExecutionStore(pool, tracker, clock);
    this.registry = new InstrumentRegistry(venue.venue);
    this.pipelineRef = new ExecutionPipeline({
      bus: options.bus,
      store: this.store,
      tracker,
      logger,
      metrics,
      clock,
      venueSymbolOf: (instrument) => this.registry.get(instrument)?.venueSymbol,
      ...(options.execRepublishMs !== undefined ? { republishMs: options.execRepublishMs } : {}),
    });
    const pipeline = this.pipelineRef;
    this.childIds = new ChildOrderIds(options.instanceTag);
    this.traces = new OrderTraces(pool, tracker, clock, logger);
    const traces = this.traces;
    const tactics = () => this.tactics;
    this.timers = new ServiceTimers(logger);
    this.gate = new SubmissionGate({
      bus: options.bus,
      clock,
      logger,
      metrics,
      timers: this.timers,
      requestedBy: SERVICE,
      ...(options.reconRetryMs !== undefined ? { reconRetryMs: options.reconRetryMs } : {}),
      ...(options.reconTimeoutMs !== undefined ? { reconTimeoutMs: options.reconTimeoutMs } : {}),
    });
    const gate = this.gate;
    // What every part reads or writes through: the venue, the store, the tracker and the pipeline.
    const base = { pool, venue, clock, tracker, pipeline, traces, metrics, logger };
    this.recall = new OrderRecall({ ...base, store: this.store });
    const recall = this.recall;
    const { safeHorizonMs } = options;
    const timers = this.timers;
    this.intake = new OrderIntake({
      ...base,
      safeHorizonMs,
      tradingState: this.tradingState,
      gate,
      recall,
      timers,
      tactics,
    });
    this.userData = new UserDataHandler({ ...base, gate, isStopping: () => this.stopping });
    this.commands = new OperatorCommands({ ...base, recall, gate, tactics });
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
    return this.gate.paused;
  }

  /** Order requests held unacked while submission is paused. */
  get heldRequests(): number {
    return this.gate.held;
  }

  /** One venue user-data event, as the stream delivers it (also the entry for replays and tests). */
  applyVenueEvent(event: UserDataEvent): void {
    this.userData.onEvent(event);
  }

  /** What the `status` command answers. */
  status(): OmsStatus {
    return this.commands.status();
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

    const tactics = new TacticRunner({
      bus,
      venue: venue.venue,
      registry: this.registry,
      clock,
      logger: this.log,
      metrics: this.metrics,
      settings: this.o.chase,
      ports: {
        submit: (request) => this.intake.submit(request),
        recordRefusal: (request, reason) => this.intake.recordRefusal(request, reason),
        cancel: (clientOrderId, instrument) => this.commands.cancelOne(clientOrderId, instrument).then(() => undefined),
        childClientOrderId: (parent, seq) => this.childIds.of(parent.clientOrderId, seq),
        currentOrder: (clientOrderId) => this.tracker.get(clientOrderId)?.order,
        // The first child carries the parent's id, so its end drops that id's context from memory;
        // the steps after it (the market fallback, the end) read it back from the store.
        inTrace: async (parent, effects, run) => {
          await this.traces.recall(parent.clientOrderId);
          const attributes = {
            ...this.traces.attributes(parent.clientOrderId, parent),
            'bourse.chase.effects': effects.join(','),
          };
          return this.traces.inOrder('order.chase.step', parent.clientOrderId, attributes, run);
        },
      },
      journal: storedTacticJournal(pool, clock),
      ...(this.o.bookDepth !== undefined ? { depth: this.o.bookDepth } : {}),
    });
    this.tactics = tactics;
    this.pipelineRef.onApplied((changes) => this.tactics?.onChanges(changes));

    const feed = venue.userData();
    this.feed = feed;
    feed.on((event) => this.userData.onEvent(event));
    await feed.start();
    this.log.debug('user-data stream subscribed');

    await this.intake.recoverOutbox();
    // Orders the venue reported filled whose fills never reached us (the process died between the
    // query and booking them): their trades are asked for before anything new is taken.
    await this.recall.bookUnbookedOrders();
    // After the outbox is settled (its children tracked) and before ORDERS: a chase is never both
    // resumed and started again from a redelivered request.
    await resumeTactics(tactics, {
      pool,
      venue,
      tracker: this.tracker,
      clock,
      logger: this.log,
      follow: (id) => this.recall.follow(id),
      apply: (changes) => this.pipelineRef.apply(changes),
      recordRefusal: (request, reason) => this.intake.recordRefusal(request, reason),
    });

    this.subscriptions.push(
      ...this.commands.serve(bus, SERVICE),
      bus.subscribe(bus.subjects.reconReport(), ReportContract, (report) => {
        this.gate.dispatch({ type: 'recon-report', report });
      }),
    );
    tactics.start();
    this.consumer = await bus.consume(DURABLE_CONSUMERS.orderManagerRequests, OrderRequestContract, (request) =>
      this.intake.onOrderRequest(request),
    );
    await bus.flush();
    await watchOutboxGauge(this.timers, pool, this.metrics, this.log);
    this.started = true;
    this.log.debug({ venue: venue.venue, openOrders: this.tracker.liveOrders().length }, 'order manager started');
  }

  /** Stops intake (ORDERS first), lets in-flight work finish, closes the stream; leaves bus, pool and venue to the caller. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.close();
    this.gate.stop();
    await this.consumer?.stop();
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
}
