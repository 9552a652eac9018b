import type {
  FillEvent,
  OrderStatus,
  OrderStatusUpdate,
  ReconciliationReport,
  ReconciliationTrigger,
  Side,
  TradingState,
  VenueId,
} from '@bourse/contracts';
import type { Balance, CancelOrderRequest, VenueOrder, VenueTrade } from '@bourse/venues';

// What one reconciliation run reads and what it decides. The shell fills `ReconcileInput` from the
// venue adapter and the order manager's store (the row types there are structurally compatible with
// the `Our*` types below), calls `reconcile`, then carries out `ReconcileEffects` and stores the report.

/** The venue's truth, as the adapter returns it. */
export interface VenueSnapshot {
  /** `VenueClient.openOrders()`. */
  readonly openOrders: readonly VenueOrder[];
  /**
   * `VenueClient.queryOrder()` for each id `ordersToQuery` named (our open orders the venue no longer
   * lists as open). An id queried and not found is simply absent here.
   */
  readonly queriedOrders: readonly VenueOrder[];
  /** `VenueClient.trades()` per instrument, from the checkpoint on (a repeat of the checkpoint trade is fine). */
  readonly trades: readonly VenueTrade[];
  /** `VenueClient.balances()`; an asset missing here holds zero. */
  readonly balances: readonly Balance[];
}

/** One of our orders (the order manager's `OrderRecord` fits). */
export interface OurOrder {
  readonly clientOrderId: string;
  readonly venueOrderId?: string | undefined;
  readonly instrument: string;
  readonly strategyId: string;
  readonly side: Side;
  readonly status: OrderStatus;
  readonly filledQty: string;
}

/** One fill we have stored (the order manager's `FillRecord` fits). */
export interface OurFill {
  readonly instrument: string;
  readonly venueFillId: string;
  readonly side: Side;
  readonly qty: string;
  readonly price: string;
}

/** A position per (strategy, instrument) (the order manager's `PositionRecord` fits). */
export interface OurPosition {
  readonly strategyId: string;
  readonly instrument: string;
  /** Signed: above zero long. */
  readonly qty: string;
  /** Fees paid by asset over the position's life. */
  readonly fees: Readonly<Record<string, string>>;
}

/** A balance as we last stored it (the order manager's `BalanceRecord` fits). */
export interface OurBalance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

/** What PostgreSQL says, read before the venue was asked (see README: the order of reads). */
export interface OurSnapshot {
  /** When our side was read (ms); unknown orders created after it (less the grace) wait for the next run. */
  readonly loadedAt: number;
  /**
   * Our orders the run may meet: every open one, and every one that may have traded since the
   * checkpoint (so a missed fill can be tied to its order and strategy).
   */
  readonly orders: readonly OurOrder[];
  /** Our fills since the checkpoint's trade time (at least: every fill a venue trade of the window may match); ids found here are not missed. */
  readonly fills: readonly OurFill[];
  readonly positions: readonly OurPosition[];
  /** Balances consistent with `fills`: the venue's balances as of the last fill we applied. */
  readonly balances: readonly OurBalance[];
  /**
   * Net deposits minus withdrawals the OMS booked, per asset (signed decimal strings). They are in
   * `balances` but belong to no position, like the configured inventory.
   */
  readonly transfers?: Readonly<Record<string, string>>;
  /**
   * Orders the OMS journaled and sent (or was sending) without a venue answer on record yet: its
   * outbox entries still pending, submitting or unknown. The OMS settles each by client order id
   * (at once, or when it restarts); until then their trades and their open orders at the venue are
   * ours in flight, not a stranger's.
   */
  readonly submissions?: readonly InFlightSubmission[];
}

/** An order request the OMS journaled whose venue answer is not recorded yet. */
export interface InFlightSubmission {
  readonly clientOrderId: string;
  readonly instrument: string;
}

/** The last venue trade a run has seen, per instrument. */
export interface TradeCheckpoint {
  readonly lastTradeId: string;
  readonly lastTradeTime: number;
}

/** Per instrument (`BTC/USDT`); an instrument with no entry has never been reconciled. */
export type Checkpoint = Readonly<Record<string, TradeCheckpoint>>;

export interface ReconcileInput {
  readonly runId: string;
  readonly venue: VenueId;
  readonly trigger: ReconciliationTrigger;
  /** Clock reading when the run began (before any read). */
  readonly startedAt: number;
  readonly checkpoint: Checkpoint;
  readonly venueSide: VenueSnapshot;
  readonly ours: OurSnapshot;
  /** Price of one unit of an asset in the config's valuation asset, for the P&L drift; the valuation asset itself is 1. */
  readonly prices: Readonly<Record<string, string>>;
}

/** One compared amount (balance of an asset, or net position of a base asset), for metrics and the halt reason. */
export interface AmountCheck {
  readonly kind: 'balance' | 'position';
  /** The asset (balances) or the instrument(s) (positions). */
  readonly key: string;
  readonly asset: string;
  readonly expected: string;
  readonly actual: string;
  /** actual − expected. */
  readonly diff: string;
  readonly tolerance: string;
  readonly beyondTolerance: boolean;
}

/** What the shell must do after a run, in this order: fills, order updates, cancels, then the halt. */
export interface ReconcileEffects {
  /** Missed fills, to publish to the OMS; event ids are deterministic, so a re-run republishes the same ids. */
  readonly fills: readonly FillEvent[];
  /** Our open orders the venue has closed (or moved on), to publish to the OMS. */
  readonly orderUpdates: readonly OrderStatusUpdate[];
  /** Unknown venue orders to cancel, per the `unknownOrders` policy. */
  readonly cancels: readonly CancelOrderRequest[];
  /** The HALTED global trading state to write, when drift passed a tolerance. */
  readonly halt: TradingState | undefined;
  /**
   * The ACTIVE global state to write when the run booked missed fills and then passed: written only
   * over a HALTED the reconciler itself wrote, never over an operator's or a kill switch's.
   */
  readonly resume?: TradingState | undefined;
}

export interface ReconcileResult {
  /** Validated against the contract. */
  readonly report: ReconciliationReport;
  readonly effects: ReconcileEffects;
  /**
   * To store once the effects are published (never before: a failed publish must be retried). Moves
   * only when the run passed: a halting run leaves the previous checkpoint.
   */
  readonly checkpoint: Checkpoint;
  readonly checks: readonly AmountCheck[];
  /** Signed P&L drift (venue − Bourse) in the valuation asset: the metric. */
  readonly pnlDrift: string;
  /** Assets with a difference but no price: not in the P&L drift. */
  readonly unpricedAssets: readonly string[];
  /** Why trading halts (empty when the verdict is ok). */
  readonly haltReasons: readonly string[];
}
