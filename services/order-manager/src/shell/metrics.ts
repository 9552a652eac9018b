import type { Metrics } from '@bourse/telemetry';
import type { Counter, Gauge } from 'prom-client';

/** The order manager's metrics. Every label is a fixed, public set (outcome kinds, guard names). */
export interface OrderManagerMetrics {
  /** `outcome`: accepted | rejected | refused | unknown | abandoned | conflict | duplicate. */
  readonly submissions: Counter<'outcome'>;
  /** Fills applied for the first time. */
  readonly fills: Counter;
  /** `kind`: exec (an EXEC publish failed; kept for the next round) | persist (a Postgres write failed) | balance (a fill took a stored balance below zero). */
  readonly failures: Counter<'kind'>;
  /** Outbox entries not yet sent, resolved or failed. */
  readonly outboxUnresolved: Gauge;
  /** 1 while submission is paused around a venue reconnect. */
  readonly submissionPaused: Gauge;
  /** `outcome`: filled | stopped. */
  readonly tactics: Counter<'outcome'>;
  /** Messages refused as malformed by the OMS itself (beyond the bus's contract checks). `kind`: user-data | command | exec-outbox. */
  readonly badInput: Counter<'kind'>;
}

export function createOrderManagerMetrics(metrics: Metrics): OrderManagerMetrics {
  return {
    submissions: metrics.counter({
      name: 'bourse_oms_submissions_total',
      help: 'Order submissions by outcome (accepted, rejected, refused, unknown, abandoned, conflict, duplicate)',
      labelNames: ['outcome'],
    }),
    fills: metrics.counter({ name: 'bourse_oms_fills_total', help: 'Fills applied for the first time' }),
    failures: metrics.counter({
      name: 'bourse_oms_failures_total',
      help: 'Failed EXEC publishes, Postgres writes and balance moves',
      labelNames: ['kind'],
    }),
    outboxUnresolved: metrics.gauge({
      name: 'bourse_oms_outbox_unresolved',
      help: 'Outbox entries whose venue outcome is not settled yet',
    }),
    submissionPaused: metrics.gauge({
      name: 'bourse_oms_submission_paused',
      help: '1 while order submission is paused around a venue stream reconnect',
    }),
    tactics: metrics.counter({
      name: 'bourse_oms_tactics_total',
      help: 'Execution tactics finished, by outcome',
      labelNames: ['outcome'],
    }),
    badInput: metrics.counter({
      name: 'bourse_oms_bad_input_total',
      help: 'Inputs refused as malformed, by kind',
      labelNames: ['kind'],
    }),
  };
}
