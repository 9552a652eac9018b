import type { Bus, BusSubscription, KvWatchHandle } from '@bourse/bus';
import {
  ExecutionEvent,
  FeedStatus,
  Intent,
  Quote,
  ReconciliationReport,
  RiskDecision,
  Trade,
  TradingState,
} from '@bourse/contracts';
import type { InstrumentSpec } from '@bourse/domain';
import {
  RunnerCore,
  StateKeeper,
  type BarPrice,
  type Clock,
  type CoreOutput,
  type HistoryRequest,
  type IdSource,
  type InstrumentRef,
  type Notice,
  type StateChange,
  type StoredState,
  type StrategyConfig,
  type StrategyStateStore,
  type WriteResult,
} from '@bourse/strategy';
import { tradingAttributes, withSpan, type Logger } from '@bourse/telemetry';
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import { describeError, isRunnerError } from './errors.js';
import { LeaseManager } from './leases/lease-manager.js';
import { leaseUnit, unitLeaseUnit, type LeaseStore } from './leases/lease-store.js';
import type { QuoteSnapshots } from './market-snapshots.js';
import { followStream, type StreamFollower } from './stream-follower.js';
import { loadHistory, type KlineSource } from './klines-history.js';

const QuoteContract = { name: 'Quote', schema: Quote };
const TradeContract = { name: 'Trade', schema: Trade };
const FeedStatusContract = { name: 'FeedStatus', schema: FeedStatus };
const IntentContract = { name: 'Intent', schema: Intent };
const ExecutionEventContract = { name: 'ExecutionEvent', schema: ExecutionEvent };
const RiskDecisionContract = { name: 'RiskDecision', schema: RiskDecision };
const TradingStateContract = { name: 'TradingState', schema: TradingState };
const ReconReportContract = { name: 'ReconciliationReport', schema: ReconciliationReport };

/** What the runner reports as it goes; tests wait on these, main logs them. */
export type RunnerEvent =
  /** An instrument's lease won; for a unit (`unit`: its strategy id), its first leg. */
  | { readonly type: 'acquired'; readonly instrument: InstrumentRef; readonly unit?: string }
  | { readonly type: 'lost'; readonly instrument: InstrumentRef; readonly reason: string; readonly unit?: string }
  | { readonly type: 'published'; readonly intent: Intent; readonly seq: number }
  | { readonly type: 'notice'; readonly notice: Notice }
  /** A reconciliation report was applied (safe start waits for an `ok` one). */
  | { readonly type: 'recon'; readonly runId: string; readonly verdict: string }
  /** A trading-state change was applied (`mode` null when the key was deleted). */
  | { readonly type: 'trading-state'; readonly key: string; readonly mode: string | null }
  /** The states of an instrument's strategies could not be read: it is not started yet (retried). */
  | { readonly type: 'state-load-failed'; readonly instrument: InstrumentRef; readonly reason: string }
  /** A strategy's state was restored from the store when its instrument was acquired. */
  | {
      readonly type: 'state-restored';
      readonly strategyId: string;
      readonly instrument: InstrumentRef;
      readonly seq: number;
    }
  /** A write of a strategy's state finished (`saved`, or why not). */
  | {
      readonly type: 'state-written';
      readonly strategyId: string;
      readonly instrument: InstrumentRef;
      readonly seq: number;
      readonly outcome: WriteResult['outcome'];
    }
  /** A market message was applied (for tests that must order what they send after it). */
  | { readonly type: 'market'; readonly kind: 'quote' | 'trade' | 'status'; readonly instrument: InstrumentRef };

