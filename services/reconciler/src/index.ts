export { reconcile, RECONCILER_SERVICE } from './core/reconcile.js';
export { ordersToQuery, statusUpdate } from './core/orders.js';
export { fillEventId, type MissedFill } from './core/fills.js';
export { missedBalanceDeltas } from './core/amounts.js';
export {
  ReconcilerConfig,
  UnknownOrderPolicy,
  DEFAULT_UNKNOWN_ORDER_GRACE_MS,
  parseReconcilerConfig,
  type ReconcilerConfigInput,
} from './core/config.js';
export { ReconcileInputError, ReconcileErrorCode, isReconcileInputError } from './core/errors.js';
export type {
  VenueSnapshot,
  OurOrder,
  OurFill,
  OurPosition,
  OurBalance,
  OurSnapshot,
  TradeCheckpoint,
  Checkpoint,
  ReconcileInput,
  AmountCheck,
  ReconcileEffects,
  ReconcileResult,
} from './core/types.js';
export { positionsFromFills, ordersForRun, type StoredFillView } from './core/our-view.js';
export { PriceBook } from './core/prices.js';
export { tradeQueries, type TradeQueryContext } from './core/trade-queries.js';
export {
  migrateReconcilerStore,
  RECONCILER_MIGRATIONS,
  RECONCILER_MIGRATIONS_TABLE,
  RECONCILER_LOCK_KEY,
  insertRun,
  listRuns,
  latestRun,
  loadCheckpoint,
  saveCheckpoint,
  ReconcilerStoreError,
  ReconcilerStoreErrorCode,
  type RunRecord,
  type RunVerdict,
  type RunFilter,
} from './store/index.js';
export {
  loadConfig,
  ReconcilerConfigError,
  DEFAULT_OPS_PORT,
  DEFAULT_RECON_INTERVAL_MS,
  type ReconcilerProcessConfig,
} from './config.js';
export { ReconcilerService, RECON_NOW_COMMAND, type ReconcilerServiceOptions } from './shell/reconciler-service.js';
export { ReconciliationRunner, type RunOutcome, type RunDeps } from './shell/reconciliation-run.js';
export { OmsOurSide, type OurSide, type OurSideSource } from './shell/our-side.js';
export { CorrectionsSender, APPLY_CORRECTIONS_COMMAND, type CorrectionsOptions } from './shell/corrections.js';
export { RunFailedError, RunFailureCode, isRunFailedError } from './shell/errors.js';
export { createReconcilerMetrics, type ReconcilerMetrics } from './shell/metrics.js';
