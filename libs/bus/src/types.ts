import type { Subjects, StreamNames } from '@bourse/contracts';
import type { Clock } from '@bourse/domain';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';

/** A named zod schema: the name appears in validation errors, logs and dead letters. */
export interface Contract<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
}

/** The one time source, declared in @bourse/domain. */
export type { Clock };

/** Credentials for the NATS connection. Never logged, never put in an error message. */
export interface BusCredentials {
  readonly token?: string;
  readonly user?: string;
  readonly pass?: string;
  /** Path of a NATS `.creds` file (JWT + nkey seed), read at connect. */
  readonly credsFile?: string;
  /** Path of a file holding the user's nkey seed, read at connect. */
  readonly nkeySeedFile?: string;
}

export interface BusOptions {
  /** Service name: NATS connection name, and the `<service>` of `dlq.<service>`. */
  readonly service: string;
  readonly subjects: Subjects;
  readonly logger: Logger;
  readonly registry: Registry;
  /** One or more `nats://host:port` URLs. Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | readonly string[];
  /** Default: `busCredentialsFromEnv(process.env)` (NATS_CREDS, NATS_NKEY_SEED_FILE, NATS_USER/NATS_PASSWORD, NATS_TOKEN). */
  readonly credentials?: BusCredentials;
  readonly clock?: Clock;
  /** First reconnect delay; later attempts back off towards `reconnectMaxDelayMs`. */
  readonly reconnectBaseDelayMs?: number;
  readonly reconnectMaxDelayMs?: number;
  /** Upper bound of the random delay added to every reconnect attempt, so a fleet does not reconnect in lockstep. */
  readonly reconnectJitterMs?: number;
  /** Handshake timeout of the first connection. */
  readonly connectTimeoutMs?: number;
  /** Keep retrying the first connection instead of failing at once (Kubernetes start-up order). */
  readonly waitOnFirstConnect?: boolean;
  /** Default timeout of `request()`. */
  readonly requestTimeoutMs?: number;
}

/** What a handler learns about the message besides its typed body. */
export interface MessageMeta {
  readonly subject: string;
  /** Header values by name (first value of each). Trace headers included. */
  readonly headers: Readonly<Record<string, string>>;
  /** Set on requests (core request/reply). */
  readonly reply?: string;
}

export interface DurableMessageMeta extends MessageMeta {
  readonly stream: string;
  readonly consumer: string;
  readonly streamSequence: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  readonly redelivered: boolean;
  /** The `Nats-Msg-Id` the publisher set, when it did. */
  readonly msgId?: string;
}

export type MessageHandler<T, M extends MessageMeta = MessageMeta> = (message: T, meta: M) => void | Promise<void>;

