import { Kvm } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { decodePayload, decodePayloadOrThrow, encodeMessage } from './codec.js';
import { BusError, BusErrorCode, describeError } from './errors.js';
import type { Contract, KvChange, KvValue, KvWatchHandle, KvWatchOptions, TypedKv } from './types.js';

/**
 * Trading state is tiny and must outlive a NATS restart: file storage, a short history so an
 * operator can see who halted what, and a size cap far above need.
 */
export const TRADING_STATE_BUCKET = { history: 10, max_bytes: 16 * 1024 * 1024, maxValueSize: 64 * 1024 } as const;

function kvError(bucket: string, what: string, err: unknown): BusError {
  return new BusError(BusErrorCode.KvFailed, bucket, `KV ${bucket}: ${what}: ${describeError(err)}`, { cause: err });
}

/** Opens the bucket, creating it when missing, and types its values with `contract`. */
export async function openTypedKv<S extends z.ZodType>(
  nc: NatsConnection,
  bucket: string,
  contract: Contract<S>,
  logger: Logger,
  options: { replicas?: number } = {},
): Promise<TypedKv<z.output<S>> & { stopAll(): Promise<void> }> {
  let kv: KV;
  try {
    // Kvm.create binds to an existing bucket of the same config, so it is safe on every start.
    kv = await new Kvm(nc).create(bucket, { ...TRADING_STATE_BUCKET, replicas: options.replicas ?? 1 });
  } catch (err) {
    throw kvError(bucket, 'cannot open or create the bucket', err);
  }
  const log = logger.child({ bucket });
  const watches = new Set<KvWatchHandle>();

  return {
    bucket,
    async get(key: string): Promise<KvValue<z.output<S>> | null> {
      let entry: KvEntry | null;
      try {
        entry = await kv.get(key);
      } catch (err) {
        throw kvError(bucket, `get ${key} failed`, err);
      }
      if (entry === null || entry.operation !== 'PUT') return null;
      return { key, revision: entry.revision, value: decodePayloadOrThrow(contract, entry.value) };
    },
    async put(key, value, putOptions) {
      // Trading-state schemas are plain JSON (no transforms), so a decoded value re-encodes as itself.
      const data = encodeMessage(contract, value as z.input<S>);
      try {
        return putOptions?.expectedRevision !== undefined
          ? await kv.update(key, data, putOptions.expectedRevision)
          : await kv.put(key, data);
      } catch (err) {
        throw kvError(bucket, `put ${key} failed`, err);
      }
    },
    async delete(key) {
      try {
        await kv.delete(key);
      } catch (err) {
        throw kvError(bucket, `delete ${key} failed`, err);
      }
    },
    async watch(onChange, watchOptions: KvWatchOptions = {}) {
      const key = watchOptions.key;
      let watcher;
      // Revisions up to the bucket's last one at watch start are the replay of current values;
      // nats.js flags the last replayed entry as an update, which would read as a fresh change.
      let replayedUpTo: number;
      try {
        replayedUpTo = (await kv.status()).streamInfo.state.last_seq;
        watcher = await kv.watch(key === undefined ? {} : { key: typeof key === 'string' ? key : [...key] });
      } catch (err) {
        throw kvError(bucket, 'watch failed', err);
      }
      const loop = (async () => {
        for await (const entry of watcher) {
          let value: z.output<S> | null = null;
          if (entry.operation === 'PUT') {
            const decoded = decodePayload(contract, entry.value);
            if (!decoded.ok) {
              log.error(
                { key: entry.key, revision: entry.revision, reason: decoded.reason, detail: decoded.detail },
                'invalid KV value skipped',
              );
              continue;
            }
            value = decoded.value;
          }
          const change: KvChange<z.output<S>> = {
            key: entry.key,
            revision: entry.revision,
            operation: entry.operation,
            value,
            isUpdate: entry.revision > replayedUpTo,
          };
          try {
            await onChange(change);
          } catch (err) {
            log.error({ key: entry.key, revision: entry.revision, err: describeError(err) }, 'KV watch handler failed');
          }
        }
      })();
      const handle: KvWatchHandle = {
        async stop() {
          if (!watches.delete(handle)) return;
          watcher.stop();
          await loop;
        },
      };
      watches.add(handle);
      return handle;
    },
    async stopAll() {
      await Promise.all([...watches].map((w) => w.stop()));
    },
  };
}