export interface StrategyRunnerOptions {
  readonly bus: Bus;
  /** A NATS connection of the runner's own, for replaying EXEC and RISK (the bus offers durables only). */
  readonly nc: NatsConnection;
  readonly leaseStore: LeaseStore;
  readonly strategies: readonly StrategyConfig[];
  readonly replicaId: string;
  /** Random per process start. */
  readonly session: string;
  readonly leaseRenewMs: number;
  readonly leaseMarginMs: number;
  readonly staleAfterMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly ids: IdSource;
  /** Wall clock for the core (message times are wall times). */
  readonly clock: Clock;
  /** Monotonic clock for lease deadlines. */
  readonly monotonic: Clock;
  readonly snapshots?: QuoteSnapshots;
  /** Tick, lot and limits of an instrument (from the venue's exchangeInfo), for `ctx.instrument`. */
  readonly instrumentSpec?: (venue: string, symbol: string) => InstrumentSpec | undefined;
  /** Safe start also waits for an `ok` reconciliation report (default true). */
  readonly requireReconciliation?: boolean;
  /** What bars are built from (default `last`: trades; `mid`, `bid`, `ask`: quotes). */
  readonly barPrice?: BarPrice;
  /**
   * The venue's candles (`MarketDataFeed.klines`), for strategies that declare a warm-up. Absent: they
   * warm up from live bars only.
   */
  readonly klines?: KlineSource;
  /**
   * Where strategies' own states are kept across restarts and hand-overs (main: PostgreSQL). Absent:
   * every instance starts with an empty state and nothing is written.
   */
  readonly stateStore?: StrategyStateStore;
}

/** What one lease covers: an instrument (its per-instrument strategies), or a unit strategy's legs. */
type LeaseTarget =
  | { readonly kind: 'instrument'; readonly ref: InstrumentRef }
  | { readonly kind: 'unit'; readonly strategyId: string; readonly refs: readonly InstrumentRef[] };

interface Owned {
  /** The instrument; for a unit, its first leg (its state is kept under it). */
  readonly ref: InstrumentRef;
  /** Set for a unit: its strategy id. */
  readonly unit?: string;
  readonly subscriptions: BusSubscription[];
  /**
   * Publishes and state writes of this instrument, chained so a flip's close goes out before its open
   * and a state is written before the intents decided with it.
   */
  publishing: Promise<void>;
  /** Our state claim was overtaken (someone claimed the instrument after us): publish nothing more. */
  fenced: boolean;
  /** Highest state seq queued per strategy, so a failed write is retried only while it is the latest. */
  readonly latestSeq: Map<string, number>;
}

/**
 * The runner's shell: it wins instruments through the lease manager, subscribes to their market data,
 * feeds the core, publishes what the core decides on JetStream, and follows the trading state, risk
 * decisions and executions. Start order (DESIGN principle 9): streams, trading-state watch, execution
 * history replayed (positions), and only then leases, so no strategy decides before it knows its
 * position; the core itself refuses to emit until the trading state is ACTIVE.
 */
export class StrategyRunner {
  private readonly core: RunnerCore;
  private readonly leases: LeaseManager;
  private readonly byUnit = new Map<string, LeaseTarget>();
  private readonly unitIds: ReadonlySet<string>;
  private readonly owned = new Map<string, Owned>();
  private readonly listeners = new Set<(event: RunnerEvent) => void>();
  private readonly followers: StreamFollower[] = [];
  private tradingWatch: KvWatchHandle | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly keeper: StateKeeper | undefined;
  private stopped = false;
  private readonly log: Logger;
  private readonly metrics: ReturnType<typeof runnerMetrics>;

  constructor(private readonly options: StrategyRunnerOptions) {
    this.log = options.logger.child({ component: 'strategy-runner', replica: options.replicaId });
    this.metrics = runnerMetrics(options.registry);
    this.keeper =
      options.stateStore === undefined
        ? undefined
        : new StateKeeper(options.stateStore, `${options.replicaId}/${options.session}`);
    this.core = new RunnerCore({
      strategies: options.strategies,
      clock: options.clock,
      ids: options.ids,
      staleAfterMs: options.staleAfterMs,
      ...(options.instrumentSpec !== undefined ? { instrumentSpec: options.instrumentSpec } : {}),
      ...(options.requireReconciliation !== undefined ? { requireReconciliation: options.requireReconciliation } : {}),
      warmupFromHistory: options.klines !== undefined,
      ...(options.barPrice !== undefined ? { barPrice: options.barPrice } : {}),
    });
    for (const ref of this.core.configuredInstruments()) {
      this.byUnit.set(leaseUnit(ref.venue, ref.venueSymbol), { kind: 'instrument', ref });
    }
    // A unit strategy is leased as one: one key for all its legs, taken over as a whole.
    for (const u of this.core.configuredUnits()) {
      this.byUnit.set(unitLeaseUnit(u.strategyId), { kind: 'unit', strategyId: u.strategyId, refs: u.instruments });
    }
    this.unitIds = new Set(this.core.configuredUnits().map((u) => u.strategyId));
    this.leases = new LeaseManager({
      store: options.leaseStore,
      replica: options.replicaId,
      session: options.session,
      units: [...this.byUnit.keys()].sort(),
      renewIntervalMs: options.leaseRenewMs,
      safetyMarginMs: options.leaseMarginMs,
      clock: options.monotonic,
      wallClock: options.clock,
      onAcquired: (unit) => this.acquire(unit),
      onLost: (unit, reason) => this.lose(unit, reason),
      onError: (err, during) => {
        this.metrics.leaseErrors.inc();
        this.log.warn({ err: describeError(err), during }, 'lease round step failed');
      },
    });
  }

