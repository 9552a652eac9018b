import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { LeaseBucketMismatchError, LeaseStoreError, describeError } from '../errors.js';
import { LeaseRecord, type LeaseEntry, type LeaseStore, type ReplicaRecord } from './lease-store.js';

const LEASE_PREFIX = 'lease.';
const REPLICA_PREFIX = 'replica.';

export interface KvLeaseStoreOptions {
  /** A connection of the runner's own (the bus exposes no KV but trading state); not closed here. */
  readonly nc: NatsConnection;
  readonly bucket: string;
  readonly ttlMs: number;
  readonly replicas?: number;
  /** Per-request timeout; keep it well under the TTL. */
  readonly timeoutMs?: number;
}

function isWrongRevision(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/**
 * The lease bucket in NATS KV, on the runner's side connection (the bus exposes no KV but trading state).
 * The bucket's max age is the lease TTL; opening a bucket made with another TTL fails, because the
 * safety argument rests on it.
 */
export async function openKvLeaseStore(options: KvLeaseStoreOptions): Promise<LeaseStore> {
  const nc = options.nc;
  let kv: KV;
  try {
    const js = jetstream(nc, { timeout: options.timeoutMs ?? 2_000 });
    kv = await new Kvm(js).create(options.bucket, {
      ttl: options.ttlMs,
      history: 1,
      replicas: options.replicas ?? 1,
      max_bytes: 8 * 1024 * 1024,
    });
    const ttl = (await kv.status()).ttl;
    if (ttl !== options.ttlMs) {
      throw new LeaseBucketMismatchError(
        `lease bucket ${options.bucket} has a TTL of ${ttl} ms, not the configured ${options.ttlMs} ms; every replica must use one TTL (delete the bucket to change it)`,
        ttl,
      );
    }
  } catch (err) {
    if (err instanceof LeaseBucketMismatchError) throw err;
    throw new LeaseStoreError(`cannot open the lease bucket ${options.bucket}: ${describeError(err)}`, options.bucket, {
      cause: err,
    });
  }
  return new KvLeaseStore(kv, options.bucket, options.ttlMs);
}

class KvLeaseStore implements LeaseStore {
  constructor(
    private readonly kv: KV,
    readonly bucket: string,
    readonly ttlMs: number,
  ) {}

  async heartbeat(record: ReplicaRecord): Promise<void> {
    await this.call(`heartbeat ${record.replica}`, () => this.kv.put(REPLICA_PREFIX + record.replica, encode(record)));
  }

  async liveReplicas(): Promise<string[]> {
    return this.call('list replicas', async () => {
      const out: string[] = [];
      for await (const key of await this.kv.keys(`${REPLICA_PREFIX}>`)) out.push(key.slice(REPLICA_PREFIX.length));
      return out;
    });
  }

  async read(unit: string): Promise<LeaseEntry | null> {
    const entry = await this.call(`read ${unit}`, () => this.kv.get(LEASE_PREFIX + unit));
    if (entry === null || entry.operation !== 'PUT') return null;
    let value: LeaseRecord | undefined;
    try {
      const parsed = LeaseRecord.safeParse(entry.json());
      value = parsed.success ? parsed.data : undefined;
    } catch {
      // Not JSON: held by something we cannot name; it expires with the TTL like any other lease.
      value = undefined;
    }
    return { revision: entry.revision, value };
  }

  async create(unit: string, record: LeaseRecord): Promise<number | null> {
    try {
      return await this.kv.create(LEASE_PREFIX + unit, encode(record));
    } catch (err) {
      if (isWrongRevision(err)) return null;
      throw this.failure(`claim ${unit}`, err);
    }
  }

  async update(unit: string, record: LeaseRecord, revision: number): Promise<number | null> {
    try {
      return await this.kv.update(LEASE_PREFIX + unit, encode(record), revision);
    } catch (err) {
      if (isWrongRevision(err)) return null;
      throw this.failure(`renew ${unit}`, err);
    }
  }

  async release(unit: string, revision: number): Promise<void> {
    try {
      await this.kv.delete(LEASE_PREFIX + unit, { previousSeq: revision });
    } catch (err) {
      if (isWrongRevision(err)) return;
      throw this.failure(`release ${unit}`, err);
    }
  }

  async leave(replica: string): Promise<void> {
    await this.call(`leave ${replica}`, () => this.kv.delete(REPLICA_PREFIX + replica));
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.failure(what, err);
    }
  }

  private failure(what: string, err: unknown): LeaseStoreError {
    return new LeaseStoreError(`lease bucket ${this.bucket}: ${what} failed: ${describeError(err)}`, this.bucket, {
      cause: err,
    });
  }
}

function encode(value: unknown): string {
  return JSON.stringify(value);
}
