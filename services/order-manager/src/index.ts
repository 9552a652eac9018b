// The order manager's public surface for the services that will wire it (its own main.ts, the
// reconciler, the backtester). The pure core lives in ./core, the Postgres repositories in ./store.
export {
  submitOrder,
  resolveOutbox,
  recoverOutboxEntry,
  executeCancel,
  OrderTracker,
  planOperatorCommand,
  LimitChase,
  checkTradingState,
  type Clock,
  type Journal,
  type SubmissionDeps,
  type SubmissionResult,
  type TradingStateView,
} from './core/index.js';
export {
  migrateOrderManagerStore,
  ORDER_MANAGER_MIGRATIONS,
  ORDER_MANAGER_LOCK_KEY,
  insertOutbox,
  markOutbox,
  loadOutbox,
  listUnresolvedOutbox,
} from './store/index.js';