  /** Worst-case takeover time of a dead replica's instruments (TTL + renew interval). */
  get takeoverBoundMs(): number {
    return this.leases.takeoverBoundMs;
  }

  onEvent(listener: (event: RunnerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ownedInstruments(): InstrumentRef[] {
    return [...this.owned.values()].filter((o) => o.unit === undefined).map((o) => o.ref);
  }

  /** Strategy ids of the units whose lease this replica holds. */
  ownedUnits(): string[] {
    return [...this.owned.values()].flatMap((o) => (o.unit === undefined ? [] : [o.unit]));
  }

  pausedStrategies() {
    return this.core.pausedStrategies();
  }

  async start(): Promise<void> {
    const { bus, nc } = this.options;
    await bus.ensureStreams();
    const tradingState = await bus.tradingState(TradingStateContract);
    this.tradingWatch = await tradingState.watch((change) => {
      this.core.onTradingState(change.key, change.value);
      this.log.info({ key: change.key, mode: change.value?.mode ?? null }, 'trading state');
      this.emit({ type: 'trading-state', key: change.key, mode: change.value?.mode ?? null });
    });
    const exec = await followStream({
      nc,
      stream: bus.subjects.streams.EXEC,
      from: 'all',
      contract: ExecutionEventContract,
      onMessage: (event) => this.apply(this.core.onExecution(event)),
      onInvalid: (seq, subject, reason) => this.log.error({ seq, subject, reason }, 'execution event skipped'),
    });
    this.followers.push(exec);
    // Safe start, second half: the latest reconciliation report (and every later one).
    const recon = await followStream({
      nc,
      stream: bus.subjects.streams.RECON,
      from: 'last',
      subject: bus.subjects.reconReport(),
      contract: ReconReportContract,
      onMessage: (report) => {
        this.core.onReconReport(report);
        this.log.debug({ runId: report.runId, venue: report.venue, verdict: report.verdict }, 'reconciliation report');
        this.emit({ type: 'recon', runId: report.runId, verdict: report.verdict });
      },
      onInvalid: (seq, subject, reason) => this.log.error({ seq, subject, reason }, 'reconciliation report skipped'),
    });
    this.followers.push(recon);
    const risk = await followStream({
      nc,
      stream: bus.subjects.streams.RISK,
      from: 'new',
      contract: RiskDecisionContract,
      onMessage: (decision) => this.core.onRiskDecision(decision),
      onInvalid: (seq, subject, reason) => this.log.error({ seq, subject, reason }, 'risk decision skipped'),
    });
    this.followers.push(risk);
    await exec.caughtUp;
    this.log.debug({ strategies: this.options.strategies.map((s) => s.id) }, 'positions rebuilt; claiming instruments');
    await this.leases.start();
  }

  /** Clean stop: stops deciding, gives every lease back, stops following streams. The bus stays open. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.leases.stop();
    await this.shutDownRest();
  }

  /** Stops as a crashed process would look to the others: leases are left to expire (tests, drills). */
  async abandon(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.leases.abandon();
    await this.shutDownRest();
  }

  private async shutDownRest(): Promise<void> {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await this.tradingWatch?.stop();
    await Promise.all(this.followers.map((f) => f.stop()));
  }

  private async acquire(unit: string): Promise<void> {
    const target = this.byUnit.get(unit);
    if (target === undefined || this.owned.has(unit)) return;
    if (target.kind === 'unit') return this.acquireUnit(unit, target.strategyId, target.refs);
    const ref = target.ref;
    const warm = await this.options.snapshots?.latestQuote(ref);
    // The lease may have gone while Redis answered.
    if (!this.leases.holds(unit)) return;
    let restored: Map<string, StoredState> | undefined;
    if (this.keeper !== undefined) {
      try {
        restored = await this.keeper.claim(ref, this.strategiesOf(ref));
      } catch (err) {
        // Running without the state could repeat an entry or forget a position: the instrument waits.
        this.metrics.stateLoadFailures.inc();
        this.log.error(
          { instrument: ref.symbol, venue: ref.venue, err: describeError(err) },
          'strategy state not loaded; instrument not started, trying again',
        );
        this.emit({ type: 'state-load-failed', instrument: ref, reason: describeError(err) });
        this.later(() => {
          if (!this.leases.holds(unit) || this.owned.has(unit)) return;
          this.acquire(unit).catch((e: unknown) =>
            this.log.error({ instrument: ref.symbol, err: describeError(e) }, 'instrument not started'),
          );
        });
        return;
      }
      // A claim left behind is harmless: whoever holds the lease next claims above it.
      if (!this.leases.holds(unit)) {
        await this.keeper.release(ref);
        return;
      }
    }
    const added = this.core.addInstrument(ref, warm, restored);
    const { bus } = this.options;
    const md = bus.subjects.md;
    const applied = (kind: 'quote' | 'trade' | 'status', out: CoreOutput) => {
      this.apply(out);
      if (this.listeners.size > 0) this.emit({ type: 'market', kind, instrument: ref });
    };
    const subscriptions = this.marketSubscriptions(ref, applied, md);
    this.owned.set(unit, { ref, subscriptions, publishing: Promise.resolve(), fenced: false, latestSeq: new Map() });
    // Subscriptions are live on the server before anyone is told the instrument is ours.
    await bus.flush();
    this.metrics.owned.set(this.owned.size);
    this.log.info({ instrument: ref.symbol, venue: ref.venue, warmQuote: warm !== undefined }, 'instrument acquired');
    for (const [strategyId, stored] of restored ?? []) {
      this.log.info(
        {
          strategyId,
          instrument: ref.symbol,
          venue: ref.venue,
          seq: stored.seq,
          writtenBy: stored.strategyVersion,
          state: stored.state,
        },
        'strategy state restored',
      );
      this.emit({ type: 'state-restored', strategyId, instrument: ref, seq: stored.seq });
    }
    this.apply(added);
    this.emit({ type: 'acquired', instrument: ref });
    this.scheduleWake();
  }

  /**
   * A unit strategy's lease won: its state claimed (kept under its first leg), ONE instance over all
   * its legs started, and every leg's market data subscribed.
   */
  private async acquireUnit(unit: string, strategyId: string, refs: readonly InstrumentRef[]): Promise<void> {
    const strategy = this.options.strategies.find((s) => s.id === strategyId);
    const first = refs[0];
    if (strategy === undefined || first === undefined) return;
    const warm = new Map<string, Quote>();
    for (const ref of refs) {
      const q = await this.options.snapshots?.latestQuote(ref);
      if (q !== undefined) warm.set(ref.symbol, q);
    }
    if (!this.leases.holds(unit)) return;
    let restored: Map<string, StoredState> | undefined;
    if (this.keeper !== undefined) {
      try {
        restored = await this.keeper.claim(first, [strategy]);
      } catch (err) {
        this.metrics.stateLoadFailures.inc();
        this.log.error(
          { unit: strategyId, err: describeError(err) },
          'unit state not loaded; unit not started, trying again',
        );
        this.emit({ type: 'state-load-failed', instrument: first, reason: describeError(err) });
        this.later(() => {
          if (!this.leases.holds(unit) || this.owned.has(unit)) return;
          this.acquire(unit).catch((e: unknown) =>
            this.log.error({ unit: strategyId, err: describeError(e) }, 'unit not started'),
          );
        });
        return;
      }
      if (!this.leases.holds(unit)) {
        await this.keeper.release(first, [strategyId]);
        return;
      }
    }
    const added = this.core.addUnit(strategyId, warm, restored);
    const { bus } = this.options;
    const md = bus.subjects.md;
    const subscriptions = refs.flatMap((ref) => {
      const applied = (kind: 'quote' | 'trade' | 'status', out: CoreOutput) => {
        this.apply(out);
        if (this.listeners.size > 0) this.emit({ type: 'market', kind, instrument: ref });
      };
      return this.marketSubscriptions(ref, applied, md);
    });
    this.owned.set(unit, {
      ref: first,
      unit: strategyId,
      subscriptions,
      publishing: Promise.resolve(),
      fenced: false,
      latestSeq: new Map(),
    });
    await bus.flush();
    this.metrics.owned.set(this.owned.size);
    this.log.info({ unit: strategyId, instruments: refs.map((r) => r.symbol) }, 'unit acquired');
    const stored = restored?.get(strategyId);
    if (stored !== undefined) {
      this.log.info({ strategyId, seq: stored.seq, state: stored.state }, 'strategy state restored');
      this.emit({ type: 'state-restored', strategyId, instrument: first, seq: stored.seq });
    }
    this.apply(added);
    this.emit({ type: 'acquired', instrument: first, unit: strategyId });
    this.scheduleWake();
  }

  /** The market data of one instrument, each message handed to the core (a unit's leg or an instrument). */
  private marketSubscriptions(
    ref: InstrumentRef,
    applied: (kind: 'quote' | 'trade' | 'status', out: CoreOutput) => void,
    md: Bus['subjects']['md'],
  ): BusSubscription[] {
    const { bus } = this.options;
    return [
      bus.subscribe(md.quote(ref.venue, ref.venueSymbol), QuoteContract, (q) => applied('quote', this.core.onQuote(q))),
      bus.subscribe(md.trade(ref.venue, ref.venueSymbol), TradeContract, (t) => applied('trade', this.core.onTrade(t))),
      bus.subscribe(md.feedStatus(ref.venue, ref.venueSymbol), FeedStatusContract, (s) =>
        applied('status', this.core.onFeedStatus(s, ref)),
      ),
    ];
  }

  private async lose(unit: string, reason: string): Promise<void> {
    const owned = this.owned.get(unit);
    if (owned === undefined) return;
    // Stop deciding at once; then let in-flight publishes finish before the lease is given back.
    if (owned.unit !== undefined) this.core.removeUnit(owned.unit);
    else this.core.removeInstrument(owned.ref.venue, owned.ref.symbol);
    this.owned.delete(unit);
    this.metrics.owned.set(this.owned.size);
    await Promise.all(owned.subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
    await owned.publishing;
    // Every state write of the instrument (unit) has finished: the next holder reads the latest.
    await this.keeper?.release(
      owned.ref,
      owned.unit !== undefined ? [owned.unit] : this.strategiesOf(owned.ref).map((s) => s.id),
    );
    // Releasing everything on the way out is shutdown detail; a release while running is news.
    this.log[reason === 'replica stopping' ? 'debug' : 'info'](
      { instrument: owned.ref.symbol, venue: owned.ref.venue, unit: owned.unit, reason },
      owned.unit !== undefined ? 'unit released' : 'instrument released',
    );
    this.emit({
      type: 'lost',
      instrument: owned.ref,
      reason,
      ...(owned.unit !== undefined ? { unit: owned.unit } : {}),
    });
  }

  /** The lease unit a strategy's decisions on `ref` are made under: its unit's, or the instrument's. */
  private leaseOf(strategyId: string, ref: { venue: string; venueSymbol: string }): string {
    return this.unitIds.has(strategyId) ? unitLeaseUnit(strategyId) : leaseUnit(ref.venue, ref.venueSymbol);
  }

  private apply(out: CoreOutput): void {
    for (const notice of out.notices) this.report(notice);
    // States first: a crash between the two then loses an intent the state says was sent (the strategy
    // sees its orders and position rebuilt from EXEC), never repeats one the state had forgotten.
    for (const change of out.stateChanges) this.persist(change);
    for (const intent of out.intents) this.publish(intent);
    for (const request of out.historyRequests) this.fetchHistory(request);
    this.scheduleWake();
  }

  /** Reads a warm-up's history from the venue; the core goes on with live bars if it cannot be had. */
  private fetchHistory(request: HistoryRequest): void {
    const source = this.options.klines;
    if (source === undefined) return;
    loadHistory(source, request, this.options.clock.now()).then(
      (bars) => {
        if (!this.stopped) this.apply(this.core.onHistory(request, bars));
      },
      (err: unknown) => {
        this.metrics.historyFailures.inc();
        this.log.warn(
          { instrument: request.ref.symbol, timeframe: request.label, err: describeError(err) },
          'warm-up history not read',
        );
        if (!this.stopped) this.apply(this.core.onHistoryFailed(request, describeError(err)));
      },
    );
  }

  /** The per-instrument strategies trading `ref` (a unit's state is claimed with its unit's lease). */
  private strategiesOf(ref: InstrumentRef): StrategyConfig[] {
    return this.options.strategies.filter(
      (s) => !this.unitIds.has(s.id) && s.instruments.some((i) => i.venue === ref.venue && i.symbol === ref.symbol),
    );
  }

  /** Queues the write of a state change behind the instrument's earlier writes and publishes. */
  private persist(change: StateChange): void {
    const keeper = this.keeper;
    const unit = this.leaseOf(change.strategyId, change.ref);
    const owned = this.owned.get(unit);
    if (keeper === undefined || owned === undefined) return;
    owned.latestSeq.set(change.strategyId, change.seq);
    owned.publishing = owned.publishing.then(async () => {
      let result = await keeper.save(change);
      if (result.outcome === 'fenced' && this.leases.holds(unit) && this.owned.get(unit) === owned) {
        result = await this.claimAgain(keeper, change);
      }
      this.written(owned, result);
    });
  }

  /**
   * Our write was fenced while we hold the lease: a claim reached PostgreSQL after ours from a runner
   * that no longer holds it (its claim was delayed past its lease, and it starts nothing once it sees
   * that). The lease holder's state must win, so we claim again and write over it; a runner that really
   * were still running the instrument would now be fenced in turn and stop publishing.
   */
  private async claimAgain(keeper: StateKeeper, change: StateChange): Promise<WriteResult> {
    const strategy = this.options.strategies.find((s) => s.id === change.strategyId);
    if (strategy === undefined) return { outcome: 'fenced', change };
    this.log.warn(
      { strategyId: change.strategyId, instrument: change.ref.symbol, seq: change.seq },
      'strategy state claimed by a runner without the lease; claiming it again',
    );
    try {
      await keeper.claim(change.ref, [strategy]);
    } catch (error) {
      return { outcome: 'failed', change, error };
    }
    return keeper.save(change);
  }

  private written(owned: Owned, result: WriteResult): void {
    const { change } = result;
    const where = { strategyId: change.strategyId, instrument: change.ref.symbol, seq: change.seq };
    this.metrics.stateWrites.inc({ outcome: result.outcome });
    switch (result.outcome) {
      case 'saved':
        this.log.debug({ ...where, state: change.state }, 'strategy state saved');
        break;
      case 'fenced':
        // Another runner claimed the instrument after us: its state wins, and so must its decisions.
        owned.fenced = true;
        this.log.error(where, 'strategy state not saved: another runner claimed the instrument; publishing stopped');
        break;
      case 'stale':
      case 'not-claimed':
        this.log.warn({ ...where, outcome: result.outcome }, 'strategy state not saved');
        break;
      case 'failed':
        this.log.error({ ...where, err: describeError(result.error) }, 'strategy state not saved; trying again');
        // Written again while it is still the latest (a later change carries the whole newer state).
        this.later(() => {
          if (this.owned.get(this.leaseOf(change.strategyId, change.ref)) !== owned) return;
          if (owned.latestSeq.get(change.strategyId) === change.seq) this.persist(change);
        });
        break;
    }
    this.emit({
      type: 'state-written',
      strategyId: change.strategyId,
      instrument: change.ref,
      seq: change.seq,
      outcome: result.outcome,
    });
  }

  /** Runs `fn` after a lease round's time, unless the runner stops first. */
  private later(fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.stopped) fn();
    }, this.options.leaseRenewMs);
    this.retryTimers.add(timer);
  }

