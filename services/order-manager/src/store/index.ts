// The order manager's PostgreSQL repository: one module per table, each function taking a pg
// client or pool (Queryable) so callers combine calls in one transaction with withTransaction.

export { OrderStoreError, OrderStoreErrorCode, isOrderStoreError } from './errors.js';
export { ORDER_MANAGER_MIGRATIONS, ORDER_MANAGER_LOCK_KEY, migrateOrderManagerStore } from './schema.js';
export {
  insertOutbox,
  markOutbox,
  listUnresolvedOutbox,
  loadOutbox,
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  UNRESOLVED_OUTBOX_STATES,
  type OutboxState,
  type OutboxEntry,
  type MarkOutboxOptions,
} from './outbox.js';
export {
  upsertOrder,
  loadOrder,
  loadOrders,
  listOpenOrders,
  listOrdersUpdatedSince,
  listUnbookedOrders,
  firstOrderTimes,
  type OrderRecord,
  type StoredOrder,
  type OpenOrderFilter,
} from './orders.js';
export {
  recordOrderEvent,
  listOrderEvents,
  listUnpublishedEvents,
  markEventsPublished,
  type OrderEventRecord,
  type StoredOrderEvent,
  type UnpublishedEvent,
} from './order-events.js';
export {
  insertFill,
  listFills,
  listFillsOfOrders,
  listFillsAfter,
  listFillsSince,
  storedFillIds,
  type FillRecord,
  type FillFilter,
} from './fills.js';
export { loadFillCheckpoint, saveFillCheckpoint } from './fill-checkpoints.js';
export {
  savePosition,
  loadPositions,
  type PositionRecord,
  type PositionLot,
  type StoredPosition,
  type PositionFilter,
} from './positions.js';
export { upsertBalance, loadBalances, lockBalance, saveBalance, type BalanceRecord } from './balances.js';
export {
  bookBalanceTransfer,
  bookedTransferTotals,
  type BalanceTransfer,
  type TransferOutcome,
} from './balance-transfers.js';
export {
  upsertInstrument,
  loadInstruments,
  type StoredInstrument,
  type UpsertInstrumentOptions,
  type RawFilters,
} from './instruments.js';
export { recordStrategyVersion, loadStrategyVersion, type StrategyVersionRecord } from './strategy-versions.js';
export {
  insertTactic,
  loadTactic,
  tacticExists,
  listActiveTactics,
  finishTactic,
  TACTIC_OUTCOMES,
  type StoredTactic,
  type TacticOutcome,
  type TacticStatus,
  type FinishTacticOptions,
} from './tactics.js';
export {
  recordTacticChild,
  recordChildCancel,
  listTacticChildren,
  TACTIC_CHILD_ROLES,
  TACTIC_CANCEL_REASONS,
  type TacticChildRecord,
  type StoredTacticChild,
  type TacticChildRole,
  type TacticCancelReason,
} from './tactic-children.js';
export { saveOrderTrace, loadOrderTrace, loadOpenOrderTraces, type OrderTrace } from './order-traces.js';
