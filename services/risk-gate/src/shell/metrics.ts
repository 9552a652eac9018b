import type { Metrics } from '@bourse/telemetry';
import type { Counter, Gauge } from 'prom-client';

/** The gate's counters. Every label is a fixed, public set (outcome, rule name, scope kind). */
export interface RiskGateMetrics {
  /** `outcome`: accepted | rejected. Redelivered intents are not counted again. */
  readonly decisions: Counter<'outcome'>;
  /** One per failed rule of a rejection; `rule` is the core's rule name (a fixed list). */
  readonly ruleFailures: Counter<'rule'>;
  /** HALTED written to the trading-state KV; `scope`: global | instrument | strategy; `trigger`: daily-loss | rejection-burst | stale-feed. */
  readonly killSwitchTrips: Counter<'scope' | 'trigger'>;
  /** Rejection bursts and stale-feed episodes past their bound (once each), whether or not the scope was HALTED already. */
  readonly killSwitchTriggers: Counter<'trigger'>;
  /** Cancel-alls of `halt-and-cancel` trips; `outcome`: ok | failed. */
  readonly killSwitchCancels: Counter<'trigger' | 'outcome'>;
  /** Orders the venue confirmed canceled by a kill-switch trip. */
  readonly killSwitchCanceledOrders: Counter<'trigger'>;
  /** `result`: applied | unchanged | refused. */
  readonly limitsReloads: Counter<'result'>;
  /** `outcome`: applied | duplicate | ignored | rejected (rejected ones are dead-lettered). */
  readonly execEvents: Counter<'outcome'>;
  /** Start-up recall from RISK/ORDERS; `kind`: accepted | rejected | unmatched (accepted on RISK, no request on ORDERS) | invalid. */
  readonly decisionsRecalled: Counter<'kind'>;
  /** In-flight orders past the bound that the OMS did not know, expired (stop counting). */
  readonly inFlightExpired: Counter;
  /**
   * The trading state the gate holds per scope: 0 ACTIVE, 1 REDUCING, 2 HALTED. `scope`: global |
   * instrument | strategy; `target`: the venue symbol or strategy id ('' for global), fixed configured sets.
   */
  readonly tradingState: Gauge<'scope' | 'target'>;
}

export const TRADING_MODE_VALUE = { ACTIVE: 0, REDUCING: 1, HALTED: 2 } as const;

export function createRiskGateMetrics(metrics: Metrics): RiskGateMetrics {
  return {
    decisions: metrics.counter({
      name: 'bourse_risk_decisions_total',
      help: 'Risk decisions made, by outcome',
      labelNames: ['outcome'],
    }),
    ruleFailures: metrics.counter({
      name: 'bourse_risk_rule_failures_total',
      help: 'Failed rules in rejected intents, by rule',
      labelNames: ['rule'],
    }),
    killSwitchTrips: metrics.counter({
      name: 'bourse_risk_kill_switch_trips_total',
      help: 'Kill-switch trips written as HALTED to the trading-state KV, by scope kind and trigger',
      labelNames: ['scope', 'trigger'],
    }),
    killSwitchTriggers: metrics.counter({
      name: 'bourse_risk_kill_switch_triggers_total',
      help: 'Rejection bursts and stale feeds past their bound detected by the risk gate, by trigger',
      labelNames: ['trigger'],
    }),
    killSwitchCancels: metrics.counter({
      name: 'bourse_risk_kill_switch_cancels_total',
      help: 'Cancel-alls sent by halt-and-cancel kill-switch trips, by trigger and outcome',
      labelNames: ['trigger', 'outcome'],
    }),
    killSwitchCanceledOrders: metrics.counter({
      name: 'bourse_risk_kill_switch_canceled_orders_total',
      help: 'Open orders canceled by kill-switch trips, by trigger',
      labelNames: ['trigger'],
    }),
    limitsReloads: metrics.counter({
      name: 'bourse_risk_limits_reloads_total',
      help: 'Limits file reloads, by result',
      labelNames: ['result'],
    }),
    execEvents: metrics.counter({
      name: 'bourse_risk_exec_events_total',
      help: 'Execution events applied to the risk state, by outcome',
      labelNames: ['outcome'],
    }),
    decisionsRecalled: metrics.counter({
      name: 'bourse_risk_decisions_recalled_total',
      help: 'Decisions recalled at start from the RISK and ORDERS streams, by kind',
      labelNames: ['kind'],
    }),
    inFlightExpired: metrics.counter({
      name: 'bourse_risk_in_flight_expired_total',
      help: 'Accepted orders never seen by the OMS within the in-flight bound, no longer counted',
    }),
    tradingState: metrics.gauge({
      name: 'bourse_trading_state',
      help: 'Trading state per scope as the risk gate holds it: 0 ACTIVE, 1 REDUCING, 2 HALTED',
      labelNames: ['scope', 'target'],
    }),
  };
}
