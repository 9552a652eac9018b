// The reconciler's NATS shell: when runs happen, and the first trading state. Runs are triggered
// at start (before trading is allowed: the start run is retried until it completes), on a schedule,
// on demand (`cmd.reconciler.recon-now`, replying with the report), and after a venue stream reset
// (market data's FeedStatus `reset`, debounced). One run at a time; triggers coalesce (RunQueue).

import { requestTripCancel, type Bus, type BusSubscription, type TypedKv } from '@bourse/bus';
import {
  FeedStatus,
  operatorReplyOf,
  Quote,
  ReconciliationReport,
  ReconNowCommand,
  TradingState,
  type KillSwitchAction,
  type ReconciliationTrigger,
  type VenueId,
} from '@bourse/contracts';
import type { Clock, InstrumentSpec } from '@bourse/domain';
import type { Logger, Metrics } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { PriceBook, RECONCILER_SERVICE, type ReconcilerConfig } from '@bourse/reconciliation';
import { CorrectionsSender, type CorrectionsOptions } from './corrections.js';
import { createReconcilerMetrics, type ReconcilerMetrics } from './metrics.js';
import type { OurSideSource } from './our-side.js';
import { ReconciliationRunner, type RunOutcome } from './reconciliation-run.js';
import { RunQueue } from './run-queue.js';
import { TradingStateWriter } from './trading-state.js';

export const RECON_NOW_COMMAND = 'recon-now';

const ReconNowContract = { name: 'ReconNowCommand', schema: ReconNowCommand };
const ReconNowReplyContract = { name: 'ReconNowReply', schema: operatorReplyOf(ReconciliationReport) };
const FeedStatusContract = { name: 'FeedStatus', schema: FeedStatus };
const QuoteContract = { name: 'Quote', schema: Quote };
const TradingStateContract = { name: 'TradingState', schema: TradingState };

export interface ReconcilerServiceOptions {
  readonly bus: Bus;
  readonly pool: pg.Pool;
  readonly venue: VenueClient;
  /** The venue's instruments: their feed statuses and quotes are followed. */
  readonly instruments: readonly InstrumentSpec[];
  readonly ours: OurSideSource;
  readonly config: ReconcilerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly resetDebounceMs: number;
  readonly startRetryMs: number;
  readonly corrections: CorrectionsOptions;
  /** Paper trading: write global ACTIVE after the start run passes, when the key was never written. */
  readonly activateOnFirstPass: boolean;
  /** What a drift halt does besides halting (default `halt-and-cancel`). */
  readonly driftAction?: KillSwitchAction;
  /** How long a drift halt waits for the order manager's cancel-all answer (default 10 s). */
  readonly driftCancelTimeoutMs?: number;
  /** How long after a drifting comparison it is made once more (default `DRIFT_CONFIRM_MS`). */
  readonly driftConfirmMs?: number;
}

export class ReconcilerService {
  private readonly options: ReconcilerServiceOptions;
  private readonly logger: Logger;
  private readonly metrics: ReconcilerMetrics;
  private readonly prices = new PriceBook();
  private readonly venueId: VenueId;
  private queue: RunQueue<RunOutcome> | undefined;
  private writer: TradingStateWriter | undefined;
  private subscriptions: BusSubscription[] = [];
  private scheduleTimer: NodeJS.Timeout | undefined;
  private startRetryTimer: NodeJS.Timeout | undefined;
  private resetTimer: NodeJS.Timeout | undefined;
  private startDone = false;
  private startOutcome: RunOutcome | undefined;
  private stopped = false;
  private readonly startListeners = new Set<(outcome: RunOutcome) => void>();

  constructor(options: ReconcilerServiceOptions) {
    this.options = options;
    this.venueId = options.venue.venue;
    this.logger = options.logger.child({ component: 'reconciler', venue: this.venueId });
    this.metrics = createReconcilerMetrics(options.metrics);
  }

  /** True once a start run has completed (passing or halting) while NATS is connected. */
  get isReady(): boolean {
    return this.startDone && !this.stopped && this.options.bus.isConnected();
  }

