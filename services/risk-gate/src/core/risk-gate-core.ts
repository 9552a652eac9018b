import type { ExecutionEvent, Intent, Quote, TradingState } from '@bourse/contracts';
import type { ClientOrderIdGenerator, InstrumentRegistry } from '@bourse/domain';
import { diffLimits, type LimitsConfig } from '../config/limits.js';
import { assessKillSwitch, evaluateIntent, type RiskEffect, type RiskEvaluation } from './risk-gate.js';
import type { ApplyOutcome, BalanceSnapshot, RiskState } from './risk-state.js';
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
  /** Kill-switch trips the message revealed (a fill can deepen a daily loss). */
  readonly effects: readonly RiskEffect[];
}

export class RiskGateCore {
  readonly state: RiskState;
  private currentLimits: LimitsConfig;
  private readonly registry: InstrumentRegistry;
  private readonly clock: Clock;
  private readonly ids: ClientOrderIdGenerator;

  constructor(options: RiskGateCoreOptions) {
    this.state = options.state;
    this.currentLimits = options.limits;
    this.registry = options.registry;
    this.clock = options.clock;
    this.ids = options.ids;
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

  /** Applies a fill or status update; reports daily-loss kill-switch trips it caused. */
  onExecutionEvent(event: ExecutionEvent): ApplyResult {
    const outcome = this.state.applyExecutionEvent(event);
    return { outcome, effects: outcome.outcome === 'applied' && event.type === 'fill' ? this.checkKillSwitch() : [] };
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
    return changes.map((c) => ({ kind: 'limit-changed', ...c }));
  }

  /** Daily-loss kill-switch trips at the current time, for every strategy on record and globally. */
  checkKillSwitch(): RiskEffect[] {
    const strategies = new Set([...this.state.strategyIds(), ...Object.keys(this.currentLimits.strategies)]);
    return assessKillSwitch(this.state, this.currentLimits, strategies, this.clock.now());
  }
}
