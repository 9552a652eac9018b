import type { Metrics } from '@bourse/telemetry';
import type { Counter, Gauge, Histogram } from 'prom-client';

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
  /** `outcome`: filled | stopped | rejected. */
  readonly tactics: Counter<'outcome'>;
  /** Messages refused as malformed by the OMS itself (beyond the bus's contract checks). `kind`: user-data | command | exec-outbox | book-depth. */
  readonly badInput: Counter<'kind'>;
  /** Deposits, withdrawals and transfers from the user-data stream. `outcome`: booked | duplicate | refused | failed. */
  readonly balanceTransfers: Counter<'outcome'>;
  /** Orders that may still trade at the venue, per instrument; read from the tracker at each scrape. */
  readonly openOrders: Gauge<'instrument'>;
  /** From the request off ORDERS to a durable outcome (outbox commit, venue call, journal), by outcome. */
  readonly submissionSeconds: Histogram<'outcome'>;
}

/** What the open-orders gauge counts: the instrument of every live order. */
export type LiveOrdersSource = () => readonly { readonly request: { readonly instrument: string } }[];

/** Venue round trips are milliseconds to seconds; an unknown outcome can take the whole receive window. */
const SUBMISSION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createOrderManagerMetrics(
  metrics: Metrics,
  liveOrders: LiveOrdersSource = () => [],
): OrderManagerMetrics {
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
    balanceTransfers: metrics.counter({
      name: 'bourse_oms_balance_transfers_total',
      help: 'Venue deposits, withdrawals and transfers by outcome (booked, duplicate, refused, failed)',
      labelNames: ['outcome'],
    }),
    openOrders: metrics.gauge({
      name: 'bourse_oms_open_orders',
      help: 'Orders that may still trade at the venue (pending, new, partially filled), by instrument',
      labelNames: ['instrument'],
      collect() {
        // Counted at scrape time from the tracker, so the gauge can never drift from the orders followed.
        const counts = new Map<string, number>();
        for (const { request } of liveOrders())
          counts.set(request.instrument, (counts.get(request.instrument) ?? 0) + 1);
        this.reset();
        for (const [instrument, count] of counts) this.set({ instrument }, count);
      },
    }),
    submissionSeconds: metrics.histogram({
      name: 'bourse_oms_submission_seconds',
      help: 'Seconds from an order request to its durable submission outcome, by outcome',
      labelNames: ['outcome'],
      buckets: SUBMISSION_BUCKETS,
    }),
  };
}
