// The order manager's PostgreSQL repository: one module per table, each function taking a pg
// client or pool (Queryable) so callers combine calls in one transaction with withTransaction.
// The writers are here (the order manager is the one writer of these tables); the schema, the row
// types and the reads are @bourse/ledger's, re-exported so the service reads and writes through one
// import.

export {
  ORDER_MANAGER_MIGRATIONS,
  ORDER_MANAGER_LOCK_KEY,
  migrateOrderManagerStore,
  loadOutbox,
  listUnresolvedOutbox,
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  UNRESOLVED_OUTBOX_STATES,
  type OutboxState,
  type OutboxEntry,
  loadOrder,
  loadOrders,
  listOpenOrders,
  listOrdersUpdatedSince,
  listUnbookedOrders,
  firstOrderTimes,
  type OrderRecord,
  type StoredOrder,
  type OpenOrderFilter,
  listFills,
  listFillsOfOrders,
  listFillsAfter,
  listFillsSince,
  storedFillIds,
  type FillRecord,
  type FillFilter,
  loadFillCheckpoint,
  loadPositions,
  type PositionRecord,
  type PositionLot,
  type StoredPosition,
  type PositionFilter,
  loadBalances,
  type BalanceRecord,
  bookedTransferTotals,
  loadInstruments,
  type StoredInstrument,
  loadOrderTrace,
  loadOpenOrderTraces,
  type OrderTrace,
} from '@bourse/ledger';
export { OrderStoreError, OrderStoreErrorCode, isOrderStoreError } from './errors.js';
export { insertOutbox, markOutbox, type MarkOutboxOptions } from './outbox.js';
export { upsertOrder } from './orders.js';
export {
  recordOrderEvent,
  listOrderEvents,
  listUnpublishedEvents,
  markEventsPublished,
  type OrderEventRecord,
  type StoredOrderEvent,
  type UnpublishedEvent,
} from './order-events.js';
export { insertFill } from './fills.js';
export { saveFillCheckpoint } from './fill-checkpoints.js';
export { savePosition } from './positions.js';
export { upsertBalance, lockBalance, saveBalance } from './balances.js';
export { bookBalanceTransfer, type BalanceTransfer, type TransferOutcome } from './balance-transfers.js';
export { upsertInstrument, type UpsertInstrumentOptions, type RawFilters } from './instruments.js';
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
export { saveOrderTrace } from './order-traces.js';
