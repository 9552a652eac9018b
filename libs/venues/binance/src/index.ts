export { BinanceVenueClient, type BinanceVenueDeps } from './binance-venue.js';
export {
  BinanceReplayDecoder,
  InvalidCapturedSnapshotError,
  type BinanceReplayDecoderOptions,
} from './ws/replay-decoder.js';
export {
  BINANCE_MAINNET_ENDPOINTS,
  BINANCE_TESTNET_ENDPOINTS,
  BinanceOptions,
  BinanceTarget,
  DEFAULT_RECV_WINDOW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STREAM_ROTATE_MS,
  DEFAULT_SIM_ENDPOINTS,
  InvalidBinanceConfigError,
  parseBinanceOptions,
  endpointsFor,
  type BinanceEndpoints,
  type BinanceOptionsInput,
  type BinanceTargetName,
} from './common/config.js';
export {
  ApiCredentials,
  MissingCredentialsError,
  credentialEnvNames,
  loadApiCredentials,
  type CredentialsProvider,
  type LoadApiCredentialsOptions,
} from './common/credentials.js';
export {
  hmacSigner,
  ed25519Signer,
  hmacSha256Hex,
  toQueryString,
  wsApiSignaturePayload,
  InvalidSigningKeyError,
  type RequestSigner,
  type KeyType,
} from './common/signing.js';
export { BinanceErrorCode, mapBinanceError, mapTransportError, type BinanceFailure } from './common/errors.js';
export {
  LocalOrderBook,
  type DepthDiff,
  type DepthSnapshotInput,
  type DiffResult,
  type SnapshotResult,
} from './common/order-book.js';
export {
  BinanceRateLimiter,
  DEFAULT_RATE_LIMITS,
  type RequestCost,
  type RateLimiterOptions,
} from './common/rate-limiter.js';
export {
  InMemoryRateBudget,
  DEFAULT_EDGE_MS,
  type InMemoryRateBudgetOptions,
  type RateBudgetBackend,
  type BucketSpec,
  type BucketScope,
  type BlockKind,
  type TakeResult,
} from './common/rate-budget.js';
export { RedisRateBudget, type RedisRateBudgetOptions } from './common/redis-rate-budget.js';
export {
  FallbackRateBudget,
  DEFAULT_FALLBACK_SHARE,
  type FallbackRateBudgetOptions,
} from './common/fallback-rate-budget.js';
export {
  RateBudgetEnv,
  DEFAULT_RATE_BUDGET_PREFIX,
  rateBudgetSettings,
  openRateBudget,
  type RateBudgetSettings,
  type OpenedRateBudget,
  type OpenRateBudgetDeps,
} from './common/rate-budget-settings.js';
export { ServerClock } from './common/server-clock.js';
export { createBinanceMetrics, type BinanceMetrics } from './common/metrics.js';
export { silentLogger, type VenueLogger } from './common/logger.js';
export {
  mapOrderStatus,
  mapOrderType,
  mapTimeInForce,
  orderStyleToBinance,
  parseExecutionReport,
  parseExchangeInfoInstruments,
  parseUserDataEvent,
} from './common/parse.js';
export {
  ExchangeInfo,
  ExecutionReport,
  DepthSnapshot,
  DepthUpdateEvent,
  RateLimitRule,
  SymbolInfo,
  UserDataStreamEvent,
  WsApiResponse,
} from './common/models.js';
export {
  BinanceOrderLists,
  type OrderListOutcome,
  type OrderListRef,
  type BinanceOrderListsDeps,
} from './order-lists.js';
export { toOrderListCall, type OrderListCall } from './order-list-params.js';
export { OrderListResponse, ListOrderReport } from './common/models.js';