export interface BusSubscription {
  readonly subject: string;
  /** Stops delivery after the messages already received are handled. */
  unsubscribe(): Promise<void>;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  readonly queue?: string;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

export interface PublishOptions {
  /** Extra headers (trace headers are added by the bus). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DurablePublishOptions extends PublishOptions {
  /** Becomes `Nats-Msg-Id`: the stream drops a second message with the same id inside its duplicate window. */
  readonly msgId: string;
  readonly timeoutMs?: number;
}

/** The JetStream acknowledgement of a durable publish. `duplicate` is true when the stream already held this msgId. */
export interface PublishAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export type StreamKey = keyof StreamNames;

/** A durable pull consumer: its stream, durable name, filter and redelivery policy. Declared in streams.ts. */
export interface DurableConsumerSpec {
  readonly stream: StreamKey;
  /** Durable name; letters, digits, `_` and `-`. */
  readonly durable: string;
  /**
   * Where a brand-new durable starts. `all` replays what the stream holds (state rebuilt from
   * history); `new` starts at the next message, for streams where an old message must never act again.
   * An existing durable always resumes after its last ack.
   */
  readonly deliverFrom: 'all' | 'new';
  /** Subject filter inside the stream; the whole stream when absent. */
  readonly filterSubject?: string;
  /** Deliveries before the message is dead-lettered (handler still failing). */
  readonly maxDeliver: number;
  /** How long the server waits for an ack before redelivering on its own. */
  readonly ackWaitMs: number;
  /** Delay before redelivery after a failed attempt, by attempt (the last one repeats). */
  readonly nakDelaysMs: readonly number[];
  /** Unacked messages in flight at once. */
  readonly maxAckPending: number;
  /**
   * While the handler runs, tell the server this often that the message is still in progress (a
   * JetStream `+WPI`, which restarts its ack wait). With it a consumer can keep `ackWaitMs` short,
   * so the messages a dead process held are redelivered within seconds, while a slow but live
   * handler keeps its message. Must be well below `ackWaitMs`; absent: never sent.
   */
  readonly inProgressEveryMs?: number;
}

export interface ConsumeOptions {
  /** Service whose `dlq.<service>` receives dead letters. Default: the bus's service. */
  readonly service?: string;
}

export interface ConsumerHandle {
  readonly stream: string;
  readonly durable: string;
  /** Stops pulling, finishes the message in hand; messages pulled but not handled are nak'ed for redelivery. */
  stop(): Promise<void>;
}

export interface KvChange<T> {
  readonly key: string;
  readonly revision: number;
  readonly operation: 'PUT' | 'DEL' | 'PURGE';
  /** The new value; null when the key was deleted or purged. */
  readonly value: T | null;
  /** False while the watch replays current values, true for changes after it started. */
  readonly isUpdate: boolean;
}

export interface KvValue<T> {
  readonly key: string;
  readonly revision: number;
  readonly value: T;
}

export interface KvWatchOptions {
  /** Key or keys (wildcards `*` and `>` allowed); every key when absent. */
  readonly key?: string | readonly string[];
}

export interface KvWatchHandle {
  stop(): Promise<void>;
}

/** A KV bucket whose values are JSON validated by one schema. */
export interface TypedKv<T> {
  readonly bucket: string;
  /** Null when the key is missing or deleted; throws ContractViolationError when the stored value is invalid. */
  get(key: string): Promise<KvValue<T> | null>;
  /** Validates then writes; with `expectedRevision` the write fails if someone wrote in between. Returns the revision. */
  put(key: string, value: T, options?: { readonly expectedRevision?: number }): Promise<number>;
  delete(key: string): Promise<void>;
  /** Calls `onChange` with the current value of each key, then with every change. Invalid values are logged and skipped. */
  watch(onChange: (change: KvChange<T>) => void | Promise<void>, options?: KvWatchOptions): Promise<KvWatchHandle>;
}

export type BusStatusType =
  | 'disconnect'
  | 'reconnect'
  | 'reconnecting'
  | 'update'
  | 'ldm'
  | 'error'
  | 'ping'
  | 'staleConnection'
  | 'slowConsumer'
  | 'forceReconnect'
  | 'close';

export type BusStatusListener = (type: BusStatusType) => void;

/** The typed bus every service shell takes in its constructor. */
export interface Bus {
  readonly service: string;
  readonly subjects: Subjects;

  /** Validates and publishes on core NATS (at most once). Throws ContractViolationError if `message` breaks the contract. */
  publish<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    message: z.input<S>,
    options?: PublishOptions,
  ): void;
  /** Core subscription; each message is validated, invalid ones and handler failures go to `dlq.<service>`. */
  subscribe<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    handler: MessageHandler<z.output<S>>,
    options?: SubscribeOptions,
  ): BusSubscription;
  /** Request/reply. Throws BusError (REQUEST_TIMEOUT, NO_RESPONDERS, REMOTE_ERROR) or ContractViolationError for a bad reply. */
  request<Q extends z.ZodType, R extends z.ZodType>(
    subject: string,
    requestContract: Contract<Q>,
    message: z.input<Q>,
    replyContract: Contract<R>,
    options?: RequestOptions,
  ): Promise<z.output<R>>;
  /** Answers requests on `subject`; invalid requests and handler failures get an error reply and a dead letter. */
  serve<Q extends z.ZodType, R extends z.ZodType>(
    subject: string,
    requestContract: Contract<Q>,
    replyContract: Contract<R>,
    handler: (request: z.output<Q>, meta: MessageMeta) => z.input<R> | Promise<z.input<R>>,
    options?: SubscribeOptions,
  ): BusSubscription;

  /** Creates or updates every stream declared in streams.ts. */
  ensureStreams(): Promise<void>;
  /** Validates and publishes to JetStream with `Nats-Msg-Id`; resolves with the stream's ack. */
  publishDurable<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    message: z.input<S>,
    options: DurablePublishOptions,
  ): Promise<PublishAck>;
  /** Creates or updates the durable consumer, then handles its messages one at a time (ack, nak with delay, or dead letter). */
  consume<S extends z.ZodType>(
    consumer: DurableConsumerSpec,
    contract: Contract<S>,
    handler: MessageHandler<z.output<S>, DurableMessageMeta>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>;

  /** Opens (creating if needed) the trading-state KV bucket with values validated by `contract`. */
  tradingState<S extends z.ZodType>(contract: Contract<S>): Promise<TypedKv<z.output<S>>>;

  /** Resolves once the server has processed everything sent so far (subscriptions included): call before marking ready. */
  flush(): Promise<void>;
  isConnected(): boolean;
  /** Called on every connection status event; returns a function that removes the listener. */
  onStatus(listener: BusStatusListener): () => void;
  /** Stops consumers and watches, drains subscriptions, flushes and closes. */
  drain(): Promise<void>;
  /** Resolves when the connection is closed (with the error that closed it, if any). */
  closed(): Promise<void | Error>;
}
