import { context, type Span } from '@opentelemetry/api';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { ContractIssue, Subjects } from '@bourse/contracts';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { decodePayload, decodePayloadOrThrow, encodeJson, encodeMessage } from './codec.js';
import { startConsumer } from './consume.js';
import { sendDeadLetter } from './dead-letter.js';
import type { DeadLetterDeps, DeadLetterReason } from './dead-letter.js';
import { BusError, BusErrorCode, describeError } from './errors.js';
import { openTypedKv } from './kv.js';
import type { BusMetrics } from './metrics.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS } from './options.js';
import type { ResolvedBusOptions } from './options.js';
import { ensureStreams } from './streams.js';
import type { EnsureStreamsOptions } from './streams.js';
import { natsTracing, type NatsMessageInfo } from './nats-otel.js';
import { headerRecord, outgoingHeaders, plainHeaders } from './trace.js';
import type {
  Bus,
  BusStatusListener,
  BusSubscription,
  ConsumeOptions,
  ConsumerHandle,
  Contract,
  DurableConsumerSpec,
  DurableMessageMeta,
  DurablePublishOptions,
  MessageHandler,
  MessageMeta,
  PublishAck,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  TypedKv,
} from './types.js';

/** Header that marks a reply as an error envelope `{ code, message }` rather than the reply contract. */
export const ERROR_REPLY_HEADER = 'Bourse-Error';

export interface NatsBusParts {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly service: string;
  readonly subjects: Subjects;
  readonly logger: Logger;
  readonly metrics: BusMetrics;
  readonly options: ResolvedBusOptions;
  readonly streams?: EnsureStreamsOptions;
  /** Subjects that get no messaging spans (market data: far too many messages to trace one by one). */
  readonly untraced?: (subject: string) => boolean;
}

const tracing = natsTracing();

/** The Bus over one NATS connection. Not exported from the package: `connectBus` builds it. */
export class NatsBus implements Bus {
  readonly service: string;
  readonly subjects: Subjects;
  readonly #p: NatsBusParts;
  readonly #log: Logger;
  readonly #dlq: DeadLetterDeps;
  readonly #listeners = new Set<BusStatusListener>();
  readonly #consumers = new Set<ConsumerHandle>();
  readonly #stoppers = new Set<() => Promise<void>>();
  #connected = true;
  readonly #untraced: (subject: string) => boolean;

