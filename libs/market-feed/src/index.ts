export { Normaliser, type NormaliseResult } from './normalise.js';
export { FeedMonitor, type FeedMonitorOptions, type InstrumentFeedView } from './staleness.js';
export { InstrumentSnapshot, type BookView } from './snapshot.js';
export { FeedPipeline, type FeedPipelineOptions, type PipelineStep } from './feed-pipeline.js';
export {
  readCapture,
  readCaptureLines,
  listRecordings,
  type CapturedEvent,
  type CaptureEntry,
  type ReadCaptureOptions,
} from './capture/capture-reader.js';
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
} from './capture/recording-format.js';
export {
  MarketDataError,
  MarketDataErrorCode,
  InvalidOptionError,
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
