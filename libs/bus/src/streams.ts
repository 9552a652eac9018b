import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { subjectToken } from '@bourse/contracts';
import type { Subjects } from '@bourse/contracts';
import { BusError, BusErrorCode } from './errors.js';
import type { DurableConsumerSpec, StreamKey } from './types.js';

// The one place where JetStream streams and durable consumers are declared. The README has the
// table of these choices and the reasons; keep the two in step.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MiB = 1024 * 1024;

export interface StreamLimits {
  readonly maxAgeMs: number;
  /** Cap on the stream's disk use. The server reserves it up front, so it is sized, not unlimited. */
  readonly maxBytes: number;
  readonly maxMsgSize: number;
  /** Window in which a second message with the same `Nats-Msg-Id` is dropped as a duplicate. */
  readonly duplicateWindowMs: number;
  /** `new` refuses publishes when full (the publisher sees an error); `old` drops the oldest message. */
  readonly discard: 'old' | 'new';
}

export const STREAM_KEYS: readonly StreamKey[] = ['INTENTS', 'ORDERS', 'EXEC', 'RISK', 'RECON', 'DLQ'];

export const STREAM_LIMITS: Readonly<Record<StreamKey, StreamLimits>> = {
  // Intents go stale in seconds; a day is for debugging a strategy, not for replay.
  INTENTS: { maxAgeMs: DAY, maxBytes: 128 * MiB, maxMsgSize: MiB, duplicateWindowMs: 2 * MINUTE, discard: 'old' },
  // An order request must never be dropped silently: when full, the risk-gate's publish fails loudly.
  // Ten minutes of de-duplication covers a risk-gate that restarts and republishes by client order id.
  ORDERS: { maxAgeMs: 7 * DAY, maxBytes: 256 * MiB, maxMsgSize: MiB, duplicateWindowMs: 10 * MINUTE, discard: 'new' },
  // Execution events are the history positions are rebuilt from: kept a month, replayable from the start.
  EXEC: { maxAgeMs: 30 * DAY, maxBytes: 1024 * MiB, maxMsgSize: MiB, duplicateWindowMs: 10 * MINUTE, discard: 'new' },
  RISK: { maxAgeMs: 7 * DAY, maxBytes: 128 * MiB, maxMsgSize: MiB, duplicateWindowMs: 2 * MINUTE, discard: 'old' },
  RECON: { maxAgeMs: 30 * DAY, maxBytes: 128 * MiB, maxMsgSize: MiB, duplicateWindowMs: 2 * MINUTE, discard: 'old' },
  // Dead letters wait for a human; if the cap is hit, losing the oldest beats refusing new ones.
  DLQ: { maxAgeMs: 30 * DAY, maxBytes: 256 * MiB, maxMsgSize: 2 * MiB, duplicateWindowMs: 2 * MINUTE, discard: 'old' },
};

export interface EnsureStreamsOptions {
  /** Replicas per stream: 1 on a laptop, 3 on a clustered NATS. */
  readonly replicas?: number;
  /** Per-stream overrides of STREAM_LIMITS (tests use smaller caps). */
  readonly limits?: Partial<Record<StreamKey, Partial<StreamLimits>>>;
}

/** The full JetStream config of every stream of a namespace. */
export function streamConfigs(
  subjects: Subjects,
  options: EnsureStreamsOptions = {},
): Record<StreamKey, WithName<StreamConfig>> {
  const out = {} as Record<StreamKey, WithName<StreamConfig>>;
  for (const key of STREAM_KEYS) {
    const limits = { ...STREAM_LIMITS[key], ...options.limits?.[key] };
    out[key] = {
      name: subjects.streams[key],
      subjects: [...subjects.streamSubjects[key]],
      description: `Bourse ${key}`,
      // Limits retention: messages stay until they age out, whatever the consumers did, so a
      // new durable can replay them and several services can read the same stream.
      retention: RetentionPolicy.Limits,
      // File storage: survives a NATS restart; memory would lose every order in flight.
      storage: StorageType.File,
      num_replicas: options.replicas ?? 1,
      max_age: nanos(limits.maxAgeMs),
      max_bytes: limits.maxBytes,
      max_msg_size: limits.maxMsgSize,
      max_msgs: -1,
      max_msgs_per_subject: -1,
      max_consumers: -1,
      duplicate_window: nanos(limits.duplicateWindowMs),
      discard: limits.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
      allow_rollup_hdrs: false,
      deny_delete: false,
      deny_purge: false,
    };
  }
  return out;
}

type WithName<T> = Partial<T> & { name: string };

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function sameSettings(current: Record<string, unknown>, declared: Record<string, unknown>): boolean {
  return Object.entries(declared).every(([k, v]) => JSON.stringify(current[k]) === JSON.stringify(v));
}

