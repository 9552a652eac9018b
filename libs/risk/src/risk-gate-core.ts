import type { ExecutionEvent, FeedStatus, Intent, Quote, TradingState } from '@bourse/contracts';
import type { ClientOrderIdGenerator, InstrumentRegistry } from '@bourse/domain';
import { dayStartOffsetMs, diffLimits, type LimitsConfig } from './limits/limits.js';
import { resolveRejectionBurst, resolveStaleFeedHaltAfterMs } from './limits/resolve.js';
import { RejectionBurstDetector } from './rejection-burst.js';
import { assessKillSwitch, evaluateIntent, type RiskEffect, type RiskEvaluation } from './risk-gate.js';
import { EXTERNAL_STRATEGY, type ApplyOutcome, type BalanceSnapshot, type RiskState } from './risk-state.js';
import { StaleFeedWatch, type FeedStatusOutcome } from './stale-feed.js';
import type { TrackedOrder } from './tracked-order.js';
import type { Clock } from './types.js';

// What the NATS/Postgres shell holds: the state, the current limits and the tools to decide, behind
// one method per incoming message. The shell decodes each message with its contract, calls the
// method, publishes what comes back and carries out the effects; it keeps no trading logic.

export interface RiskGateCoreOptions {
  readonly state: RiskState;
  readonly limits: LimitsConfig;
  readonly registry: InstrumentRegistry;
  readonly clock: Clock;
  readonly ids: ClientOrderIdGenerator;
}

export interface ApplyResult {
  readonly outcome: ApplyOutcome;
  /** Kill-switch trips the message revealed (a fill can deepen a daily loss, a rejection complete a burst). */
  readonly effects: readonly RiskEffect[];
}

type KillSwitchEffect = Extract<RiskEffect, { kind: 'trip-kill-switch' }>;

export class RiskGateCore {
  readonly state: RiskState;
  private currentLimits: LimitsConfig;
  private readonly registry: InstrumentRegistry;
  private readonly clock: Clock;
  private readonly ids: ClientOrderIdGenerator;
  private readonly bursts: RejectionBurstDetector;
  private readonly feeds = new StaleFeedWatch();
  /** Once-only trips whose HALTED could not be written; the next check asks again. */
  private retries: KillSwitchEffect[] = [];

  constructor(options: RiskGateCoreOptions) {
    this.state = options.state;
    this.currentLimits = options.limits;
    this.registry = options.registry;
    this.clock = options.clock;
    this.ids = options.ids;
    this.bursts = new RejectionBurstDetector(options.clock);
    this.state.setDayStartOffset(dayStartOffsetMs(options.limits));
  }

  get limits(): LimitsConfig {
    return this.currentLimits;
  }

  /** Decides an intent and records the decision (and the accepted order as in flight) in the state. */
  onIntent(intent: Intent): RiskEvaluation {
    const result = evaluateIntent(intent, this.state, this.currentLimits, this.registry, this.clock, this.ids);
    if (!result.redelivered) this.state.recordDecision(result.decision, result.orderRequest);
    return result;
  }

  /**
   * Applies a fill or status update; reports the kill-switch trips it caused: a daily-loss breach
   * after a fill, a rejection burst after a `rejected`/`unknown` status (counted once per event id,
   * since only an applied event counts).
   */
  onExecutionEvent(event: ExecutionEvent): ApplyResult {
    const outcome = this.state.applyExecutionEvent(event);
    if (outcome.outcome !== 'applied') return { outcome, effects: [] };
    if (event.type === 'fill') return { outcome, effects: this.dailyLossTrips() };
    const strategyId = this.state.strategyOf(event.clientOrderId);
    // An order placed outside Bourse has no strategy scope to halt; the reconciler reports it.
    if (strategyId === EXTERNAL_STRATEGY) return { outcome, effects: [] };
    const burst = this.bursts.record(event, strategyId, resolveRejectionBurst(this.currentLimits, strategyId));
    if (burst === undefined) return { outcome, effects: [] };
    return {
      outcome,
      effects: [
        {
          kind: 'trip-kill-switch',
          scope: { kind: 'strategy', strategyId },
          reason: burst.reason,
          trigger: 'rejection-burst',
        },
      ],
    };
  }

