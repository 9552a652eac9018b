// @bourse/reconciliation: the reconciliation engine. Compares what the venue says (open orders,
// balances, trades) with what Bourse holds (orders, fills, positions, balances) and says what
// differs, which missed fills to feed back, which orders to query or cancel, and whether to halt.
// No I/O: the reconciler service reads both sides and carries out the result.

export { reconcile, RECONCILER_SERVICE } from './reconcile.js';
export { ordersToQuery, statusUpdate } from './orders.js';
export { fillEventId, type MissedFill } from './fills.js';
export { missedBalanceDeltas } from './amounts.js';
export {
  ReconcilerConfig,
  UnknownOrderPolicy,
  DEFAULT_UNKNOWN_ORDER_GRACE_MS,
  parseReconcilerConfig,
  type ReconcilerConfigInput,
} from './config.js';
export { ReconcileInputError, ReconcileErrorCode, isReconcileInputError } from './errors.js';
export type {
  VenueSnapshot,
  OurOrder,
  OurFill,
  OurPosition,
  OurBalance,
  OurSnapshot,
  InFlightSubmission,
  TradeCheckpoint,
  Checkpoint,
  ReconcileInput,
  AmountCheck,
  ReconcileEffects,
  ReconcileResult,
} from './types.js';
export { positionsFromFills, positionsFromCheckpoint, ordersForRun, type StoredFillView } from './our-view.js';
export { PriceBook } from './prices.js';
export {
  tradeQueries,
  fillWindows,
  VENUE_CLOCK_STEP_MS,
  type TradeQueryContext,
  type DatedOrder,
} from './trade-queries.js';
export { tradeNumber } from './values.js';
