// The order manager's public surface for the services that will wire it (its own main.ts, the
// reconciler, the backtester). The pure core lives in ./core, the Postgres repositories in ./store.
// Its tables are read by others through @bourse/ledger (schema, row types, queries), never through
// this package; its store writers are its own.
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
