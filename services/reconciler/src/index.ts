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
