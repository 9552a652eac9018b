// The risk gate's NATS shell around RiskGateCore. Start order: limits, the OMS's Postgres view
// (open orders, fills, balances, instruments), the trading-state KV, quotes, the EXEC durable
// (which replays the stream on first start), and only then intents. Every message is decoded by
// its contract in the bus (failures are dead-lettered there); this file keeps no trading logic.

import {
  DeadLetterContract,
  DURABLE_CONSUMERS,
  recordTripCancel,
  requestTripCancel,
  type Bus,
  type ConsumerHandle,
  type DurableConsumerSpec,
  type DurableMessageMeta,
  type BusSubscription,
  type KvChange,
  type KvWatchHandle,
  type TypedKv,
} from '@bourse/bus';
import {
  ExecutionEvent,
  FeedStatus,
  Intent,
  OperatorReply,
  OrderRequest,
  Quote,
  ReloadLimitsCommand,
  RiskDecision,
  TradingState,
  tradingStateKey,
  type TradingStateScope,
} from '@bourse/contracts';
import { ClientOrderIdGenerator, InstrumentRegistry, ONE } from '@bourse/domain';
import { annotateSpan, isSecretKey, tradingAttributes, withSpan, type Logger, type Metrics } from '@bourse/telemetry';
import { DEFAULT_DECISION_RECALL_MS, DEFAULT_IN_FLIGHT_EXPIRY_MS } from '../config.js';
import {
  DAILY_LOSS_UNPRICED_RULE,
  RiskGateCore,
  RiskState,
  recallDecisions,
  resolveKillSwitchAction,
  type Clock,
  type LimitsConfig,
  type RecordedDecision,
  type RiskEffect,
} from '@bourse/risk';
import type { DecisionHistorySource } from './decision-history.js';
import { KillSwitch } from './kill-switch.js';
import type { LimitsSource } from './limits-file.js';
import { createRiskGateMetrics, TRADING_MODE_VALUE, type RiskGateMetrics } from './metrics.js';
import type { StartupSource } from './types.js';

const IntentContract = { name: 'Intent', schema: Intent };
const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const RiskDecisionContract = { name: 'RiskDecision', schema: RiskDecision };
const ExecutionEventContract = { name: 'ExecutionEvent', schema: ExecutionEvent };
const QuoteContract = { name: 'Quote', schema: Quote };
const FeedStatusContract = { name: 'FeedStatus', schema: FeedStatus };
const TradingStateContract = { name: 'TradingState', schema: TradingState };

export const DEFAULT_KILL_SWITCH_CHECK_MS = 1_000;

export interface RiskGateServiceOptions {
  readonly bus: Bus;
  readonly startup: StartupSource;
  readonly limits: LimitsSource;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** The venue this gate serves. */
  readonly venue: string;
  /** 4 characters of 0-9a-z (makeInstanceTag): part of every client order id this process makes. */
  readonly instanceTag: string;
  /** How often the daily-loss and stale-feed kill-switch triggers are checked (unrealized P&L moves with quotes). */
  readonly killSwitchCheckMs?: number;
  /** The gate's recent decisions (RISK and ORDERS streams); none recalled when absent. */
  readonly history?: DecisionHistorySource;
  /** How far back decisions are recalled at start (default 24 h). */
  readonly decisionRecallMs?: number;
  /** An in-flight order older than this that the OMS does not know stops counting (default 5 min). */
  readonly inFlightExpiryMs?: number;
  /** The intents consumer (tests shorten its ack wait); default DURABLE_CONSUMERS.riskGateIntents. */
  readonly intentConsumer?: DurableConsumerSpec;
  /** How long a halt-and-cancel trip waits for the order manager's cancel-all answer (default 10 s). */
  readonly killSwitchCancelTimeoutMs?: number;
}

export type LimitsReload =
  | { readonly result: 'applied'; readonly changes: readonly RiskEffect[] }
  | { readonly result: 'unchanged' }
  | { readonly result: 'refused'; readonly error: unknown };