/** Creates each stream, or updates it to the declared config when it exists. Safe to call on every start. */
export async function ensureStreams(
  jsm: JetStreamManager,
  subjects: Subjects,
  options: EnsureStreamsOptions = {},
): Promise<void> {
  for (const config of Object.values(streamConfigs(subjects, options))) {
    try {
      let current;
      try {
        current = (await jsm.streams.info(config.name)).config;
      } catch (err) {
        if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
        await jsm.streams.add(config);
        continue;
      }
      const { name, retention: _r, storage: _s, max_consumers: _m, ...updatable } = config;
      // Only a user allowed to change streams (order manager, operator) may update; the others
      // find the declared config in place and leave it alone.
      if (sameSettings(current as unknown as Record<string, unknown>, updatable)) continue;
      await jsm.streams.update(name, updatable);
    } catch (err) {
      throw new BusError(
        BusErrorCode.StreamSetupFailed,
        config.name,
        `stream ${config.name} could not be created or updated: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
}

const POLICY = {
  ackWaitMs: 30_000,
  maxAckPending: 1_000,
} as const;

/**
 * The durable consumers of the system. Services pass one of these to `bus.consume`; a sharded
 * service gets its own durable per shard so each shard keeps its own position.
 */
export const DURABLE_CONSUMERS = {
  /** risk-gate reads every intent. Starts at new intents: an old intent must never become an order. */
  riskGateIntents: {
    stream: 'INTENTS',
    durable: 'risk-gate-intents',
    deliverFrom: 'new',
    maxDeliver: 3,
    nakDelaysMs: [500, 2_000],
    ...POLICY,
  },
  /**
   * order-manager reads order requests. Starts at new ones: replaying a week of requests would resubmit
   * them. A decision has a shelf life of seconds (DESIGN 13), so what a killed order manager held must
   * come back in seconds, not after 30 s: one request in flight at a time (none sits pulled in a dead
   * process's buffer), a short ack wait, and in-progress acknowledgements while a live handler works.
   */
  orderManagerRequests: {
    stream: 'ORDERS',
    durable: 'order-manager-requests',
    deliverFrom: 'new',
    maxDeliver: 5,
    nakDelaysMs: [1_000, 5_000, 15_000, 30_000],
    ackWaitMs: 2_000,
    maxAckPending: 1,
    inProgressEveryMs: 500,
  },
  /** order-manager reads the reconciler's findings (missed fills become events). */
  orderManagerRecon: {
    stream: 'RECON',
    durable: 'order-manager-recon',
    deliverFrom: 'new',
    maxDeliver: 5,
    nakDelaysMs: [1_000, 5_000, 15_000, 30_000],
    ...POLICY,
  },
  /** risk-gate follows executions for combined exposure; a fresh one replays history to rebuild it. */
  riskGateExec: {
    stream: 'EXEC',
    durable: 'risk-gate-exec',
    deliverFrom: 'all',
    maxDeliver: 10,
    nakDelaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
    ...POLICY,
  },
} as const satisfies Record<string, DurableConsumerSpec>;

/** strategy-runner shard `shard` follows its executions (fills feed strategies their positions). */
export function strategyRunnerExecConsumer(shard: string): DurableConsumerSpec {
  return {
    stream: 'EXEC',
    durable: `strategy-runner-exec-${subjectToken('shard', shard).replace(/:/g, '_')}`,
    deliverFrom: 'all',
    maxDeliver: 10,
    nakDelaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
    ...POLICY,
  };
}

/** strategy-runner shard `shard` hears the risk-gate's decisions on its intents. */
export function strategyRunnerRiskConsumer(shard: string): DurableConsumerSpec {
  return {
    stream: 'RISK',
    durable: `strategy-runner-risk-${subjectToken('shard', shard).replace(/:/g, '_')}`,
    deliverFrom: 'new',
    maxDeliver: 3,
    nakDelaysMs: [500, 2_000],
    ...POLICY,
  };
}

const DURABLE_NAME = /^[A-Za-z0-9_-]+$/;

export function consumerConfig(spec: DurableConsumerSpec): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: spec.durable,
    description: `Bourse durable ${spec.durable}`,
    // Explicit acks: a message counts as handled only when the handler returned.
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.deliverFrom === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
    ...(spec.filterSubject !== undefined ? { filter_subject: spec.filterSubject } : {}),
  };
}

/** Creates the durable consumer or updates its mutable settings; returns the stream name. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  subjects: Subjects,
  spec: DurableConsumerSpec,
): Promise<string> {
  const stream = subjects.streams[spec.stream];
  if (!DURABLE_NAME.test(spec.durable)) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      spec.durable,
      `durable name "${spec.durable}" must be letters, digits, "_" or "-"`,
    );
  }
  if (
    spec.inProgressEveryMs !== undefined &&
    !(spec.inProgressEveryMs > 0 && spec.inProgressEveryMs * 2 <= spec.ackWaitMs)
  ) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      spec.durable,
      `consumer ${spec.durable} sends in-progress every ${spec.inProgressEveryMs} ms; it must be above 0 and at most half its ack wait (${spec.ackWaitMs} ms)`,
    );
  }
  if (!(spec.maxDeliver >= 1) || spec.nakDelaysMs.length === 0) {
    throw new BusError(
      BusErrorCode.InvalidOption,
      spec.durable,
      `consumer ${spec.durable} needs maxDeliver >= 1 and at least one nak delay`,
    );
  }
  const config = consumerConfig(spec);
  try {
    try {
      await jsm.consumers.info(stream, spec.durable);
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
      await jsm.consumers.add(stream, config);
      return stream;
    }
    const { durable_name: _d, deliver_policy: _p, ack_policy: _a, replay_policy: _r, ...updatable } = config;
    await jsm.consumers.update(stream, spec.durable, updatable);
    return stream;
  } catch (err) {
    throw new BusError(
      BusErrorCode.ConsumerSetupFailed,
      spec.durable,
      `durable consumer ${spec.durable} on ${stream} could not be created or updated: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