  private publish(intent: Intent): void {
    const ref = this.options.strategies
      .flatMap((s) => s.instruments)
      .find((i) => i.venue === intent.venue && i.symbol === intent.instrument);
    const unit = ref === undefined ? undefined : this.leaseOf(intent.strategyId, ref);
    const owned = unit === undefined ? undefined : this.owned.get(unit);
    if (ref === undefined || unit === undefined || owned === undefined || !this.leases.holds(unit)) {
      this.core.onIntentNotSent(intent);
      this.metrics.suppressed.inc({ strategy: intent.strategyId, reason: 'lease-lost' });
      this.log.warn({ strategyId: intent.strategyId, instrument: intent.instrument }, 'intent dropped: lease not held');
      return;
    }
    const subject = this.options.bus.subjects.intent(intent.strategyId, ref.venueSymbol);
    owned.publishing = owned.publishing.then(async () => {
      // Checked again just before sending: the lease deadline may have passed while queued.
      if (!this.leases.holds(unit)) {
        this.core.onIntentNotSent(intent);
        this.metrics.suppressed.inc({ strategy: intent.strategyId, reason: 'lease-lost' });
        return;
      }
      if (owned.fenced) {
        this.core.onIntentNotSent(intent);
        this.metrics.suppressed.inc({ strategy: intent.strategyId, reason: 'state-fenced' });
        this.log.warn({ strategyId: intent.strategyId, instrument: intent.instrument }, 'intent dropped: state fenced');
        return;
      }
      try {
        const ack = await this.traced(intent, () =>
          this.options.bus.publishDurable(subject, IntentContract, intent, { msgId: intent.id }),
        );
        this.metrics.published.inc({ strategy: intent.strategyId });
        // The decision and what it was made on (the values the strategy recorded), so the log alone
        // answers "which strategy decided what, on which inputs".
        this.log.info(
          {
            strategyId: intent.strategyId,
            intentId: intent.id,
            instrument: intent.instrument,
            side: intent.side,
            style: intent.style,
            ...(intent.qty !== undefined ? { qty: intent.qty } : {}),
            ...(intent.quoteQty !== undefined ? { quoteQty: intent.quoteQty } : {}),
            ...(intent.price !== undefined ? { price: intent.price } : {}),
            inputs: intent.inputs,
          },
          'intent published',
        );
        this.emit({ type: 'published', intent, seq: ack.seq });
      } catch (err) {
        this.core.onIntentNotSent(intent);
        this.metrics.publishFailures.inc({ strategy: intent.strategyId });
        this.log.error(
          { strategyId: intent.strategyId, intentId: intent.id, err: describeError(err) },
          'intent not published',
        );
      }
    });
  }