export class RiskGateService {
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly metrics: RiskGateMetrics;
  private readonly options: RiskGateServiceOptions;
  private coreRef: RiskGateCore | undefined;
  private killSwitch: KillSwitch | undefined;
  private kv: TypedKv<TradingState> | undefined;
  private consumers: ConsumerHandle[] = [];
  private subscriptions: BusSubscription[] = [];
  private watch: KvWatchHandle | undefined;
  private stopLimitsWatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<LimitsReload> = Promise.resolve({ result: 'unchanged' });
  private readonly reloadListeners = new Set<(reload: LimitsReload) => void>();
  private started = false;

  constructor(options: RiskGateServiceOptions) {
    this.options = options;
    this.bus = options.bus;
    this.logger = options.logger.child({ component: 'risk-gate' });
    this.metrics = createRiskGateMetrics(options.metrics);
  }

  /** The core, once started (tests and status views read its state). */
  get core(): RiskGateCore {
    if (!this.coreRef) throw new Error('RiskGateService: not started');
    return this.coreRef;
  }

  /** True once the state is rebuilt and every consumer runs, while NATS is connected. */
  get isReady(): boolean {
    return this.started && this.bus.isConnected();
  }

  async start(): Promise<void> {
    const { venue, clock } = this.options;
    const limits = await this.options.limits.load();
    this.logger.debug({ file: this.options.limits.path }, 'risk limits loaded');

    const snapshot = await this.options.startup.load(venue);
    const registry = new InstrumentRegistry(venue, snapshot.instruments);
    const { recalled, inFlight } = await this.recall();
    const state = RiskState.rebuild(
      {
        orders: [...snapshot.orders, ...inFlight],
        events: snapshot.events,
        recalled,
        ...(snapshot.balances ? { balances: snapshot.balances } : {}),
      },
      { venue, multiplier: (instrument) => registry.get(instrument)?.multiplier ?? ONE },
    );
    const ids = new ClientOrderIdGenerator({ instanceTag: this.options.instanceTag, clock: () => clock.now() });
    const core = new RiskGateCore({ state, limits, registry, clock, ids });
    this.coreRef = core;
    this.logger.debug(
      {
        instruments: snapshot.instruments.length,
        openOrders: snapshot.orders.length,
        events: snapshot.events.length,
        balances: snapshot.balances !== undefined,
      },
      'risk state rebuilt from the order manager store',
    );

    const kv = await this.bus.tradingState(TradingStateContract);
    this.kv = kv;
    const bus = this.bus;
    this.killSwitch = new KillSwitch(kv, core, clock, this.logger, this.metrics, bus.service, {
      actionFor: (trigger, scope) =>
        resolveKillSwitchAction(
          core.limits,
          trigger,
          scope,
          scope.kind === 'instrument' ? registry.byVenueSymbol(scope.symbol)?.symbol : undefined,
        ),
      cancelAll: (scope) =>
        requestTripCancel(bus, scope, bus.service, () => clock.now(), this.options.killSwitchCancelTimeoutMs ?? 10_000),
      record: (scope, trippedAt, cancel) => recordTripCancel(kv, scope, trippedAt, cancel),
    });
    this.watch = await kv.watch((change) => this.onTradingStateChange(change));
    await this.primeTradingStates(kv, registry, limits);

    const subjects = this.bus.subjects;
    for (const spec of registry.list()) {
      this.subscriptions.push(
        this.bus.subscribe(subjects.md.quote(venue, spec.venueSymbol), QuoteContract, (quote) => {
          core.onQuote(quote);
        }),
        // One status per change of the feed (never per tick), so each is logged.
        this.bus.subscribe(subjects.md.feedStatus(venue, spec.venueSymbol), FeedStatusContract, (status) =>
          this.onFeedStatus(spec.venueSymbol, status),
        ),
      );
    }
    this.consumers.push(
      await this.bus.consume(DURABLE_CONSUMERS.riskGateExec, ExecutionEventContract, (event, meta) =>
        this.onExecutionEvent(event, meta),
      ),
    );
    this.consumers.push(
      await this.bus.consume(
        this.options.intentConsumer ?? DURABLE_CONSUMERS.riskGateIntents,
        IntentContract,
        (intent) => this.onIntent(intent),
      ),
    );
    // `bourse reload-limits`: the operator's user alone may send it (NATS permissions).
    this.subscriptions.push(
      this.bus.serve(
        subjects.command('risk-gate', 'reload-limits'),
        { name: 'ReloadLimitsCommand', schema: ReloadLimitsCommand },
        { name: 'OperatorReply', schema: OperatorReply },
        (command) => this.onReloadLimitsCommand(command),
      ),
    );
    await this.bus.flush();

    this.timer = setInterval(
      () => void this.checkKillSwitch(),
      this.options.killSwitchCheckMs ?? DEFAULT_KILL_SWITCH_CHECK_MS,
    );
    this.timer.unref();
    this.stopLimitsWatch = this.options.limits.watch(() => void this.reloadLimits());
    this.started = true;
    this.logger.debug({ venue }, 'risk gate started');
  }

