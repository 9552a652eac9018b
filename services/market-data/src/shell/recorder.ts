import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import {
  InvalidOptionError,
  PARTIAL_SUFFIX,
  recordingFileName,
  type CaptureLine,
  type Clock,
} from '@bourse/market-feed';
import type { MarketDataMetrics } from './metrics.js';

// Records raw venue frames (CaptureLine) to rotated, gzip-compressed NDJSON files for replay; each
// file starts with the header the caller builds (CaptureHeader), so every file decodes on its own.
//
// Backpressure: `record()` never waits and never lets memory grow. Lines wait in a queue of at
// most `maxBufferedBytes`; when the disk (or gzip) is slower than the feed and the queue is full,
// the new frame is dropped and counted (`bourse_md_recorder_frames_total{result="dropped"}`).
// A recording with drops is incomplete — the metric says so — but the gateway's latency and memory
// are never hostage to the disk. Memory bound: maxBufferedBytes + one batch in gzip's buffers.

export interface RecorderOptions {
  dir: string;
  /** File name prefix, e.g. the venue id. */
  name: string;
  /** Uncompressed bytes per file before rotating. */
  maxFileBytes: number;
  /** Rotate a file this old (ms); 0 = size only. */
  rotateIntervalMs: number;
  /** Most bytes queued for writing; beyond it frames are dropped. */
  maxBufferedBytes: number;
  clock: Clock;
  metrics?: MarketDataMetrics;
  /** The first line of every file (the capture header), given the file's number and opening time. */
  header?: (file: { seq: number; openedAt: number }) => unknown;
  /** Told about a failed write, open or rotation (recording continues with the next file). */
  onError?: (err: Error) => void;
}

export interface RecorderStats {
  readonly written: number;
  readonly dropped: number;
  /** Files completed (renamed without `.part`). */
  readonly files: number;
  readonly bufferedBytes: number;
}

interface OpenFile {
  readonly path: string;
  readonly gzip: Gzip;
  readonly out: WriteStream;
  readonly done: Promise<void>;
  readonly openedAt: number;
  bytes: number;
}

/** Largest chunk handed to gzip at once: keeps rotation by size close to the limit. */
const BATCH_BYTES = 64 * 1024;

export class FrameRecorder {
  readonly #o: RecorderOptions;
  #queue: string[] = [];
  #queuedBytes = 0;
  #pump: Promise<void> | undefined;
  #file: OpenFile | undefined;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #written = 0;
  #dropped = 0;
  #files = 0;

  constructor(options: RecorderOptions) {
    for (const key of ['maxFileBytes', 'maxBufferedBytes'] as const) {
      if (!Number.isInteger(options[key]) || options[key] <= 0) {
        throw new InvalidOptionError(key, options[key], 'a positive integer (bytes)');
      }
    }
    if (!Number.isInteger(options.rotateIntervalMs) || options.rotateIntervalMs < 0) {
      throw new InvalidOptionError('rotateIntervalMs', options.rotateIntervalMs, 'a non-negative integer (ms)');
    }
    if (!/^[A-Za-z0-9_-]+$/.test(options.name)) {
      throw new InvalidOptionError('name', options.name, 'letters, digits, "_" or "-"');
    }
    this.#o = options;
    if (options.rotateIntervalMs > 0) {
      // An idle file is still closed on time, so its data becomes readable.
      this.#timer = setInterval(() => this.#rotateIdle(), Math.min(options.rotateIntervalMs, 1_000));
      this.#timer.unref();
    }
  }

