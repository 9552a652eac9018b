// The reconciler's PostgreSQL tables: runs and trade checkpoints, with their migrations.
export {
  RECONCILER_MIGRATIONS,
  RECONCILER_MIGRATIONS_TABLE,
  RECONCILER_LOCK_KEY,
  migrateReconcilerStore,
} from './schema.js';
export { insertRun, listRuns, latestRun, type RunRecord, type RunVerdict, type RunFilter } from './runs.js';
export { loadCheckpoint, saveCheckpoint } from './checkpoints.js';
export { ReconcilerStoreError, ReconcilerStoreErrorCode } from './errors.js';
