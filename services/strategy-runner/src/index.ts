export { StrategyRunner, type StrategyRunnerOptions, type RunnerEvent } from './runner.js';
export { loadHistory, klineBar, type KlineSource } from './klines-history.js';
export { planLeases, type LeasePlan, type LeasePlanInput } from './leases/lease-plan.js';
export { LeaseManager, type LeaseManagerOptions } from './leases/lease-manager.js';
export {
  LeaseRecord,
  ReplicaRecord,
  leaseBucketName,
  leaseUnit,
  type LeaseEntry,
  type LeaseStore,
} from './leases/lease-store.js';
export { openKvLeaseStore, type KvLeaseStoreOptions } from './leases/kv-lease-store.js';
export { followStream, type StreamFollower, type StreamFollowerOptions } from './stream-follower.js';
export { RedisQuoteSnapshots, type QuoteSnapshots } from './market-snapshots.js';
export { loadStrategiesFile, reportRefused } from './strategies-config.js';
export { loadConfig, type RunnerConfig } from './config.js';
export {
  RunnerConfigError,
  LeaseStoreError,
  LeaseBucketMismatchError,
  StreamReplayError,
  HistoryUnavailableError,
} from './errors.js';
