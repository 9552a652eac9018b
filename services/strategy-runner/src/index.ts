export { StrategyRunner, type StrategyRunnerOptions, type RunnerEvent } from './runner.js';
export { RunnerCore, instrumentKey, type RunnerCoreOptions, type PauseRecord } from './core/runner-core.js';
export { MarketDesk, type FeedBlock } from './core/market-desk.js';
export { TimeframeWarmup, type HistoryRequest } from './core/warmup.js';
export { loadHistory, klineBar, type KlineSource } from './klines-history.js';
export { StrategyHost, type Evaluation } from './core/strategy-host.js';
export { TradingGate, type EffectiveMode } from './core/trading-gate.js';
export { OwnOrders, DEFAULT_PENDING_INTENT_TTL_MS, type OwnExecution } from './core/own-orders.js';
export type { CoreOutput, Notice, SuppressReason } from './core/notices.js';
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
export { loadStrategiesFile, parseStrategies, type LoadStrategiesOptions } from './strategies-config.js';
export { loadConfig, type RunnerConfig } from './config.js';
export {
  RunnerErrorCode,
  RunnerError,
  isRunnerError,
  RunnerConfigError,
  StrategiesFileError,
  LeaseStoreError,
  LeaseBucketMismatchError,
  StreamReplayError,
  BarRejectedError,
  HistoryUnavailableError,
} from './errors.js';
export type { Clock, IdSource, InstrumentRef, StrategyConfig } from './types.js';
