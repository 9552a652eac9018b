import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { decodeMessage } from '@bourse/contracts';
import type { Contract } from '@bourse/bus';
import { StreamReplayError, describeError } from './errors.js';

export interface StreamFollowerOptions<S extends z.ZodType> {
  readonly nc: NatsConnection;
  readonly stream: string;
  /**
   * `all`: replay the stream from its first message (state rebuilt from history); `new`: from now
   * on; `last`: the last message on `subject` (the current value of a fact), then every new one.
   */
  readonly from: 'all' | 'new' | 'last';
  /** Only messages on this subject (required for `last`). */
  readonly subject?: string;
  readonly contract: Contract<S>;
  readonly onMessage: (value: z.output<S>, seq: number) => void;
  /** A message that breaks the contract: skipped, reported here. */
  readonly onInvalid: (seq: number, subject: string, reason: string) => void;
}

export interface StreamFollower {
  /** Resolves once every message present at start has been handled. */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads a JetStream stream with an ordered consumer: ephemeral (nothing is left on the server when the
 * process goes), in order, replayed from the start on every process start. That is what the runner
 * needs for executions: positions live in memory and must be rebuilt whole after a restart, which a
 * durable consumer resuming after its last ack would not do. The stream is read, never acknowledged,
 * so dead-lettering stays the business of the services that consume it durably.
 */
export async function followStream<S extends z.ZodType>(options: StreamFollowerOptions<S>): Promise<StreamFollower> {
  let messages: ConsumerMessages;
  let lastSeqAtStart: number;
  try {
    const jsm = await jetstreamManager(options.nc);
    lastSeqAtStart = options.from === 'all' ? (await jsm.streams.info(options.stream)).state.last_seq : 0;
    if (options.from === 'last' && options.subject === undefined) {
      throw new Error('from: last needs the subject whose last message to read');
    }
    const policy = { all: DeliverPolicy.All, new: DeliverPolicy.New, last: DeliverPolicy.LastPerSubject }[options.from];
    const consumer = await jetstream(options.nc).consumers.get(options.stream, {
      deliver_policy: policy,
      ...(options.subject !== undefined ? { filter_subjects: options.subject } : {}),
    });
    messages = await consumer.consume();
  } catch (err) {
    throw new StreamReplayError(`cannot read stream ${options.stream}: ${describeError(err)}`, options.stream, {
      cause: err,
    });
  }
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  if (lastSeqAtStart === 0) markCaughtUp();
  const loop = (async () => {
    for await (const m of messages) {
      const value = decode(options.contract, m.data);
      if (value.ok) {
        try {
          options.onMessage(value.value, m.seq);
        } catch (err) {
          options.onInvalid(m.seq, m.subject, `handler failed: ${describeError(err)}`);
        }
      } else {
        options.onInvalid(m.seq, m.subject, value.reason);
      }
      if (m.seq >= lastSeqAtStart) markCaughtUp();
    }
  })();
  return {
    caughtUp,
    async stop() {
      await messages.close();
      await loop;
      markCaughtUp();
    },
  };
}

function decode<S extends z.ZodType>(
  contract: Contract<S>,
  data: Uint8Array,
): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { ok: false, reason: `malformed JSON: ${describeError(err)}` };
  }
  try {
    return { ok: true, value: decodeMessage(contract.name, contract.schema, json) };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  }
}