  /**
   * The decisions of the last `decisionRecallMs`, from what earlier processes published, so a
   * redelivered intent gets its first decision and client order id. Recalled orders the OMS does not
   * know yet are put in flight (it may be about to receive them; the expiry sweep drops them if not).
   */
  private async recall(): Promise<{ recalled: RecordedDecision[]; inFlight: OrderRequest[] }> {
    const history = this.options.history;
    const windowMs = this.options.decisionRecallMs ?? DEFAULT_DECISION_RECALL_MS;
    if (history === undefined || windowMs <= 0) return { recalled: [], inFlight: [] };
    const { venue, clock } = this.options;
    const since = clock.now() - windowMs;
    const read = await history.load(since);
    for (const bad of read.invalid) {
      this.logger.warn({ subject: bad.subject, issue: bad.issue }, 'recalled message breaks its contract; skipped');
    }
    if (read.invalid.length > 0) this.metrics.decisionsRecalled.inc({ kind: 'invalid' }, read.invalid.length);
    const { recalled, unmatched } = recallDecisions(read.decisions, read.orderRequests, venue);
    const known = await this.options.startup.knownOrderIds(venue, since);
    const inFlight = recalled.flatMap((r) =>
      r.orderRequest !== undefined && !known.has(r.orderRequest.clientOrderId) ? [r.orderRequest] : [],
    );
    const accepted = recalled.filter((r) => r.decision.outcome === 'accepted').length;
    this.metrics.decisionsRecalled.inc({ kind: 'accepted' }, accepted);
    this.metrics.decisionsRecalled.inc({ kind: 'rejected' }, recalled.length - accepted);
    if (unmatched > 0) this.metrics.decisionsRecalled.inc({ kind: 'unmatched' }, unmatched);
    this.logger.debug(
      { since, accepted, rejected: recalled.length - accepted, unmatched, inFlight: inFlight.length },
      'recent decisions recalled from RISK and ORDERS',
    );
    return { recalled, inFlight };
  }

  /**
   * Expires in-flight orders (accepted, no execution event) older than the bound whose client order
   * id the OMS's orders table does not know: the OMS never received them, so no event will ever
   * clear them, and they would count toward max-open-orders and commit balance forever.
   */
  async expireInFlight(): Promise<string[]> {
    const core = this.coreRef;
    if (!core) return [];
    const stale = core.inFlightOlderThan(this.options.inFlightExpiryMs ?? DEFAULT_IN_FLIGHT_EXPIRY_MS);
    const oldest = stale[0]?.createdAt;
    if (oldest === undefined) return [];
    const known = await this.options.startup.knownOrderIds(this.options.venue, oldest);
    const expired: string[] = [];
    for (const order of stale) {
      if (known.has(order.clientOrderId) || !core.expireInFlight(order.clientOrderId)) continue;
      expired.push(order.clientOrderId);
      this.metrics.inFlightExpired.inc();
      this.logger.warn(
        { clientOrderId: order.clientOrderId, strategyId: order.strategyId, createdAt: order.createdAt },
        'in-flight order unknown to the order manager past the bound; no longer counted',
      );
    }
    return expired;
  }

