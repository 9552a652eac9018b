export { MarketDataGateway, type MarketDataGatewayOptions } from './gateway.js';
export {
  RedisSnapshotWriter,
  readSnapshot,
  type RedisSnapshotWriterOptions,
  type SnapshotSource,
} from './shell/redis-snapshots.js';
export { FrameRecorder, type RecorderOptions, type RecorderStats } from './shell/recorder.js';
export { createMarketDataMetrics, FEED_STATE_VALUE, type MarketDataMetrics } from './shell/metrics.js';
export { resolveInstruments } from './instruments.js';
export {
  parseConfig,
  loadConfig,
  DEFAULT_CHANNELS,
  DEFAULT_INSTRUMENTS,
  DEFAULT_OPS_PORT,
  DEFAULT_SNAPSHOT_KEY_PREFIX,
  type MarketDataConfig,
  type RecordingConfig,
} from './config.js';
export { ConfigError } from './errors.js';
