export { MarketDataGateway, type MarketDataGatewayOptions } from './gateway.js';
export { Normaliser, type NormaliseResult } from './core/normalise.js';
export { FeedMonitor, type FeedMonitorOptions, type InstrumentFeedView } from './core/staleness.js';
export { InstrumentSnapshot, type BookView } from './core/snapshot.js';
export {
  RedisSnapshotWriter,
  readSnapshot,
  type RedisSnapshotWriterOptions,
  type SnapshotSource,
} from './shell/redis-snapshots.js';
export { FrameRecorder, type RecorderOptions, type RecorderStats } from './shell/recorder.js';
export {
  readCapture,
  readCaptureLines,
  listRecordings,
  type CapturedEvent,
  type CaptureEntry,
  type ReadCaptureOptions,
} from './shell/capture-reader.js';
export {
  CAPTURE_FORMAT,
  CaptureHeader,
  CaptureLine,
  captureHeaders,
  toCaptureLine,
  fromCaptureLine,
  recordingFileName,
  RECORDING_SUFFIX,
  PARTIAL_SUFFIX,
} from './shell/recording-format.js';
export { FeedPipeline, type FeedPipelineOptions, type PipelineStep } from './core/feed-pipeline.js';
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
export {
  MarketDataError,
  MarketDataErrorCode,
  InvalidOptionError,
  ConfigError,
  UnknownInstrumentError,
  WrongVenueError,
  RecordingCorruptError,
  isMarketDataError,
} from './errors.js';
export type {
  Clock,
  GatewayInstrument,
  NormalisedKind,
  NormalisedMessage,
  RejectReason,
  FeedChangeCause,
  FeedTransition,
} from './types.js';