  /**
   * A decision's trace starts here: `strategy.evaluate`, a new trace from the decision time, naming the
   * market event behind it (not a span per tick), with the intent's publish as its child.
   */
  private traced<T>(intent: Intent, send: () => Promise<T>): Promise<T> {
    const market: Record<string, string> = {};
    const inputs = intent.inputs;
    if (inputs.trigger !== undefined) market['bourse.market.trigger'] = inputs.trigger;
    if (inputs.quoteReceivedAt !== undefined) market['bourse.market.received_at'] = inputs.quoteReceivedAt;
    if (inputs.quoteVenueTime !== undefined) market['bourse.market.event_time'] = inputs.quoteVenueTime;
    if (inputs.quoteUpdateId !== undefined) market['bourse.market.event_id'] = inputs.quoteUpdateId;
    return withSpan(
      'strategy.evaluate',
      {
        root: true,
        startTime: intent.createdAt,
        attributes: {
          ...tradingAttributes({
            strategyId: intent.strategyId,
            strategyVersion: intent.strategyVersion,
            instrument: intent.instrument,
            intentId: intent.id,
          }),
          'bourse.venue': intent.venue,
          ...market,
        },
      },
      send,
    );
  }

  private report(notice: Notice): void {
    switch (notice.kind) {
      case 'suppressed':
        this.metrics.suppressed.inc({ strategy: notice.strategyId, reason: notice.reason });
        this.log.info(
          {
            strategyId: notice.strategyId,
            instrument: notice.venueSymbol,
            reason: notice.reason,
            detail: notice.detail,
          },
          'intent suppressed',
        );
        break;
      case 'paused':
        this.metrics.paused.set({ strategy: notice.strategyId }, 1);
        this.log.error(
          {
            strategyId: notice.strategyId,
            instrument: notice.venueSymbol,
            trigger: notice.trigger,
            code: notice.code,
            err: notice.error,
          },
          `strategy paused: ${notice.message}`,
        );
        break;
      case 'warmed-up':
        if (notice.failed) this.log.warn({ instrument: notice.venueSymbol }, notice.message);
        else this.log.info({ instrument: notice.venueSymbol, droppedIntents: notice.droppedIntents }, notice.message);
        break;
      case 'state-refused':
        this.metrics.stateRefused.inc({ strategy: notice.strategyId });
        this.log.error(
          {
            strategyId: notice.strategyId,
            instrument: notice.venueSymbol,
            code: isRunnerError(notice.error) ? notice.error.code : undefined,
            err: notice.error,
          },
          `strategy not started: ${notice.message}`,
        );
        break;
      case 'bad-market-data':
        this.metrics.badMarketData.inc();
        this.log.warn({ instrument: notice.venueSymbol, reason: notice.message }, 'market data not applied');
        break;
    }
    this.emit({ type: 'notice', notice });
  }