  get stats(): RecorderStats {
    return { written: this.#written, dropped: this.#dropped, files: this.#files, bufferedBytes: this.#queuedBytes };
  }

  /** Queues one frame; false when it was dropped (queue full or recorder closed). Never blocks. */
  record(frame: CaptureLine): boolean {
    if (this.#closed) return this.#drop();
    const line = `${JSON.stringify(frame)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#queuedBytes + bytes > this.#o.maxBufferedBytes) return this.#drop();
    this.#queue.push(line);
    this.#queuedBytes += bytes;
    this.#o.metrics?.recorderBufferedBytes.set(this.#queuedBytes);
    this.#kick();
    return true;
  }

  #kick(): void {
    this.#pump ??= this.#run().finally(() => this.#idle());
  }

  /** The pump stopped: frames queued in its last moments (or during a rotation) get a new one. */
  #idle(): void {
    this.#pump = undefined;
    if (this.#queue.length > 0) this.#kick();
  }

  /** Resolves once everything queued so far has been handed to the current file. */
  async flush(): Promise<void> {
    while (this.#pump !== undefined) await this.#pump;
  }

  /** Writes what is queued, completes the current file and stops. Frames recorded afterwards are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
    await this.#closeFile();
  }

  #drop(): false {
    this.#dropped += 1;
    this.#o.metrics?.recorderFrames.inc({ result: 'dropped' });
    return false;
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      let take = 0;
      let chunkBytes = 0;
      while (take < this.#queue.length && chunkBytes < BATCH_BYTES) {
        chunkBytes += Buffer.byteLength(this.#queue[take] ?? '');
        take += 1;
      }
      const lines = this.#queue.splice(0, take);
      try {
        const file = await this.#fileFor(this.#o.clock.now());
        await this.#write(file, lines.join(''));
        file.bytes += chunkBytes;
        this.#written += lines.length;
        this.#o.metrics?.recorderFrames.inc({ result: 'written' }, lines.length);
      } catch (err) {
        this.#fail(err);
        this.#dropped += lines.length;
        this.#o.metrics?.recorderFrames.inc({ result: 'dropped' }, lines.length);
        await this.#abandonFile();
      } finally {
        this.#queuedBytes -= chunkBytes;
        this.#o.metrics?.recorderBufferedBytes.set(this.#queuedBytes);
      }
    }
  }

  async #write(file: OpenFile, chunk: string): Promise<void> {
    if (file.gzip.write(chunk)) return;
    // Wait for room, or for the file to fail (a full disk never drains).
    await Promise.race([once(file.gzip, 'drain'), file.done]);
  }

  async #fileFor(now: number): Promise<OpenFile> {
    const current = this.#file;
    if (current !== undefined && !this.#due(current, now)) return current;
    if (current !== undefined) await this.#closeFile();
    await mkdir(this.#o.dir, { recursive: true });
    this.#seq += 1;
    const path = join(this.#o.dir, recordingFileName(this.#o.name, now, this.#seq));
    const gzip = createGzip();
    const out = createWriteStream(`${path}${PARTIAL_SUFFIX}`, { flags: 'wx' });
    const done = pipeline(gzip, out);
    // Observed here so a failure never becomes an unhandled rejection; awaited on close.
    done.catch(() => undefined);
    await once(out, 'open');
    const file: OpenFile = { path, gzip, out, done, openedAt: now, bytes: 0 };
    this.#file = file;
    if (this.#o.header !== undefined) {
      const header = `${JSON.stringify(this.#o.header({ seq: this.#seq, openedAt: now }))}\n`;
      await this.#write(file, header);
      file.bytes += Buffer.byteLength(header);
    }
    return file;
  }

  #due(file: OpenFile, now: number): boolean {
    if (file.bytes >= this.#o.maxFileBytes) return true;
    return this.#o.rotateIntervalMs > 0 && now - file.openedAt >= this.#o.rotateIntervalMs;
  }

  #rotateIdle(): void {
    const file = this.#file;
    if (file === undefined || this.#pump !== undefined || !this.#due(file, this.#o.clock.now())) return;
    this.#pump = this.#closeFile().finally(() => this.#idle());
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    this.#file = undefined;
    try {
      file.gzip.end();
      await file.done;
      await rename(`${file.path}${PARTIAL_SUFFIX}`, file.path);
      this.#files += 1;
      this.#o.metrics?.recorderFiles.inc();
    } catch (err) {
      this.#fail(err);
    }
  }

  /** After a failed write the file is not trusted: it stays `.part` and the next frame opens a new one. */
  async #abandonFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (file === undefined) return;
    file.gzip.destroy();
    file.out.destroy();
    await file.done.catch(() => undefined);
  }

  #fail(err: unknown): void {
    this.#o.metrics?.recorderErrors.inc();
    this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}
