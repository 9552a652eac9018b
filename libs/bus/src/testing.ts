import { connect } from '@nats-io/transport-node';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { createSubjects } from '@bourse/contracts';
import type { Subjects } from '@bourse/contracts';
import { randomBytes } from 'node:crypto';
import { BusError, BusErrorCode } from './errors.js';
import { STREAM_KEYS } from './streams.js';
import type { EnsureStreamsOptions, StreamLimits } from './streams.js';
import type { StreamKey } from './types.js';

/** Subjects under a fresh `t_<random>` namespace, for one test file. */
export function testSubjects(): Subjects {
  return createSubjects(`t_${randomBytes(5).toString('hex')}`);
}

const SMALL: Partial<StreamLimits> = { maxBytes: 8 * 1024 * 1024 };

/**
 * Small byte caps for test namespaces: the server reserves each stream's cap on disk up front,
 * and many test files run at once.
 */
export const TEST_STREAMS: EnsureStreamsOptions = {
  limits: Object.fromEntries(STREAM_KEYS.map((k) => [k, SMALL])) as Record<StreamKey, Partial<StreamLimits>>,
};

/**
 * Deletes a test namespace's streams and every KV bucket made under it (trading state, and any other
 * bucket a service names with the namespace prefix, such as the runner's leases). Refuses the
 * production (empty) namespace, so a test can never wipe real data.
 */
export async function removeTestNamespace(
  subjects: Subjects,
  servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
): Promise<void> {
  if (subjects.prefix === '') {
    throw new BusError(BusErrorCode.InvalidOption, 'namespace', 'refusing to delete the production namespace');
  }
  // Stream names of the namespace all start with this (see createSubjects); KV buckets add `KV_`.
  const streamPrefix = subjects.streams.INTENTS.slice(0, subjects.streams.INTENTS.length - 'INTENTS'.length);
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const names = new Set([...Object.values(subjects.streams), `KV_${subjects.tradingStateBucket}`]);
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (name.startsWith(streamPrefix) || name.startsWith(`KV_${streamPrefix}`)) names.add(name);
    }
    for (const name of names) {
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      }
    }
  } finally {
    await nc.close();
  }
}