  /**
   * Subscribes, serves recon-now and queues the start run; resolves with the outcome of the first
   * start attempt. A failed start run is retried every `startRetryMs` until one completes; the
   * schedule runs only after that.
   */
  async start(): Promise<RunOutcome> {
    const { bus, venue } = this.options;
    const kv: TypedKv<TradingState> = await bus.tradingState(TradingStateContract);
    this.writer = new TradingStateWriter(kv, this.logger, {
      action: this.options.driftAction ?? 'halt-and-cancel',
      cancelAll: (scope) =>
        requestTripCancel(
          bus,
          scope,
          RECONCILER_SERVICE,
          () => this.options.clock.now(),
          this.options.driftCancelTimeoutMs ?? 10_000,
        ),
      onCancel: (cancel) => {
        this.metrics.driftCancels.inc({ venue: this.venueId, outcome: cancel.ok ? 'ok' : 'failed' });
        this.metrics.driftCanceledOrders.inc({ venue: this.venueId }, cancel.canceled.length);
      },
    });
    const runner = new ReconciliationRunner({
      venueId: this.venueId,
      venue,
      pool: this.options.pool,
      bus,
      ours: this.options.ours,
      corrections: new CorrectionsSender(bus, this.logger, this.options.corrections),
      tradingState: this.writer,
      prices: this.prices,
      config: this.options.config,
      clock: this.options.clock,
      logger: this.logger,
      metrics: this.metrics,
      ...(this.options.driftConfirmMs === undefined ? {} : { driftConfirmMs: this.options.driftConfirmMs }),
    });
    this.queue = new RunQueue((trigger) => this.execute(runner, trigger));

    const md = bus.subjects.md;
    for (const spec of this.options.instruments) {
      this.subscriptions.push(
        bus.subscribe(md.quote(this.venueId, spec.venueSymbol), QuoteContract, (q) =>
          this.prices.onQuote(q.instrument, q.bidPrice, q.askPrice, q.receivedAt),
        ),
        bus.subscribe(md.feedStatus(this.venueId, spec.venueSymbol), FeedStatusContract, (s) => this.onFeedStatus(s)),
      );
    }
    this.subscriptions.push(
      bus.serve(
        bus.subjects.command(RECONCILER_SERVICE, RECON_NOW_COMMAND),
        ReconNowContract,
        ReconNowReplyContract,
        (command) => this.onReconNow(command),
      ),
    );
    await bus.flush();
    this.logger.debug(
      { instruments: this.options.instruments.length, intervalMs: this.options.intervalMs },
      'reconciler listening; start run queued',
    );
    return this.startRun();
  }

  /** Resolves with the start run that completed (at once when one already has). */
  whenStarted(): Promise<RunOutcome> {
    if (this.startOutcome) return Promise.resolve(this.startOutcome);
    return new Promise((resolve) => this.startListeners.add(resolve));
  }

  /** Queues a run (coalescing with any queued one) and resolves with its outcome. */
  runNow(trigger: ReconciliationTrigger): Promise<RunOutcome> {
    if (!this.queue) return Promise.reject(new Error('ReconcilerService: not started'));
    // Until a start run completed, every run is the start run: trading stays blocked on it.
    return this.queue.request(this.startDone ? trigger : 'start');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.scheduleTimer, this.startRetryTimer, this.resetTimer]) if (t) clearTimeout(t);
    for (const sub of this.subscriptions) await sub.unsubscribe();
    this.subscriptions = [];
    await this.queue?.stop();
  }

  // ---- triggers ------------------------------------------------------------------------------

  private async startRun(): Promise<RunOutcome> {
    const outcome = await this.runNow('start');
    if (!this.startDone && !this.stopped) {
      this.startRetryTimer = setTimeout(() => {
        // An operator's run may have completed the start in the meantime.
        if (!this.startDone) void this.startRun();
      }, this.options.startRetryMs);
      this.startRetryTimer.unref();
    }
    return outcome;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.scheduleTimer = setTimeout(() => {
      void this.runNow('schedule').finally(() => this.scheduleNext());
    }, this.options.intervalMs);
    this.scheduleTimer.unref();
  }

  private onFeedStatus(status: FeedStatus): void {
    if (status.state !== 'reset' || this.stopped) return;
    this.metrics.feedResets.inc({ venue: this.venueId });
    // A dropped connection resets every instrument at once: one run once the burst has passed.
    if (this.resetTimer) clearTimeout(this.resetTimer);
    this.resetTimer = setTimeout(() => {
      this.resetTimer = undefined;
      this.logger.info({ instrument: status.instrument, reason: status.reason }, 'venue stream reset: reconciling');
      void this.runNow('reconnect');
    }, this.options.resetDebounceMs);
    this.resetTimer.unref();
  }

  private async onReconNow(command: ReconNowCommand) {
    const trigger = command.trigger ?? 'operator';
    this.logger.info({ requestedBy: command.requestedBy, trigger }, 'reconciliation requested');
    const outcome = await this.runNow(trigger);
    if (outcome.kind === 'completed') return { v: 1 as const, ok: true as const, result: outcome.result.report };
    return {
      v: 1 as const,
      ok: false as const,
      error: { code: outcome.error.code, message: `run ${outcome.runId} failed to run: ${outcome.error.message}` },
    };
  }

  // ---- a run -----------------------------------------------------------------------------------

  private async execute(runner: ReconciliationRunner, trigger: ReconciliationTrigger): Promise<RunOutcome> {
    const outcome = await runner.run(trigger);
    if (trigger === 'start' && outcome.kind === 'completed' && !this.startDone) {
      this.startDone = true;
      this.startOutcome = outcome;
      if (outcome.result.report.verdict === 'ok' && this.options.activateOnFirstPass) await this.activate(outcome);
      for (const listener of this.startListeners) listener(outcome);
      this.startListeners.clear();
      this.scheduleNext();
    }
    return outcome;
  }

  private async activate(outcome: RunOutcome & { kind: 'completed' }): Promise<void> {
    try {
      await this.writer?.activateIfUnset({
        v: 1,
        scope: { kind: 'global' },
        mode: 'ACTIVE',
        reason:
          `paper trading: start reconciliation ${outcome.runId} passed and no trading state was ever set ` +
          '(RECON_ACTIVATE_ON_FIRST_PASS)',
        setBy: RECONCILER_SERVICE,
        updatedAt: this.options.clock.now(),
      });
    } catch (err) {
      // Trading simply stays blocked (no global entry counts as HALTED); an operator can resume.
      this.logger.error({ err }, 'could not write the first ACTIVE trading state');
    }
  }
}