  /** Stops taking intents first, then everything else; leaves the bus to the caller (drain). */
  async stop(): Promise<void> {
    this.started = false;
    this.stopLimitsWatch?.();
    if (this.timer) clearInterval(this.timer);
    for (const consumer of this.consumers.reverse()) await consumer.stop();
    this.consumers = [];
    for (const sub of this.subscriptions) await sub.unsubscribe();
    this.subscriptions = [];
    await this.watch?.stop();
    this.watch = undefined;
    await this.killSwitch?.settled();
  }

  /** Re-reads the limits file; a valid one replaces the limits (each change logged), an invalid one is refused. */
  reloadLimits(): Promise<LimitsReload> {
    this.reloading = this.reloading.then(() => this.reloadOnce());
    return this.reloading;
  }

  private async onReloadLimitsCommand(command: ReloadLimitsCommand): Promise<OperatorReply> {
    const reload = await this.reloadLimits();
    this.logger.info(
      { requestedBy: command.requestedBy, reason: command.reason, result: reload.result },
      `limits reload asked by ${command.requestedBy}: ${reload.result}`,
    );
    if (reload.result === 'refused') {
      const message = reload.error instanceof Error ? reload.error.message : String(reload.error);
      return { v: 1, ok: false, error: { code: 'LIMITS_REFUSED', message } };
    }
    return {
      v: 1,
      ok: true,
      result: { result: reload.result, changes: reload.result === 'applied' ? reload.changes.length : 0 },
    };
  }

  /** Called after every limits reload with its result; returns a function that removes the listener. */
  onLimitsReload(listener: (reload: LimitsReload) => void): () => void {
    this.reloadListeners.add(listener);
    return () => this.reloadListeners.delete(listener);
  }

  /** One kill-switch check: daily loss and stale feeds (the timer calls it); failures are logged, the next tick tries again. */
  async checkKillSwitch(): Promise<void> {
    if (!this.coreRef) return;
    await this.carryOut(this.coreRef.checkKillSwitch());
    try {
      await this.expireInFlight();
    } catch (err) {
      // The OMS's table could not be read: nothing expires now, the next tick asks again.
      this.logger.error({ err }, 'could not check in-flight orders against the order manager');
    }
  }

  // ---- handlers ------------------------------------------------------------------------------

  /** One decision, as the `risk.decide` span in the intent's trace; the order request and decision are sent inside it. */
  private onIntent(intent: Intent): Promise<void> {
    const attributes = tradingAttributes({
      strategyId: intent.strategyId,
      strategyVersion: intent.strategyVersion,
      instrument: intent.instrument,
      intentId: intent.id,
    });
    return withSpan('risk.decide', { attributes }, () => this.decide(intent));
  }