  /**
   * Takes a FeedStatus from the subject of the instrument with venue symbol `venueSymbol` (the
   * subject names the instrument; the message's own `instrument` is optional). A `stale` starts the
   * stale-feed bound, `live` ends it; checkKillSwitch trips it.
   */
  onFeedStatus(venueSymbol: string, status: FeedStatus): FeedStatusOutcome {
    const spec = this.registry.byVenueSymbol(venueSymbol);
    if (spec === undefined || status.venue !== this.registry.venue) return 'ignored';
    return this.feeds.onFeedStatus(spec.venueSymbol, spec.symbol, status, this.clock.now());
  }

  /**
   * Applies a quote. Quotes are the high-volume channel, so no loss check runs here: unrealized P&L
   * moves with the mid, and the shell calls checkKillSwitch on a timer (once a second is plenty).
   */
  onQuote(quote: Quote): ApplyOutcome {
    return this.state.applyQuote(quote);
  }

  onTradingState(tradingState: TradingState): ApplyOutcome {
    return this.state.applyTradingState(tradingState);
  }

  onBalances(snapshot: BalanceSnapshot): ApplyOutcome {
    return this.state.applyBalances(snapshot);
  }

  /** Swaps in validated new limits; returns one `limit-changed` effect per changed limit, for the log. */
  setLimits(next: LimitsConfig): RiskEffect[] {
    const changes = diffLimits(this.currentLimits, next);
    this.currentLimits = next;
    this.state.setDayStartOffset(dayStartOffsetMs(next));
    return changes.map((c) => ({ kind: 'limit-changed', ...c }));
  }

  /** When the running stale episode of an instrument (venue symbol) began, as received; undefined while live. */
  feedStaleSince(venueSymbol: string): number | undefined {
    return this.feeds.staleSince(venueSymbol);
  }

  /**
   * Accepted orders still in flight (no execution event) created more than `maxAgeMs` ago: the shell
   * asks the OMS whether it knows them and expires those it does not.
   */
  inFlightOlderThan(maxAgeMs: number): TrackedOrder[] {
    return this.state.inFlightSince(this.clock.now() - maxAgeMs);
  }

  /** The OMS never received this in-flight order: it stops counting as open and committing balance. */
  expireInFlight(clientOrderId: string): boolean {
    return this.state.expireInFlight(clientOrderId);
  }

  /** Rejected or unknown orders of a strategy counted towards its next burst. */
  burstCount(strategyId: string): number {
    return this.bursts.pending(strategyId);
  }

  /**
   * Kill-switch trips at the current time: daily loss for every strategy on record and globally,
   * stale feeds past their bound (once per episode), and once-only trips whose write failed.
   */
  checkKillSwitch(): RiskEffect[] {
    const now = this.clock.now();
    const stale: RiskEffect[] = this.feeds
      .evaluate(now, (instrument) => resolveStaleFeedHaltAfterMs(this.currentLimits, instrument))
      .map((trip) => ({
        kind: 'trip-kill-switch',
        scope: { kind: 'instrument', symbol: trip.venueSymbol },
        reason: trip.reason,
        trigger: 'stale-feed',
      }));
    const retries = this.retries;
    this.retries = [];
    return [...this.dailyLossTrips(), ...stale, ...retries];
  }

  /**
   * The shell could not write a trip's HALTED. Daily loss is judged afresh on every check; the
   * once-only triggers (burst, stale feed) are asked for again by the next checkKillSwitch.
   */
  killSwitchWriteFailed(effect: RiskEffect): void {
    if (effect.kind !== 'trip-kill-switch' || effect.trigger === 'daily-loss') return;
    this.retries.push({ ...effect, retry: true });
  }

  private dailyLossTrips(): RiskEffect[] {
    const strategies = new Set([...this.state.strategyIds(), ...Object.keys(this.currentLimits.strategies)]);
    return assessKillSwitch(this.state, this.currentLimits, strategies, this.clock.now());
  }
}
