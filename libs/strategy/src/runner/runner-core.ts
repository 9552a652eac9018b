import type {
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
import type { Bar, BarPrice } from '../bars/bar.js';
import { createStrategyContext } from '../sdk/context.js';
import { isStrategyError } from '../sdk/errors.js';
import { completeIntent } from '../sdk/intent.js';
import type { Clock, IntentDraft, StrategyInstance } from '../types.js';
import { isRunnerError, StoredStateError } from './errors.js';
import type { IdSource, InstrumentRef, StrategyConfig } from './types.js';
import { MarketDesk, type FeedBlock } from './market-desk.js';
import { emptyOutput, type CoreOutput } from './notices.js';
import { DEFAULT_PENDING_INTENT_TTL_MS, OwnOrders } from './own-orders.js';
import { StrategyHost, type Evaluation } from './strategy-host.js';
import { parseStoredState, type RestoredStates } from './state-store.js';
import type { StrategyState } from '../types.js';
import { ReconGate } from './recon-gate.js';
import { TradingGate } from './trading-gate.js';
import { TimeframeWarmup, type HistoryRequest } from './warmup.js';

export interface RunnerCoreOptions {
  readonly strategies: readonly StrategyConfig[];
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Market data older than this (by the gateway's receivedAt) blocks decisions. */
  readonly staleAfterMs: number;
  readonly pendingIntentTtlMs?: number;
  /** Tick, lot and limits of an instrument, when the runner knows them. */
  readonly instrumentSpec?: (venue: string, symbol: string) => InstrumentSpec | undefined;
  /**
   * Safe start: emit nothing for a venue until its latest reconciliation report says `ok`
   * (default true). Off only where no reconciler runs (tests of other rules, backtests).
   */
  readonly requireReconciliation?: boolean;
  /**
   * Feed strategies that declare a warm-up with venue history before live bars (default false: the
   * backtester feeds its own history). When on, outputs carry `historyRequests` the shell must answer.
   */
  readonly warmupFromHistory?: boolean;
  /**
   * What bars are built from (default `last`: trades). `mid`, `bid` or `ask` build them from quotes,
   * for venues and data sets that give quotes only; trades then make no bars.
   */
  readonly barPrice?: BarPrice;
}

/** Why a strategy stopped: it threw, or returned an intent that is not valid. */
export interface PauseRecord {
  readonly code: string;
  readonly message: string;
  readonly venueSymbol: string;
  readonly at: number;
}

export function instrumentKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/** The lease unit of a strategy that trades its instruments as one unit: one key for all its legs. */
export function unitKey(strategyId: string): string {
  return `unit:${strategyId}`;
}

/** A strategy that trades its instruments as one unit, and those instruments (its legs, in order). */
export interface UnitRef {
  readonly strategyId: string;
  readonly instruments: readonly InstrumentRef[];
}

/** Whether the strategy runs as one instance over all its instruments (its definition declares a unit). */
export function isUnitStrategy(strategy: StrategyConfig): boolean {
  return strategy.definition.unit !== undefined;
}

/**
 * The runner's pure core: for the instruments this replica owns, it keeps one MarketDesk each and one
 * StrategyHost per strategy trading it, routes market data, execution events and the trading state to
 * them, and turns what the strategies decide into Intents. An intent is published only when the feed
 * is valid for that strategy and the trading state allows it (ACTIVE; REDUCING: reduce-only intents);
 * otherwise it is reported as suppressed. A strategy that throws or returns an invalid intent is paused
 * on this replica, on every instrument, until the runner restarts; the others go on.
 *
 * No I/O, no timers: the shell feeds it messages and calls onClock at `nextWakeAt()`.
 */
export class RunnerCore {
  // Desks, hosts and warm-ups are keyed by desk key: an instrument's key for the strategies run per
  // instrument, `unit:<id>|<instrument key>` for a unit's legs (a unit has desks of its own, so its
  // timeframes and lease are its own); `deskKeys` finds every desk of an instrument for market data.
  private readonly desks = new Map<string, MarketDesk>();
  private readonly hosts = new Map<string, StrategyHost[]>();
  private readonly deskKeys = new Map<string, string[]>();
  private readonly units = new Map<string, { host: StrategyHost; keys: string[] }>();
  private readonly gate = new TradingGate();
  private readonly recon: ReconGate;
  private readonly orders: OwnOrders;
  private readonly paused = new Map<string, PauseRecord>();
  private readonly warmups = new Map<string, TimeframeWarmup[]>();
  private historySeq = 0;
  private readonly clock: Clock;

  constructor(private readonly options: RunnerCoreOptions) {
    this.clock = options.clock;
    this.recon = new ReconGate(options.requireReconciliation ?? true);
    this.orders = new OwnOrders(
      new Set(options.strategies.map((s) => s.id)),
      options.pendingIntentTtlMs ?? DEFAULT_PENDING_INTENT_TTL_MS,
    );
  }

  /**
   * Every instrument some strategy run per instrument trades, once each: units replicas share (with
   * configuredUnits). An instrument traded only by unit strategies is not one.
   */
  configuredInstruments(): InstrumentRef[] {
    const seen = new Map<string, InstrumentRef>();
    for (const s of this.options.strategies) {
      if (isUnitStrategy(s)) continue;
      for (const i of s.instruments) seen.set(instrumentKey(i.venue, i.symbol), i);
    }
    return [...seen.values()];
  }

  /** The strategies that trade their instruments as one unit: each is one unit replicas share (unitKey). */
  configuredUnits(): UnitRef[] {
    return this.options.strategies
      .filter((s) => isUnitStrategy(s))
      .map((s) => ({ strategyId: s.id, instruments: s.instruments }));
  }

  ownedInstruments(): InstrumentRef[] {
    return [...this.desks.entries()].filter(([key]) => !key.startsWith('unit:')).map(([, d]) => d.ref);
  }

  /** Strategy ids of the units running here. */
  ownedUnits(): string[] {
    return [...this.units.keys()];
  }

  owns(venue: string, symbol: string): boolean {
    return this.desks.has(instrumentKey(venue, symbol));
  }

  pausedStrategies(): ReadonlyMap<string, PauseRecord> {
    return this.paused;
  }

  /**
   * Starts running every strategy that trades `ref`. Indicators start fresh (warm-up rebuilds them);
   * a strategy's own state starts from `restored` (by strategy id, as its store held it) when given.
   * A stored state that is unusable refuses that strategy on this instrument (a `state-refused` notice
   * carrying a StoredStateError); the others start. `warmQuote` is a snapshot (e.g. from Redis); it
   * counts as data only if fresh.
   */
  addInstrument(ref: InstrumentRef, warmQuote?: Quote, restored?: RestoredStates): CoreOutput {
    const out = emptyOutput();
    const key = instrumentKey(ref.venue, ref.symbol);
    if (this.desks.has(key)) return out;
    const now = this.clock.now();
    const strategies = this.options.strategies.filter(
      (s) => !isUnitStrategy(s) && s.instruments.some((i) => i.venue === ref.venue && i.symbol === ref.symbol),
    );
    const instances: { strategy: StrategyConfig; instance: StrategyInstance; seq: number }[] = [];
    for (const s of strategies) {
      const stored = restored?.get(s.id);
      let state: StrategyState | undefined;
      if (stored !== undefined) {
        try {
          state = parseStoredState(s, ref, stored);
        } catch (error) {
          if (!(error instanceof StoredStateError)) throw error;
          out.notices.push({
            kind: 'state-refused',
            strategyId: s.id,
            venueSymbol: ref.venueSymbol,
            message: error.message,
            error,
          });
          continue;
        }
      }
      const instance = s.definition.instantiate({
        params: s.params,
        instruments: [ref.symbol],
        ...(state !== undefined ? { state } : {}),
      });
      instances.push({ strategy: s, instance, seq: stored?.seq ?? 0 });
    }
    const timeframes = [...new Set(instances.flatMap((i) => i.instance.timeframes.map((t) => t.ms)))];
    const desk = new MarketDesk(ref, timeframes, this.options.staleAfterMs, this.options.barPrice ?? 'last');
    // A snapshot only says where the book is now: it starts no bar (its time may be long past).
    if (warmQuote !== undefined) desk.onQuote(warmQuote, { bars: false });
    const hosts = instances.map(({ strategy, instance, seq }) => {
      return new StrategyHost(strategy, ref, instance, this.contextFor(strategy, ref.venue), now, seq);
    });
    this.addDesk(key, desk, hosts);
    return out;
  }

  /**
   * Starts a unit strategy (its definition declares a unit): ONE instance over all its instruments, with
   * desks of its own for each leg, its state from `restored` (by strategy id, kept under its first leg).
   * Unknown or non-unit ids, and a unit already running, change nothing.
   */
  addUnit(strategyId: string, warmQuotes?: ReadonlyMap<string, Quote>, restored?: RestoredStates): CoreOutput {
    const out = emptyOutput();
    const strategy = this.options.strategies.find((s) => s.id === strategyId && isUnitStrategy(s));
    if (strategy === undefined || this.units.has(strategyId)) return out;
    const [first] = strategy.instruments;
    if (first === undefined) return out;
    const stored = restored?.get(strategy.id);
    let state: StrategyState | undefined;
    if (stored !== undefined) {
      try {
        state = parseStoredState(strategy, first, stored);
      } catch (error) {
        if (!(error instanceof StoredStateError)) throw error;
        out.notices.push({
          kind: 'state-refused',
          strategyId,
          venueSymbol: first.venueSymbol,
          message: error.message,
          error,
        });
        return out;
      }
    }
    const instance = strategy.definition.instantiate({
      params: strategy.params,
      instruments: strategy.instruments.map((i) => i.symbol),
      ...(state !== undefined ? { state } : {}),
    });
    const now = this.clock.now();
    const host = new StrategyHost(
      strategy,
      first,
      instance,
      this.contextFor(strategy, first.venue),
      now,
      stored?.seq ?? 0,
      strategy.instruments,
    );
    const timeframes = instance.timeframes.map((t) => t.ms);
    const keys: string[] = [];
    for (const leg of strategy.instruments) {
      const key = `${unitKey(strategyId)}|${instrumentKey(leg.venue, leg.symbol)}`;
      const desk = new MarketDesk(leg, timeframes, this.options.staleAfterMs, this.options.barPrice ?? 'last');
      const warm = warmQuotes?.get(leg.symbol);
      if (warm !== undefined) desk.onQuote(warm, { bars: false });
      this.addDesk(key, desk, [host]);
      keys.push(key);
    }
    this.units.set(strategyId, { host, keys });
    return out;
  }

  /** Stops running a unit here at once (its lease is gone or being handed over). */
  removeUnit(strategyId: string): void {
    const unit = this.units.get(strategyId);
    if (unit === undefined) return;
    this.units.delete(strategyId);
    for (const key of unit.keys) this.removeDesk(key);
  }

  /** Stops running `ref` here at once (its lease is gone or being handed over). */
  removeInstrument(venue: string, symbol: string): void {
    this.removeDesk(instrumentKey(venue, symbol));
  }

  private addDesk(key: string, desk: MarketDesk, hosts: StrategyHost[]): void {
    this.desks.set(key, desk);
    this.hosts.set(key, hosts);
    const ik = instrumentKey(desk.ref.venue, desk.ref.symbol);
    this.deskKeys.set(ik, [...(this.deskKeys.get(ik) ?? []), key]);
    if (this.options.warmupFromHistory === true) this.warmups.set(key, warmupsOf(hosts));
  }

  private removeDesk(key: string): void {
    const desk = this.desks.get(key);
    if (desk === undefined) return;
    this.desks.delete(key);
    this.hosts.delete(key);
    this.warmups.delete(key);
    const ik = instrumentKey(desk.ref.venue, desk.ref.symbol);
    const left = (this.deskKeys.get(ik) ?? []).filter((k) => k !== key);
    if (left.length === 0) this.deskKeys.delete(ik);
    else this.deskKeys.set(ik, left);
  }

  private contextFor(strategy: StrategyConfig, venue: string) {
    return createStrategyContext({
      clock: this.clock,
      quote: (symbol) => this.latestQuote(venue, symbol),
      position: (symbol) => this.orders.position(strategy.id, symbol),
      openOrders: () => this.orders.openOrders(strategy.id),
      equity: () => strategy.equity,
      instrument: (symbol) => this.options.instrumentSpec?.(venue, symbol),
    });
  }

  /** The newest quote of an instrument among the desks that follow it. */
  private latestQuote(venue: string, symbol: string): Quote | undefined {
    let best: Quote | undefined;
    for (const key of this.deskKeys.get(instrumentKey(venue, symbol)) ?? []) {
      const q = this.desks.get(key)?.quote;
      if (q !== undefined && (best === undefined || q.receivedAt > best.receivedAt)) best = q;
    }
    return best;
  }

  onTradingState(key: string, value: TradingState | null): void {
    this.gate.apply(key, value);
  }

  /** A reconciliation report (the latest at start, then each new one). */
  onReconReport(report: ReconciliationReport): void {
    this.recon.apply(report);
  }

  onQuote(quote: Quote): CoreOutput {
    const out = emptyOutput();
    for (const key of this.deskKeys.get(instrumentKey(quote.venue, quote.instrument)) ?? []) {
      this.quoteTo(key, quote, out);
    }
    return out;
  }

  private quoteTo(key: string, quote: Quote, out: CoreOutput): void {
    const desk = this.desks.get(key);
    if (desk === undefined) return;
    let bars;
    try {
      bars = desk.onQuote(quote);
    } catch (error) {
      out.notices.push({
        kind: 'bad-market-data',
        venueSymbol: desk.ref.venueSymbol,
        message: `quote not applied to bars: ${error instanceof Error ? error.message : String(error)}`,
        error,
      });
      return;
    }
    const now = this.clock.now();
    this.deliverBars(key, desk, bars, out);
    for (const host of this.hosts.get(key) ?? []) this.run(host, desk, host.onQuote(quote, now), out);
    this.requestDueHistory(key, desk, now, out);
  }

  onTrade(trade: Trade): CoreOutput {
    const out = emptyOutput();
    for (const key of this.deskKeys.get(instrumentKey(trade.venue, trade.instrument)) ?? []) {
      this.tradeTo(key, trade, out);
    }
    return out;
  }

  private tradeTo(key: string, trade: Trade, out: CoreOutput): void {
    const desk = this.desks.get(key);
    if (desk === undefined) return;
    let bars;
    try {
      bars = desk.onTrade(trade);
    } catch (error) {
      out.notices.push({
        kind: 'bad-market-data',
        venueSymbol: desk.ref.venueSymbol,
        message: `trade ${trade.venueTradeId} not applied to bars: ${error instanceof Error ? error.message : String(error)}`,
        error,
      });
      return;
    }
    const now = this.clock.now();
    this.deliverBars(key, desk, bars, out);
    for (const host of this.hosts.get(key) ?? []) this.run(host, desk, host.onTrade(trade, now), out);
    this.requestDueHistory(key, desk, now, out);
  }

  /**
   * A closed bar built elsewhere (the backtester's data), handed to the strategies of `ref` as if the
   * runner's own bar builder had closed it: it counts as a complete bar and as data received at its
   * close time, and from then on the builder's own bars of that timeframe are dropped (feed trades for
   * onTrade if you like; they no longer make bars of it). A bar that is not closed, not of `ref`, not
   * one aligned window of a timeframe a strategy there uses, or not after the last bar delivered is
   * refused with a `bad-market-data` notice. Set the clock to the bar's close time first.
   */
  onBar(ref: InstrumentRef, bar: Bar): CoreOutput {
    const out = emptyOutput();
    for (const key of this.deskKeys.get(instrumentKey(ref.venue, ref.symbol)) ?? []) {
      const desk = this.desks.get(key);
      if (desk === undefined) continue;
      let bars: Bar[];
      try {
        bars = desk.onClosedBar(bar);
      } catch (error) {
        if (!isRunnerError(error, 'BAR_REJECTED')) throw error;
        out.notices.push({ kind: 'bad-market-data', venueSymbol: ref.venueSymbol, message: error.message, error });
        continue;
      }
      this.deliverBars(key, desk, bars, out);
      this.requestDueHistory(key, desk, this.clock.now(), out);
    }
    return out;
  }

  /** Venue history for a request of this core: fed to the waiting strategies, then the live bars held for them. */
  onHistory(request: HistoryRequest, history: readonly Bar[]): CoreOutput {
    const out = emptyOutput();
    const found = this.pendingWarmup(request);
    if (found === undefined) return out;
    const bars = found.warm.select(history, request.ref.symbol, request.before);
    this.finishWarmup(found.key, found.desk, found.warm, bars, undefined, out);
    return out;
  }

  /** The shell could not read the history: the strategies go on with live bars only, as without a warm-up. */
  onHistoryFailed(request: HistoryRequest, reason: string): CoreOutput {
    const out = emptyOutput();
    const found = this.pendingWarmup(request);
    if (found !== undefined) this.finishWarmup(found.key, found.desk, found.warm, [], reason, out);
    return out;
  }

  onFeedStatus(status: FeedStatus, ref: InstrumentRef): CoreOutput {
    for (const key of this.deskKeys.get(instrumentKey(ref.venue, ref.symbol)) ?? []) {
      this.desks.get(key)?.onFeedStatus(status);
    }
    return emptyOutput();
  }

  onRiskDecision(decision: RiskDecision): void {
    this.orders.onRiskDecision(decision);
  }

  /** The shell could not publish this intent: it is not an open order after all. */
  onIntentNotSent(intent: Intent): void {
    this.orders.forget(intent.id);
  }

  /** Applies an execution event to positions and open orders (for every strategy, owned here or not). */
  onExecution(event: ExecutionEvent): CoreOutput {
    const out = emptyOutput();
    const own = this.orders.onExecution(event);
    if (own === undefined) return out;
    for (const [key, hosts] of this.hosts) {
      const desk = this.desks.get(key);
      if (desk === undefined || desk.ref.venue !== event.venue || desk.ref.symbol !== event.instrument) continue;
      for (const host of hosts) {
        if (host.strategyId !== own.strategyId) continue;
        const evals = own.kind === 'fill' ? host.onFill(own.event) : host.onOrderUpdate(own.event);
        this.run(host, desk, evals, out);
      }
    }
    return out;
  }

  /** Closes bars whose time has come, runs due throttled and poll evaluations. */
  onClock(): CoreOutput {
    const out = emptyOutput();
    const now = this.clock.now();
    this.orders.expire(now);
    for (const [key, desk] of this.desks) {
      this.deliverBars(key, desk, desk.onClock(now), out);
      for (const host of this.hosts.get(key) ?? []) this.run(host, desk, host.onClock(now), out);
      this.requestDueHistory(key, desk, now, out);
    }
    return out;
  }

  /** When onClock should next run, or undefined when nothing is scheduled. */
  nextWakeAt(): number | undefined {
    // Asked on every market event in a backtest: no closure made per call.
    let next: number | undefined;
    for (const [key, desk] of this.desks) {
      next = earlier(next, desk.nextWakeAt());
      for (const warm of this.warmups.get(key) ?? []) {
        if (warm.phase === 'waiting-seam') next = earlier(next, desk.seam(warm.timeframeMs));
      }
      for (const host of this.hosts.get(key) ?? [])
        if (!this.paused.has(host.strategyId)) next = earlier(next, host.nextWakeAt());
    }
    return next;
  }

  /** Closed live bars to every strategy, except those still waiting for their history: theirs are held. */
  private deliverBars(key: string, desk: MarketDesk, bars: readonly Bar[], out: CoreOutput): void {
    if (bars.length === 0) return;
    const warmups = this.warmups.get(key) ?? [];
    for (const host of this.hosts.get(key) ?? []) {
      for (const bar of bars) {
        if (warmups.some((w) => w.timeframeMs === bar.timeframeMs && w.holds(host))) continue;
        this.run(host, desk, host.onBar(bar), out);
      }
    }
    for (const warm of warmups) {
      if (warm.phase === 'done') continue;
      warm.held.push(...bars.filter((b) => b.timeframeMs === warm.timeframeMs));
      // Memory stays bounded: once as many live bars as the history would give have closed, the
      // history is no longer needed to fill the window.
      if (warm.held.length >= warm.bars) {
        this.finishWarmup(key, desk, warm, [], `${warm.held.length} live bars closed before the history came`, out);
      }
    }
  }

  /** Asks for history once the seam is known and its window has begun (the candle before it is final). */
  private requestDueHistory(key: string, desk: MarketDesk, now: number, out: CoreOutput): void {
    for (const warm of this.warmups.get(key) ?? []) {
      if (warm.phase !== 'waiting-seam') continue;
      const seam = desk.seam(warm.timeframeMs);
      if (seam === undefined || now < seam) continue;
      const request: HistoryRequest = {
        id: ++this.historySeq,
        ref: desk.ref,
        timeframeMs: warm.timeframeMs,
        label: warm.label,
        bars: warm.bars,
        before: seam,
      };
      warm.phase = 'requested';
      warm.request = request;
      out.historyRequests.push(request);
    }
  }

  private pendingWarmup(request: HistoryRequest) {
    // An answer to a request of an instrument given up (and maybe won again) since is ignored.
    for (const key of this.deskKeys.get(instrumentKey(request.ref.venue, request.ref.symbol)) ?? []) {
      const desk = this.desks.get(key);
      const warm = this.warmups.get(key)?.find((w) => w.phase === 'requested' && w.request?.id === request.id);
      if (desk !== undefined && warm !== undefined) return { key, desk, warm };
    }
    return undefined;
  }

  private finishWarmup(
    key: string,
    desk: MarketDesk,
    warm: TimeframeWarmup,
    history: readonly Bar[],
    failure: string | undefined,
    out: CoreOutput,
  ): void {
    warm.phase = 'done';
    const held = warm.held.splice(0);
    let dropped = 0;
    const hosts = (this.hosts.get(key) ?? []).filter((h) => warm.hosts.has(h));
    for (const host of hosts) {
      for (const bar of history) dropped += this.runHistory(host, host.onBar(bar), out);
      for (const bar of held) this.run(host, desk, host.onBar(bar), out);
    }
    const strategyIds = hosts.map((h) => h.strategyId);
    out.notices.push({
      kind: 'warmed-up',
      venueSymbol: desk.ref.venueSymbol,
      timeframeMs: warm.timeframeMs,
      strategyIds,
      bars: history.length,
      droppedIntents: dropped,
      failed: failure !== undefined,
      message:
        failure === undefined
          ? `${history.length} of ${warm.bars} history bars of ${warm.label} fed to ${strategyIds.join(', ')}, then ${held.length} live`
          : `no history of ${warm.label} for ${strategyIds.join(', ')} (${failure}); warming up from live bars`,
    });
  }

  /**
   * A history bar: indicators move, a failure pauses as usual, but what it decides is not acted on, and
   * neither is what it did to the strategy's state: that is put back, since its intents were dropped
   * (a restored "entered" must not be undone by an exit decided on a bar it had already lived through).
   */
  private runHistory(host: StrategyHost, evaluations: readonly Evaluation[], out: CoreOutput): number {
    let dropped = 0;
    for (const evaluation of evaluations) {
      if (this.paused.has(host.strategyId)) return dropped;
      const before = host.instance.state;
      dropped += this.decide(host, evaluation, out)?.length ?? 0;
      if (host.instance.state !== before) host.instance.restoreState(before);
    }
    return dropped;
  }

  private run(host: StrategyHost, desk: MarketDesk, evaluations: readonly Evaluation[], out: CoreOutput): void {
    for (const evaluation of evaluations) {
      if (this.paused.has(host.strategyId)) return;
      const before = host.instance.state;
      const intents = this.decide(host, evaluation, out);
      this.noteState(host, before, out);
      if (intents !== undefined) this.release(host, desk, intents, out);
    }
  }

  /** Reports the state for persisting when an evaluation changed it (a copy equal in content is no change). */
  private noteState(host: StrategyHost, before: StrategyState, out: CoreOutput): void {
    const after = host.instance.state;
    if (after === before || sameState(before, after)) return;
    host.stateSeq += 1;
    out.stateChanges.push({
      strategyId: host.strategyId,
      strategyVersion: host.strategy.version,
      ref: host.instrument,
      state: after,
      seq: host.stateSeq,
      at: this.clock.now(),
    });
  }

  /** Runs the handler and completes its drafts; pauses the strategy on any failure. */
  private decide(host: StrategyHost, evaluation: Evaluation, out: CoreOutput): Intent[] | undefined {
    const now = this.clock.now();
    try {
      const drafts = evaluation.call();
      return drafts.map((draft) => this.complete(host, draft, evaluation.trigger, now));
    } catch (error) {
      const code = isStrategyError(error) ? error.code : 'UNEXPECTED';
      const message = error instanceof Error ? error.message : String(error);
      this.paused.set(host.strategyId, { code, message, venueSymbol: host.instrument.venueSymbol, at: now });
      out.notices.push({
        kind: 'paused',
        strategyId: host.strategyId,
        venueSymbol: host.instrument.venueSymbol,
        trigger: evaluation.trigger,
        code,
        message,
        error,
      });
      return undefined;
    }
  }

  private complete(host: StrategyHost, draft: IntentDraft, trigger: string, now: number): Intent {
    const quote = this.latestQuote(host.instrument.venue, draft.instrument);
    // What the market looked like when the strategy decided, next to the strategy's own inputs.
    const context: Record<string, string> = { trigger };
    if (quote !== undefined) {
      context.bid = quote.bidPrice;
      context.ask = quote.askPrice;
      context.quoteReceivedAt = String(quote.receivedAt);
      // The venue's own name and time for the event, so a trace leads back to the market event behind it.
      if (quote.updateId !== undefined) context.quoteUpdateId = String(quote.updateId);
      if (quote.venueTime !== undefined) context.quoteVenueTime = String(quote.venueTime);
    }
    return completeIntent(
      { ...draft, inputs: { ...context, ...draft.inputs } },
      {
        id: this.options.ids.next(),
        strategyId: host.strategyId,
        strategyVersion: host.strategy.version,
        ...(host.strategy.codeHash !== undefined ? { codeHash: host.strategy.codeHash } : {}),
        venue: host.instrument.venue,
        createdAt: now,
        ...(quote !== undefined ? { marketDataAt: quote.receivedAt } : {}),
        // The user's bound for this style wins over the strategy's (DESIGN 13: a decision has a shelf life).
        maxDecisionAgeMs: host.strategy.maxDecisionAgeMs?.[draft.style] ?? host.instance.maxDecisionAgeMs[draft.style],
      },
    );
  }

  private release(host: StrategyHost, desk: MarketDesk, intents: Intent[], out: CoreOutput): void {
    if (intents.length === 0) return;
    const now = this.clock.now();
    // A unit decides on all its legs: any leg whose data cannot be trusted blocks its intents.
    const feed = host.legs.length === 1 ? desk.block(now, host.barTimeframes) : this.unitBlock(host, now);
    const recon = this.recon.blockFor(desk.ref.venue);
    for (const intent of intents) {
      const leg = host.legs.find((l) => l.symbol === intent.instrument) ?? desk.ref;
      const mode = this.gate.modeFor(leg.venueSymbol, host.strategyId);
      const suppressed =
        feed !== undefined
          ? feed
          : mode.mode === 'HALTED'
            ? { reason: 'trading-halted' as const, detail: `trading is HALTED (${mode.reason})` }
            : mode.mode === 'REDUCING' && !intent.reduceOnly
              ? { reason: 'trading-reducing' as const, detail: `trading is REDUCING (${mode.reason}); not reduce-only` }
              : recon;
      if (suppressed !== undefined) {
        out.notices.push({
          kind: 'suppressed',
          strategyId: host.strategyId,
          venueSymbol: leg.venueSymbol,
          reason: suppressed.reason,
          detail: suppressed.detail,
          intent,
        });
        continue;
      }
      this.orders.onIntentSent(intent, now);
      out.intents.push(intent);
    }
  }

  private unitBlock(host: StrategyHost, now: number): { reason: FeedBlock; detail: string } | undefined {
    for (const leg of host.legs) {
      const desk = this.desks.get(`${unitKey(host.strategyId)}|${instrumentKey(leg.venue, leg.symbol)}`);
      const block = desk?.block(now, host.barTimeframes);
      if (block !== undefined) return { reason: block.reason, detail: `${leg.symbol}: ${block.detail}` };
    }
    return undefined;
  }
}

/** One warm-up per timeframe some strategy of the instrument asked history for, sized for the greediest. */
function warmupsOf(hosts: readonly StrategyHost[]): TimeframeWarmup[] {
  const byMs = new Map<number, { label: string; bars: number; hosts: Set<StrategyHost> }>();
  for (const host of hosts) {
    for (const need of host.instance.warmup) {
      const entry = byMs.get(need.ms) ?? { label: need.label, bars: 0, hosts: new Set<StrategyHost>() };
      entry.bars = Math.max(entry.bars, need.bars);
      entry.hosts.add(host);
      byMs.set(need.ms, entry);
    }
  }
  return [...byMs.entries()].map(([ms, e]) => new TimeframeWarmup(ms, e.label, e.bars, e.hosts));
}

function sameState(a: StrategyState, b: StrategyState): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** The earlier of two times, either of which may be unknown. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  return a === undefined ? b : Math.min(a, b);
}