  private scheduleWake(): void {
    if (this.stopped) return;
    const at = this.core.nextWakeAt();
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (at === undefined) return;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.apply(this.core.onClock());
      },
      Math.max(1, at - this.options.clock.now()),
    );
  }

  private emit(event: RunnerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err: describeError(err) }, 'runner event listener failed');
      }
    }
  }
}

function runnerMetrics(registry: Registry) {
  const reuse = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    published: reuse(
      'bourse_intents_published_total',
      () =>
        new Counter({
          name: 'bourse_intents_published_total',
          help: 'Intents published on JetStream',
          labelNames: ['strategy'],
          registers: [registry],
        }),
    ),
    suppressed: reuse(
      'bourse_intents_suppressed_total',
      () =>
        new Counter({
          name: 'bourse_intents_suppressed_total',
          help: 'Intents a strategy made that were not published, by reason',
          labelNames: ['strategy', 'reason'],
          registers: [registry],
        }),
    ),
    publishFailures: reuse(
      'bourse_intent_publish_failures_total',
      () =>
        new Counter({
          name: 'bourse_intent_publish_failures_total',
          help: 'Intents JetStream did not acknowledge',
          labelNames: ['strategy'],
          registers: [registry],
        }),
    ),
    paused: reuse(
      'bourse_strategy_paused',
      () =>
        new Gauge({
          name: 'bourse_strategy_paused',
          help: '1 while a strategy is paused on this replica after throwing or emitting an invalid intent',
          labelNames: ['strategy'],
          registers: [registry],
        }),
    ),
    owned: reuse(
      'bourse_runner_instruments_owned',
      () =>
        new Gauge({
          name: 'bourse_runner_instruments_owned',
          help: 'Leases this replica holds: one per instrument, and one per unit of instruments traded together',
          registers: [registry],
        }),
    ),
    leaseErrors: reuse(
      'bourse_runner_lease_errors_total',
      () =>
        new Counter({
          name: 'bourse_runner_lease_errors_total',
          help: 'Lease bucket calls that failed',
          registers: [registry],
        }),
    ),
    historyFailures: reuse(
      'bourse_runner_history_failures_total',
      () =>
        new Counter({
          name: 'bourse_runner_history_failures_total',
          help: 'Warm-up history (venue klines) reads that failed',
          registers: [registry],
        }),
    ),
    stateWrites: reuse(
      'bourse_strategy_state_writes_total',
      () =>
        new Counter({
          name: 'bourse_strategy_state_writes_total',
          help: "Writes of strategies' own state, by outcome (saved, fenced, stale, failed, not-claimed)",
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    stateRefused: reuse(
      'bourse_strategy_state_refused_total',
      () =>
        new Counter({
          name: 'bourse_strategy_state_refused_total',
          help: 'Strategies not started on an instrument because their stored state is unusable',
          labelNames: ['strategy'],
          registers: [registry],
        }),
    ),
    stateLoadFailures: reuse(
      'bourse_strategy_state_load_failures_total',
      () =>
        new Counter({
          name: 'bourse_strategy_state_load_failures_total',
          help: 'Instruments not started because their strategies states could not be read',
          registers: [registry],
        }),
    ),
    badMarketData: reuse(
      'bourse_runner_bad_market_data_total',
      () =>
        new Counter({
          name: 'bourse_runner_bad_market_data_total',
          help: 'Market messages the runner could not apply',
          registers: [registry],
        }),
    ),
  };
}