  private async decide(intent: Intent): Promise<void> {
    const result = this.core.onIntent(intent);
    const { decision, orderRequest } = result;
    annotateSpan({
      'bourse.risk.outcome': decision.outcome,
      ...(decision.outcome === 'accepted'
        ? tradingAttributes({ clientOrderId: decision.clientOrderId })
        : {
            'bourse.risk.rule': decision.failures[0]?.rule ?? '',
            'bourse.risk.rules': decision.failures.map((f) => f.rule),
          }),
    });
    // Counted and logged once, when decided: a redelivery (after a failed publish) is not a new decision.
    if (!result.redelivered) {
      this.metrics.decisions.inc({ outcome: decision.outcome });
      if (decision.outcome === 'rejected') {
        for (const f of decision.failures) this.metrics.ruleFailures.inc({ rule: f.rule });
      }
      this.logger.info(
        {
          intentId: intent.id,
          strategyId: intent.strategyId,
          instrument: intent.instrument,
          outcome: decision.outcome,
          ...(decision.outcome === 'accepted'
            ? { clientOrderId: decision.clientOrderId }
            : { rules: decision.failures.map((f) => f.rule) }),
        },
        'risk decision',
      );
      for (const f of decision.outcome === 'rejected' ? decision.failures : []) {
        if (f.rule !== DAILY_LOSS_UNPRICED_RULE) continue;
        this.logger.warn({ strategyId: intent.strategyId, rule: f.rule }, f.message);
      }
    }
    const subjects = this.bus.subjects;
    // A redelivery republishes what was decided, under the same message ids: if the first attempt
    // failed half way the missing half goes out now, and whatever did go out is de-duplicated.
    if (orderRequest) {
      const ack = await this.bus.publishDurable(
        subjects.orderRequest(orderRequest.venueSymbol),
        OrderRequestContract,
        orderRequest,
        { msgId: intent.id },
      );
      if (ack.duplicate && !result.redelivered) this.dropPhantom(orderRequest);
    }
    await this.bus.publishDurable(subjects.riskDecision(decision.strategyId), RiskDecisionContract, decision, {
      msgId: intent.id,
    });
    await this.carryOut(result.effects);
  }

  /**
   * The ORDERS stream already held an order for this intent (published before a restart lost the
   * decision); the new client order id will never trade, so it must stop counting as in flight.
   */
  private dropPhantom(orderRequest: OrderRequest): void {
    const core = this.core;
    core.onExecutionEvent({
      v: 1,
      type: 'order-status',
      eventId: `risk-gate:duplicate:${orderRequest.clientOrderId}`,
      venue: orderRequest.venue,
      instrument: orderRequest.instrument,
      clientOrderId: orderRequest.clientOrderId,
      status: 'canceled',
      filledQty: '0',
      cumulativeQuoteQty: '0',
      reason: 'intent already became an order before a restart',
      venueTime: this.options.clock.now(),
    } as ExecutionEvent);
    this.logger.warn(
      { intentId: orderRequest.intentId, clientOrderId: orderRequest.clientOrderId },
      'order request for this intent was already published; the new client order id is dropped',
    );
  }

  private async onExecutionEvent(event: ExecutionEvent, meta: DurableMessageMeta): Promise<void> {
    const { outcome, effects } = this.core.onExecutionEvent(event);
    this.metrics.execEvents.inc({ outcome: outcome.outcome });
    if (outcome.outcome === 'rejected') {
      // Retrying cannot help (the conflict is in the data) and would hold up the ordered consumer.
      await this.deadLetter(event, meta, outcome.error);
      return;
    }
    await this.carryOut(effects);
  }

  private onFeedStatus(venueSymbol: string, status: FeedStatus): void {
    const outcome = this.core.onFeedStatus(venueSymbol, status);
    // A status that starts or ends nothing (a feed going live at start) is step-by-step detail.
    this.logger[outcome === 'ignored' ? 'debug' : 'info'](
      { venueSymbol, state: status.state, reason: status.reason, changedAt: status.changedAt, outcome },
      'market-data feed status',
    );
  }

  private onTradingStateChange(change: KvChange<TradingState>): void {
    if (change.value === null) {
      // The core keeps the last entry of a deleted key (the stricter reading); an operator sets ACTIVE to resume.
      this.logger.warn({ key: change.key, operation: change.operation }, 'trading-state entry removed; last mode kept');
      return;
    }
    const outcome = this.core.onTradingState(change.value);
    this.showTradingState(change.value);
    if (change.isUpdate) {
      this.logger.info({ key: change.key, mode: change.value.mode, outcome: outcome.outcome }, 'trading state changed');
    }
  }