  constructor(parts: NatsBusParts) {
    this.#p = parts;
    this.service = parts.service;
    this.subjects = parts.subjects;
    this.#log = parts.logger;
    const md = `${parts.subjects.prefix === '' ? '' : `${parts.subjects.prefix}.`}md.`;
    this.#untraced = parts.untraced ?? ((subject) => subject.startsWith(md));
    this.#dlq = {
      js: parts.js,
      logger: parts.logger,
      metrics: parts.metrics,
      clock: parts.options.clock,
      dlqSubject: (service) => parts.subjects.dlq(service),
    };
  }

  /** Called by the status loop in connect.ts. */
  notifyStatus(type: Parameters<BusStatusListener>[0]): void {
    if (type === 'disconnect' || type === 'close') this.#connected = false;
    if (type === 'reconnect') this.#connected = true;
    for (const listener of this.#listeners) {
      try {
        listener(type);
      } catch (err) {
        this.#log.error({ status: type, err: describeError(err) }, 'bus status listener failed');
      }
    }
  }

  publish<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    message: z.input<S>,
    options: PublishOptions = {},
  ): void {
    const data = this.#encode(subject, contract, message);
    try {
      this.#send({ subject, bodySize: data.length }, options.headers, (headers) =>
        this.#p.nc.publish(subject, data, { headers }),
      );
    } catch (err) {
      this.#log.error({ subject, contract: contract.name, err: describeError(err) }, 'publish failed');
      throw new BusError(BusErrorCode.PublishFailed, subject, `publish to ${subject} failed: ${describeError(err)}`, {
        cause: err,
      });
    }
  }

  subscribe<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    handler: MessageHandler<z.output<S>>,
    options: SubscribeOptions = {},
  ): BusSubscription {
    return this.#serveLoop(subject, options, async (msg) => {
      const decoded = decodePayload(contract, msg.data);
      if (!decoded.ok) {
        await this.#deadLetter(msg, contract, decoded.reason, decoded.issues);
        return;
      }
      try {
        await this.#process(msg, () => handler(decoded.value, this.#meta(msg)));
      } catch (err) {
        // Core NATS has no redelivery: the dead letter is the only record of this message.
        await this.#deadLetter(msg, contract, 'handler_failed', [{ path: '', message: describeError(err) }]);
      }
    });
  }

  async request<Q extends z.ZodType, R extends z.ZodType>(
    subject: string,
    requestContract: Contract<Q>,
    message: z.input<Q>,
    replyContract: Contract<R>,
    options: RequestOptions = {},
  ): Promise<z.output<R>> {
    const data = this.#encode(subject, requestContract, message);
    const timeout = options.timeoutMs ?? this.#p.options.requestTimeoutMs;
    let reply: Msg;
    try {
      reply = await this.#send({ subject, bodySize: data.length }, undefined, (headers) =>
        this.#p.nc.request(subject, data, { timeout, headers }),
      );
    } catch (err) {
      throw this.#requestError(subject, timeout, err);
    }
    const remote = reply.headers?.get(ERROR_REPLY_HEADER);
    if (remote) {
      const text = reply.string();
      this.#log.warn({ subject, remoteCode: remote }, 'request answered with an error');
      throw new BusError(BusErrorCode.RemoteError, subject, `${subject} answered ${remote}: ${text}`);
    }
    try {
      return decodePayloadOrThrow(replyContract, reply.data);
    } catch (err) {
      this.#log.warn({ subject, contract: replyContract.name, err: describeError(err) }, 'invalid reply');
      throw err;
    }
  }

  serve<Q extends z.ZodType, R extends z.ZodType>(
    subject: string,
    requestContract: Contract<Q>,
    replyContract: Contract<R>,
    handler: (request: z.output<Q>, meta: MessageMeta) => z.input<R> | Promise<z.input<R>>,
    options: SubscribeOptions = {},
  ): BusSubscription {
    const fail = (msg: Msg, code: string, text: string) => {
      const h = outgoingHeaders({ [ERROR_REPLY_HEADER]: code });
      msg.respond(encodeJson({ code, message: text }), { headers: h });
    };
    return this.#serveLoop(subject, options, async (msg) => {
      if (!msg.reply) {
        this.#log.warn({ subject }, 'message without reply subject on a request subject; ignored');
        return;
      }
      const decoded = decodePayload(requestContract, msg.data);
      if (!decoded.ok) {
        fail(msg, 'invalid_request', decoded.detail);
        await this.#deadLetter(msg, requestContract, decoded.reason, decoded.issues);
        return;
      }
      let data: Uint8Array;
      try {
        const answer = await this.#process(msg, () => handler(decoded.value, this.#meta(msg)));
        data = encodeMessage(replyContract, answer);
      } catch (err) {
        // The requester learns that it failed, not why: details stay in this service's logs.
        fail(msg, 'handler_failed', `${this.service} could not handle the request`);
        await this.#deadLetter(msg, requestContract, 'handler_failed', [{ path: '', message: describeError(err) }]);
        return;
      }
      msg.respond(data, { headers: outgoingHeaders() });
    });
  }

  async ensureStreams(): Promise<void> {
    await ensureStreams(this.#p.jsm, this.subjects, this.#p.streams);
    this.#log.debug({ streams: Object.values(this.subjects.streams) }, 'streams ensured');
  }

  async publishDurable<S extends z.ZodType>(
    subject: string,
    contract: Contract<S>,
    message: z.input<S>,
    options: DurablePublishOptions,
  ): Promise<PublishAck> {
    if (options.msgId === '') {
      throw new BusError(BusErrorCode.InvalidOption, subject, `publishDurable to ${subject} needs a non-empty msgId`);
    }
    const data = this.#encode(subject, contract, message);
    try {
      const ack = await this.#send(
        { subject, bodySize: data.length, messageId: options.msgId },
        options.headers,
        (headers) =>
          this.#p.js.publish(subject, data, {
            msgID: options.msgId,
            headers,
            timeout: options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
          }),
        (span, result) =>
          span.setAttributes({ 'messaging.nats.stream': result.stream, 'messaging.nats.sequence.stream': result.seq }),
      );
      if (ack.duplicate)
        this.#log.debug({ subject, msgId: options.msgId, seq: ack.seq }, 'duplicate publish dropped by stream');
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      // Unknown outcome: the stream may hold the message. Republishing with the same msgId is safe.
      this.#log.error({ subject, msgId: options.msgId, err: describeError(err) }, 'durable publish failed');
      throw new BusError(
        BusErrorCode.PublishFailed,
        subject,
        `durable publish to ${subject} failed: ${describeError(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async consume<S extends z.ZodType>(
    consumer: DurableConsumerSpec,
    contract: Contract<S>,
    handler: MessageHandler<z.output<S>, DurableMessageMeta>,
    options: ConsumeOptions = {},
  ): Promise<ConsumerHandle> {
    const deps = {
      ...this.#dlq,
      jsm: this.#p.jsm,
      js: this.#p.js,
      subjects: this.subjects,
      logger: this.#log,
      tracing,
      untraced: this.#untraced,
    };
    const inner = await startConsumer(deps, options.service ?? this.service, consumer, contract, handler);
    const handle: ConsumerHandle = {
      stream: inner.stream,
      durable: inner.durable,
      stop: async () => {
        this.#consumers.delete(handle);
        await inner.stop();
      },
    };
    this.#consumers.add(handle);
    return handle;
  }

  async tradingState<S extends z.ZodType>(contract: Contract<S>): Promise<TypedKv<z.output<S>>> {
    const kv = await openTypedKv(this.#p.nc, this.subjects.tradingStateBucket, contract, this.#log, {
      ...(this.#p.streams?.replicas !== undefined ? { replicas: this.#p.streams.replicas } : {}),
    });
    this.#stoppers.add(() => kv.stopAll());
    return kv;
  }

  async flush(): Promise<void> {
    try {
      await this.#p.nc.flush();
    } catch (err) {
      throw new BusError(BusErrorCode.Closed, this.service, `flush failed: ${describeError(err)}`, { cause: err });
    }
  }

  isConnected(): boolean {
    return this.#connected && !this.#p.nc.isClosed();
  }

  onStatus(listener: BusStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async drain(): Promise<void> {
    if (this.#p.nc.isClosed() || this.#p.nc.isDraining()) return;
    await Promise.all([...this.#consumers].map((c) => c.stop()));
    await Promise.all([...this.#stoppers].map((stop) => stop()));
    await this.#p.nc.drain();
    this.#log.debug('bus drained and closed');
  }

  closed(): Promise<void | Error> {
    return this.#p.nc.closed();
  }

  #encode<S extends z.ZodType>(subject: string, contract: Contract<S>, message: z.input<S>): Uint8Array {
    try {
      return encodeMessage(contract, message);
    } catch (err) {
      this.#log.error(
        { subject, contract: contract.name, err: describeError(err) },
        'refused to send an invalid message',
      );
      throw err;
    }
  }

  /** A send, in a PRODUCER span unless the subject is untraced; the trace context goes into the headers either way. */
  #send<T>(
    info: NatsMessageInfo,
    extra: Readonly<Record<string, string>> | undefined,
    send: (headers: MsgHdrs) => T,
    onResult?: (span: Span, result: Awaited<T>) => void,
  ): T {
    if (this.#untraced(info.subject)) return send(outgoingHeaders(extra));
    const headers = plainHeaders(extra);
    return tracing.send(info, headers, () => send(headers), onResult);
  }

  /** A received message's handling, in a CONSUMER span unless the subject is untraced. */
  #process<T>(msg: Msg, handle: () => T): T {
    if (this.#untraced(msg.subject)) return context.with(tracing.extract(msg.headers), handle);
    return tracing.process({ subject: msg.subject, bodySize: msg.data.length }, msg.headers, handle);
  }

  #meta(msg: Msg): MessageMeta {
    return { subject: msg.subject, headers: headerRecord(msg.headers), ...(msg.reply ? { reply: msg.reply } : {}) };
  }

  async #deadLetter(msg: Msg, contract: Contract, reason: DeadLetterReason, issues: ContractIssue[]): Promise<void> {
    await sendDeadLetter(this.#dlq, this.service, {
      reason,
      issues,
      contract: contract.name,
      subject: msg.subject,
      data: msg.data,
      headers: msg.headers as MsgHdrs | undefined,
    });
  }

  /** One core subscription whose messages are handled one at a time; a failing message never ends the loop. */
  #serveLoop(subject: string, options: SubscribeOptions, handle: (msg: Msg) => Promise<void>): BusSubscription {
    let sub: Subscription;
    try {
      sub = this.#p.nc.subscribe(subject, options.queue !== undefined ? { queue: options.queue } : {});
    } catch (err) {
      throw new BusError(BusErrorCode.InvalidOption, subject, `cannot subscribe to ${subject}: ${describeError(err)}`, {
        cause: err,
      });
    }
    const loop = (async () => {
      for await (const msg of sub) {
        try {
          await handle(msg);
        } catch (err) {
          this.#log.error({ subject: msg.subject, err: describeError(err) }, 'message handling failed');
        }
      }
    })();
    const stop = async () => {
      this.#stoppers.delete(stop);
      if (!sub.isClosed()) await sub.drain();
      await loop;
    };
    this.#stoppers.add(stop);
    return { subject, unsubscribe: stop };
  }

  #requestError(subject: string, timeoutMs: number, err: unknown): BusError {
    const noResponders =
      err instanceof NoRespondersError ||
      (err instanceof RequestError && err.isNoResponders()) ||
      (err instanceof Error && err.cause instanceof NoRespondersError);
    if (noResponders) {
      this.#log.warn({ subject }, 'request has no responders');
      return new BusError(BusErrorCode.NoResponders, subject, `no service answers requests on ${subject}`, {
        cause: err,
      });
    }
    const timedOut = err instanceof TimeoutError || (err instanceof Error && err.cause instanceof TimeoutError);
    if (timedOut) {
      // A timeout is an unknown: the other side may have acted. Callers query before retrying.
      this.#log.warn({ subject, timeoutMs }, 'request timed out');
      return new BusError(
        BusErrorCode.RequestTimeout,
        subject,
        `request on ${subject} got no reply within ${timeoutMs} ms`,
        {
          cause: err,
        },
      );
    }
    this.#log.error({ subject, err: describeError(err) }, 'request failed');
    return new BusError(BusErrorCode.RequestFailed, subject, `request on ${subject} failed: ${describeError(err)}`, {
      cause: err,
    });
  }
}
