import { dec, unrealizedPnl, type Decimal } from '@bourse/domain';
import type { StoredPosition } from '@bourse/ledger';
import type { Metrics } from '@bourse/telemetry';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { positionOfRecord } from './records.js';

/** The order manager's metrics. Every label is a fixed, public set (outcome kinds, guard names). */
export interface OrderManagerMetrics {
  /** `outcome`: accepted | rejected | refused | expired | unknown | abandoned | conflict | duplicate. */
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
  /** Fills the OMS booked from the venue's trades of an order whose stream fills were lost. `outcome`: booked (per fill) | failed (per attempt). */
  readonly recoveredFills: Counter<'outcome'>;
  /** From the request off ORDERS to a durable outcome (outbox commit, venue call, journal), by outcome. */
  readonly submissionSeconds: Histogram<'outcome'>;
  /** From the risk gate's decision (the request's createdAt) to the start of the venue submission. */
  readonly decisionToSubmissionSeconds: Histogram;
  /** From the start of the venue submission to the venue's acknowledgement (accepted outcomes only). */
  readonly submissionToAckSeconds: Histogram;
  /**
   * Tick-to-trade: from the market data a decision was made on reaching the platform (the request's
   * `marketDataAt`) to the venue acknowledging the order (accepted outcomes of requests that carry it).
   */
  readonly tickToTradeSeconds: Histogram;
  /** Signed position per strategy and instrument; read from the stored positions at each scrape. */
  readonly positionQty: Gauge<'strategy' | 'instrument'>;
  /** Realised P&L (quote asset, before fees) per strategy and instrument; read at each scrape. */
  readonly realizedPnl: Gauge<'strategy' | 'instrument'>;
  /** Unrealised P&L (quote asset) of open positions at the latest mid, per strategy and instrument; read at each scrape. */
  readonly unrealizedPnl: Gauge<'strategy' | 'instrument'>;
}

/** What the open-orders gauge counts: the instrument of every live order. */
export type LiveOrdersSource = () => readonly { readonly request: { readonly instrument: string } }[];

/** What the position gauges show: the stored positions, amounts as decimal strings. */
export type PositionsSource = () => Promise<readonly StoredPosition[]>;

/** The latest mid of an instrument (`BTC/USDT`), or undefined when none can be trusted (see marks.ts). */
export type MarkOf = (instrument: string) => Promise<Decimal | undefined>;

/** Venue round trips are milliseconds to seconds; an unknown outcome can take the whole receive window. */
const SUBMISSION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createOrderManagerMetrics(
  metrics: Metrics,
  liveOrders: LiveOrdersSource = () => [],
  positions: PositionsSource = async () => [],
  markOf: MarkOf = async () => undefined,
): OrderManagerMetrics {
  /** Sets a position gauge from the stored positions at scrape time; a failed read keeps the last values. */
  const fromPositions = (amount: 'qty' | 'realizedPnl') =>
    async function collect(this: Gauge<'strategy' | 'instrument'>): Promise<void> {
      const stored = await positions().catch(() => undefined);
      if (stored === undefined) return;
      this.reset();
      for (const p of stored) this.set({ strategy: p.strategyId, instrument: p.instrument }, Number(p[amount]));
    };
  /**
   * Marks each open position at its instrument's mid at scrape time. An instrument with no mark (no
   * live feed, Redis unreachable) has no series: a missing value, never a made-up one.
   */
  async function collectUnrealized(this: Gauge<'strategy' | 'instrument'>): Promise<void> {
    const stored = await positions().catch(() => undefined);
    if (stored === undefined) return;
    const open = stored.filter((p) => !dec(p.qty).isZero());
    const marks = new Map<string, Decimal | undefined>();
    for (const instrument of new Set(open.map((p) => p.instrument)))
      marks.set(instrument, await markOf(instrument).catch(() => undefined));
    this.reset();
    for (const p of open) {
      const mark = marks.get(p.instrument);
      if (mark === undefined) continue;
      this.set(
        { strategy: p.strategyId, instrument: p.instrument },
        unrealizedPnl(positionOfRecord(p), mark).toNumber(),
      );
    }
  }
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
    recoveredFills: metrics.counter({
      name: 'bourse_oms_recovered_fills_total',
      help: 'Fills booked from the venue trades of orders whose user-data fills were lost (booked per fill, failed per attempt)',
      labelNames: ['outcome'],
    }),
    submissionSeconds: metrics.histogram({
      name: 'bourse_oms_submission_seconds',
      help: 'Seconds from an order request to its durable submission outcome, by outcome',
      labelNames: ['outcome'],
      buckets: SUBMISSION_BUCKETS,
    }),
    positionQty: metrics.gauge({
      name: 'bourse_oms_position_qty',
      help: 'Signed position (base asset) per strategy and instrument, as stored',
      labelNames: ['strategy', 'instrument'],
      collect: fromPositions('qty'),
    }),
    realizedPnl: metrics.gauge({
      name: 'bourse_oms_realized_pnl',
      help: 'Realised P&L (quote asset, before fees) per strategy and instrument, as stored',
      labelNames: ['strategy', 'instrument'],
      collect: fromPositions('realizedPnl'),
    }),
    unrealizedPnl: metrics.gauge({
      name: 'bourse_oms_unrealized_pnl',
      help: 'Unrealised P&L (quote asset) of open positions marked at the latest quote mid, per strategy and instrument',
      labelNames: ['strategy', 'instrument'],
      collect: collectUnrealized,
    }),
    decisionToSubmissionSeconds: metrics.histogram({
      name: 'bourse_oms_decision_to_submission_seconds',
      help: 'Seconds from the risk decision (order request createdAt) to the start of its venue submission',
      buckets: SUBMISSION_BUCKETS,
    }),
    submissionToAckSeconds: metrics.histogram({
      name: 'bourse_oms_submission_to_ack_seconds',
      help: 'Seconds from taking an order request (journal commit included) to the venue acknowledging the order',
      buckets: SUBMISSION_BUCKETS,
    }),
    tickToTradeSeconds: metrics.histogram({
      name: 'bourse_oms_tick_to_trade_seconds',
      help: 'Seconds from the market data behind a decision reaching the platform to the venue acknowledging its order',
      buckets: SUBMISSION_BUCKETS,
    }),
  };
}