  /**
   * The watch replays current values asynchronously; reading the keys this gate can name now means
   * no intent is judged before the global, instrument and known strategies' states are in.
   */
  private async primeTradingStates(
    kv: TypedKv<TradingState>,
    registry: InstrumentRegistry,
    limits: LimitsConfig,
  ): Promise<void> {
    const scopes: TradingStateScope[] = [
      { kind: 'global' },
      ...registry.list().map((s) => ({ kind: 'instrument' as const, symbol: s.venueSymbol })),
      ...[...new Set([...this.core.state.strategyIds(), ...Object.keys(limits.strategies)])].map((strategyId) => ({
        kind: 'strategy' as const,
        strategyId,
      })),
    ];
    for (const scope of scopes) {
      const entry = await kv.get(tradingStateKey(scope));
      if (entry) {
        this.core.onTradingState(entry.value);
        this.showTradingState(entry.value);
      }
    }
  }

  /** The gauge shows what the core holds for the scope after the entry, which may ignore an outdated one. */
  private showTradingState({ scope }: TradingState): void {
    const mode = this.core.state.tradingState(scope)?.mode;
    if (mode === undefined) return;
    const target = scope.kind === 'global' ? '' : scope.kind === 'instrument' ? scope.symbol : scope.strategyId;
    this.metrics.tradingState.set({ scope: scope.kind, target }, TRADING_MODE_VALUE[mode]);
  }

  private async carryOut(effects: readonly RiskEffect[]): Promise<void> {
    const killSwitch = this.killSwitch;
    if (!killSwitch) return;
    for (const effect of effects) {
      if (effect.kind !== 'trip-kill-switch') continue;
      if (effect.trigger !== 'daily-loss' && effect.retry !== true) {
        // Once per burst or stale episode by construction, so each is worth a line and a count
        // even when the scope is HALTED already (the KillSwitch then writes nothing).
        this.metrics.killSwitchTriggers.inc({ trigger: effect.trigger });
        this.logger.warn(
          { trigger: effect.trigger, scope: effect.scope, reason: effect.reason },
          'kill-switch trigger fired',
        );
      }
      try {
        await killSwitch.trip(effect.scope, effect.reason, effect.trigger);
      } catch (err) {
        // The decision already refuses; the periodic check writes HALTED on its next tick.
        this.core.killSwitchWriteFailed(effect);
        this.logger.error(
          { err, scope: effect.scope, trigger: effect.trigger },
          'could not write HALTED to the trading-state KV',
        );
      }
    }
  }

  private async reloadOnce(): Promise<LimitsReload> {
    let reload: LimitsReload;
    try {
      const next = await this.options.limits.load();
      const changes = this.core.setLimits(next);
      for (const change of changes) {
        if (change.kind === 'limit-changed') {
          this.logger.info({ path: change.path, before: change.before, after: change.after }, 'risk limit changed');
        }
      }
      reload = changes.length === 0 ? { result: 'unchanged' } : { result: 'applied', changes };
    } catch (error) {
      this.logger.error(
        { err: error, file: this.options.limits.path },
        'limits file refused; the previous limits stay in force',
      );
      reload = { result: 'refused', error };
    }
    this.metrics.limitsReloads.inc({ result: reload.result });
    for (const listener of this.reloadListeners) listener(reload);
    return reload;
  }

  private async deadLetter(
    event: ExecutionEvent,
    meta: DurableMessageMeta,
    error: Error & { code?: string },
  ): Promise<void> {
    this.logger.error(
      { eventId: event.eventId, clientOrderId: event.clientOrderId, err: error },
      'execution event rejected by the risk state; dead-lettered',
    );
    await this.bus.publishDurable(
      this.bus.subjects.dlq(this.bus.service),
      DeadLetterContract,
      {
        v: 1,
        service: this.bus.service,
        subject: meta.subject,
        reason: 'handler_failed',
        ...(error.code === undefined ? {} : { code: error.code }),
        issues: [{ path: '', message: error.message }],
        payloadEncoding: 'utf8',
        payload: JSON.stringify(event),
        headers: Object.fromEntries(
          Object.entries(meta.headers)
            .filter(([name]) => !isSecretKey(name))
            .map(([name, value]) => [name, [value]]),
        ),
        receivedAt: this.options.clock.now(),
      },
      { msgId: `dlq:${meta.stream}:${meta.streamSequence}` },
    );
  }
}
