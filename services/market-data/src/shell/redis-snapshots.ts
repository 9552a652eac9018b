import type { Redis } from 'ioredis';
import { InvalidOptionError, type BookView, type Clock, type InstrumentSnapshot } from '@bourse/market-feed';
import { decodeMessage, MarketSnapshot, marketSnapshotKey } from '@bourse/contracts';
import type { MarketDataMetrics } from './metrics.js';

// Writes each instrument's snapshot to Redis as one JSON string with an expiry (SET … PX), so a
// reader gets the whole document atomically and a dead gateway's snapshots vanish instead of
// looking current. Writes are coalesced: the feed only marks a snapshot dirty, and a flush every
// `flushIntervalMs` writes each dirty one once, whatever the event rate. One pipeline is in flight
// at most, so a slow Redis delays snapshots but never queues them up.

export interface SnapshotSource {
  readonly key: string;
  readonly snapshot: InstrumentSnapshot;
  /** The adapter's current local book (top `levels` per side), read only when the snapshot is written. */
  book(levels: number): BookView | undefined;
}

export interface RedisSnapshotWriterOptions {
  redis: Redis;
  venue: string;
  /** Prepended to every key (`bourse:md:` in production; tests use their own). */
  keyPrefix: string;
  ttlMs: number;
  flushIntervalMs: number;
  depthLevels: number;
  /** An unchanged snapshot is written again this often, so a live but quiet instrument does not expire. Default ttlMs / 3. */
  refreshMs?: number;
  clock: Clock;
  metrics?: MarketDataMetrics;
  /** Told about a failed write (the snapshot is retried at the next flush). */
  onError?: (err: Error) => void;
}

interface Entry {
  source: SnapshotSource;
  lastWriteAt: number | undefined;
}

export class RedisSnapshotWriter {
  readonly #o: RedisSnapshotWriterOptions;
  readonly #refreshMs: number;
  readonly #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<number> | undefined;

  constructor(options: RedisSnapshotWriterOptions) {
    const positive = (name: string, v: number) => {
      if (!Number.isInteger(v) || v <= 0) throw new InvalidOptionError(name, v, 'a positive integer');
    };
    positive('ttlMs', options.ttlMs);
    positive('flushIntervalMs', options.flushIntervalMs);
    positive('depthLevels', options.depthLevels);
    this.#refreshMs = options.refreshMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
    positive('refreshMs', this.#refreshMs);
    if (options.flushIntervalMs >= options.ttlMs) {
      throw new InvalidOptionError('flushIntervalMs', options.flushIntervalMs, `below ttlMs (${options.ttlMs})`);
    }
    this.#o = options;
  }

  /** `<keyPrefix><venue>:<venueSymbol>`. */
  keyOf(venueSymbol: string): string {
    return marketSnapshotKey(this.#o.keyPrefix, this.#o.venue, venueSymbol);
  }

  register(source: SnapshotSource): void {
    this.#entries.set(source.key, { source, lastWriteAt: undefined });
  }

  /** Flushes every `flushIntervalMs` until `stop()`. A tick is skipped while the previous write runs. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#inFlight !== undefined) return;
      void this.flush();
    }, this.#o.flushIntervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what is still dirty. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /** Writes every dirty (or due for refresh) snapshot in one pipeline; resolves with how many were written. */
  async flush(): Promise<number> {
    while (this.#inFlight !== undefined) await this.#inFlight;
    const run = this.#write();
    this.#inFlight = run;
    try {
      return await run;
    } finally {
      this.#inFlight = undefined;
    }
  }

  async #write(): Promise<number> {
    const now = this.#o.clock.now();
    const due: Entry[] = [];
    for (const entry of this.#entries.values()) {
      const { snapshot } = entry.source;
      if (!snapshot.hasContent) continue;
      const refresh = entry.lastWriteAt === undefined || now - entry.lastWriteAt >= this.#refreshMs;
      if (snapshot.dirty || refresh) due.push(entry);
    }
    if (due.length === 0) return 0;
    const pipeline = this.#o.redis.pipeline();
    const sent: Entry[] = [];
    for (const entry of due) {
      let text: string;
      try {
        const doc = entry.source.snapshot.build(now, entry.source.book(this.#o.depthLevels), this.#o.depthLevels);
        text = JSON.stringify(decodeMessage('MarketSnapshot', MarketSnapshot, doc));
      } catch (err) {
        // A document that breaks its own schema is a bug: count it, keep the last good one in Redis.
        this.#o.metrics?.snapshotWrites.inc({ venue: this.#o.venue, result: 'invalid' });
        this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
        entry.source.snapshot.markWritten();
        continue;
      }
      // Cleared before the write: an update arriving while it runs marks it dirty again.
      entry.source.snapshot.markWritten();
      pipeline.set(entry.source.key, text, 'PX', this.#o.ttlMs);
      sent.push(entry);
    }
    if (sent.length === 0) return 0;
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      results = null;
      this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
    let written = 0;
    sent.forEach((entry, i) => {
      const error = results === null ? new Error('pipeline failed') : (results[i]?.[0] ?? null);
      if (error === null) {
        entry.lastWriteAt = now;
        written += 1;
        this.#o.metrics?.snapshotWrites.inc({ venue: this.#o.venue, result: 'ok' });
      } else {
        entry.source.snapshot.markDirty();
        this.#o.metrics?.snapshotWrites.inc({ venue: this.#o.venue, result: 'error' });
        if (results !== null) this.#o.onError?.(error);
      }
    });
    return written;
  }
}

/** Reads and validates one snapshot; null when the key is missing or expired. */
export async function readSnapshot(redis: Redis, key: string): Promise<MarketSnapshot | null> {
  const text = await redis.get(key);
  if (text === null) return null;
  return decodeMessage('MarketSnapshot', MarketSnapshot, JSON.parse(text));
}
