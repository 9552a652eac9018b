// The reconciler's PostgreSQL tables: runs and trade checkpoints (their migrations are in @bourse/ledger).
export { insertRun, listRuns, latestRun, type RunRecord, type RunVerdict, type RunFilter } from './runs.js';
export { loadCheckpoint, saveCheckpoint } from './checkpoints.js';
export { ReconcilerStoreError, ReconcilerStoreErrorCode } from './errors.js';
