// @bourse/reconciler: the reconciler service (config, store, the shell that reads both sides and
// carries out a run). The comparison itself is @bourse/reconciliation.

export {
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
