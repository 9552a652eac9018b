import type { Metrics } from '@bourse/telemetry';
import type { Counter, Gauge } from 'prom-client';

/** The reconciler's metrics. Every label is a fixed, public set (venue, verdict, code, asset, trigger). */
export interface ReconcilerMetrics {
  /** `verdict`: ok | drift-halted | failed-to-run. */
  readonly runs: Counter<'venue' | 'verdict' | 'trigger'>;
  /** Failed runs by failure code (`RECON_VENUE_UNAVAILABLE`, …). */
  readonly failures: Counter<'venue' | 'code'>;
  /** Signed P&L drift (venue − Bourse) of the last completed run, in `asset` (the valuation asset). */
  readonly pnlDrift: Gauge<'venue' | 'asset'>;
  /** Signed balance drift per asset of the last completed run. */
  readonly balanceDrift: Gauge<'venue' | 'asset'>;
  readonly missedFills: Counter<'venue'>;
  readonly orderUpdates: Counter<'venue'>;
  /** Unknown open orders seen by the last completed run. */
  readonly unknownOpenOrders: Gauge<'venue'>;
  /** `outcome`: canceled | rejected | unknown | failed. */
  readonly cancels: Counter<'venue' | 'outcome'>;
  /** Cancel-alls of halt-and-cancel drift halts; `outcome`: ok | failed. */
  readonly driftCancels: Counter<'venue' | 'outcome'>;
  /** Open orders canceled by drift halts. */
  readonly driftCanceledOrders: Counter<'venue'>;
  /** Unix seconds of the last completed run. */
  readonly lastRun: Gauge<'venue'>;
  /** Messages received that could not be used (bad trigger, …) beyond what the bus counts. */
  readonly feedResets: Counter<'venue'>;
  /** Fill rows the last run read from the OMS's store (after its checkpoint and since the trade checkpoints): the cost of history. */
  readonly fillRowsRead: Gauge<'venue'>;
  /** Reconciler drift halts lifted by a run that booked the missed trades and passed. */
  readonly resumes: Counter<'venue'>;
}

export function createReconcilerMetrics(metrics: Metrics): ReconcilerMetrics {
  return {
    runs: metrics.counter({
      name: 'bourse_recon_runs_total',
      help: 'Reconciliation runs, by verdict and trigger',
      labelNames: ['venue', 'verdict', 'trigger'],
    }),
    failures: metrics.counter({
      name: 'bourse_recon_failures_total',
      help: 'Reconciliation runs that failed to run, by failure code',
      labelNames: ['venue', 'code'],
    }),
    pnlDrift: metrics.gauge({
      name: 'bourse_recon_pnl_drift',
      help: 'Signed P&L drift (venue minus Bourse) of the last completed run, in the valuation asset',
      labelNames: ['venue', 'asset'],
    }),
    balanceDrift: metrics.gauge({
      name: 'bourse_recon_balance_drift',
      help: 'Signed balance drift (venue minus Bourse) per asset of the last completed run',
      labelNames: ['venue', 'asset'],
    }),
    missedFills: metrics.counter({
      name: 'bourse_recon_missed_fills_total',
      help: 'Missed fills sent to the order manager',
      labelNames: ['venue'],
    }),
    orderUpdates: metrics.counter({
      name: 'bourse_recon_order_updates_total',
      help: 'Order status updates sent to the order manager',
      labelNames: ['venue'],
    }),
    unknownOpenOrders: metrics.gauge({
      name: 'bourse_recon_unknown_open_orders',
      help: 'Open venue orders unknown to Bourse in the last completed run',
      labelNames: ['venue'],
    }),
    cancels: metrics.counter({
      name: 'bourse_recon_cancels_total',
      help: 'Cancels of unknown venue orders, by outcome',
      labelNames: ['venue', 'outcome'],
    }),
    driftCancels: metrics.counter({
      name: 'bourse_recon_drift_cancels_total',
      help: 'Cancel-alls sent by halt-and-cancel drift halts, by outcome',
      labelNames: ['venue', 'outcome'],
    }),
    driftCanceledOrders: metrics.counter({
      name: 'bourse_recon_drift_canceled_orders_total',
      help: 'Open orders canceled by drift halts',
      labelNames: ['venue'],
    }),
    lastRun: metrics.gauge({
      name: 'bourse_recon_last_run_timestamp_seconds',
      help: 'When the last completed run finished (unix seconds)',
      labelNames: ['venue'],
    }),
    feedResets: metrics.counter({
      name: 'bourse_recon_feed_resets_total',
      help: 'Market-data feed resets seen (each may trigger a debounced run)',
      labelNames: ['venue'],
    }),
    fillRowsRead: metrics.gauge({
      name: 'bourse_recon_fill_rows_read',
      help: 'Fill rows the last run read from the order manager store (after its checkpoint and since the trade checkpoints)',
      labelNames: ['venue'],
    }),
    resumes: metrics.counter({
      name: 'bourse_recon_resumes_total',
      help: 'Reconciler drift halts lifted by a run that booked the missed trades and then passed',
      labelNames: ['venue'],
    }),
  };
}
