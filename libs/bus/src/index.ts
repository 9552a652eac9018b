export { connectBus, type ConnectBusOptions } from './connect.js';
export { busCredentialsFromEnv, natsAuthOptions } from './credentials.js';
export {
  BUS_ROLES,
  busPermissions,
  passwordVariable,
  renderNatsAuthorization,
  type BusRole,
  type NatsUserAuth,
  type SubjectPermissions,
} from './permissions.js';
export { BusError, BusErrorCode, isBusError } from './errors.js';
export {
  DEFAULT_SERVERS,
  DEFAULT_RECONNECT_BASE_DELAY_MS,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_JITTER_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  NATS_REPLICAS_ENV,
  natsReplicas,
  reconnectDelay,
  redactUrl,
} from './options.js';
export {
  STREAM_KEYS,
  STREAM_LIMITS,
  DURABLE_CONSUMERS,
  strategyRunnerExecConsumer,
  strategyRunnerRiskConsumer,
  streamConfigs,
  type StreamLimits,
  type EnsureStreamsOptions,
} from './streams.js';
export { DeadLetterContract, DeadLetterHeaders, DEAD_LETTER_REASONS, type DeadLetterReason } from './dead-letter.js';
export { TRADING_STATE_BUCKET } from './kv.js';
export { requestTripCancel, recordTripCancel } from './kill-switch.js';
export { ERROR_REPLY_HEADER } from './bus.js';
export { natsHeaderGetter, natsHeaderSetter } from './trace.js';
export {
  natsTracing,
  messagingAttributes,
  MessagingAttr,
  NATS_TRACER_NAME,
  type NatsTracing,
  type NatsMessageInfo,
  type NatsOperation,
} from './nats-otel.js';
export type {
  Bus,
  BusOptions,
  BusCredentials,
  BusStatusType,
  BusStatusListener,
  BusSubscription,
  Clock,
  Contract,
  ConsumeOptions,
  ConsumerHandle,
  DurableConsumerSpec,
  DurableMessageMeta,
  DurablePublishOptions,
  KvChange,
  KvValue,
  KvWatchHandle,
  KvWatchOptions,
  MessageHandler,
  MessageMeta,
  PublishAck,
  PublishOptions,
  RequestOptions,
  StreamKey,
  SubscribeOptions,
  TypedKv,
} from './types.js';
