// @bourse/ledger: the read side of the order manager's tables and the schema they come from. The
// order manager is the one writer (services/order-manager/src/store); the risk gate, the reconciler
// and the `bourse` command read through these queries. Every function takes a `Queryable` (a pool or
// a client), so a caller can read several tables in one snapshot.

export { ORDER_MANAGER_MIGRATIONS, ORDER_MANAGER_LOCK_KEY, migrateOrderManagerStore } from './schema.js';
export {
  RECONCILER_MIGRATIONS,
  RECONCILER_MIGRATIONS_TABLE,
  RECONCILER_LOCK_KEY,
  migrateReconcilerStore,
} from './reconciler-schema.js';
export { OrderStoreError, OrderStoreErrorCode, isOrderStoreError } from './errors.js';
export {
  loadOrder,
  loadOrders,
  listOpenOrders,
  listOrdersUpdatedSince,
  listUnbookedOrders,
  listNewestOrders,
  loadCodeHashes,
  firstOrderTimes,
  lastOrderTimes,
  type OrderRecord,
  type StoredOrder,
  type OpenOrderFilter,
} from './orders.js';
export {
  listFills,
  listFillsOfOrders,
  listFillsAfter,
  listFillsSince,
  listNewestFills,
  storedFillIds,
  type FillRecord,
  type FillFilter,
} from './fills.js';
export {
  loadPositions,
  PositionFees,
  PositionLots,
  type PositionRecord,
  type PositionLot,
  type StoredPosition,
  type PositionFilter,
} from './positions.js';
export { loadBalances, type BalanceRecord } from './balances.js';
export { bookedTransferTotals } from './balance-transfers.js';
export { loadFillCheckpoint } from './fill-checkpoints.js';
export { loadInstruments, RawFilters, type StoredInstrument } from './instruments.js';
export {
  loadOutbox,
  listUnresolvedOutbox,
  outboxEntryOf,
  OUTBOX_COLUMNS,
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  UNRESOLVED_OUTBOX_STATES,
  type OutboxState,
  type OutboxEntry,
  type OutboxRow,
} from './outbox.js';
export { loadOrderTrace, loadOpenOrderTraces, loadTraceIds, type OrderTrace } from './order-traces.js';
