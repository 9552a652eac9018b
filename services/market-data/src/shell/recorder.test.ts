import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import {
  captureHeaders,
  isMarketDataError,
  listRecordings,
  MarketDataErrorCode,
  readCaptureLines,
  type CaptureLine,
} from '@bourse/market-feed';
import { BTC_SPEC } from '@bourse/market-feed/testing';
import { createMarketDataMetrics } from './metrics.js';
import { FrameRecorder, type RecorderOptions } from './recorder.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'md-recorder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every raw-frame line (headers checked and left out); throws the first problem. */
async function collect(path: string): Promise<CaptureLine[]> {
  const out: CaptureLine[] = [];
  for await (const e of readCaptureLines(path)) {
    if (e.kind === 'bad') throw e.error;
    if (e.kind === 'line') out.push(e.value);
  }
  return out;
}

function recorder(dir: string, overrides: Partial<RecorderOptions> = {}, clock = { now: () => T0 }) {
  return new FrameRecorder({
    dir,
    name: 'binance',
    maxFileBytes: 1024 * 1024,
    rotateIntervalMs: 0,
    maxBufferedBytes: 1024 * 1024,
    header: captureHeaders({ venue: 'binance', bookLevels: 5, instruments: [BTC_SPEC], session: 's1' }),
    clock,
    ...overrides,
  });
}

const frame = (i: number): CaptureLine => ({
  t: T0 + i,
  conn: 1,
  frame: `{"stream":"btcusdt@trade","data":{"t":${i},"p":"50000.01"}}`,
});

describe('FrameRecorder', () => {
  it('writes gzip NDJSON, a header first, that reads back frame for frame, in order', async () => {
    const dir = join(root, 'basic');
    const r = recorder(dir);
    for (let i = 0; i < 100; i++) expect(r.record(frame(i))).toBe(true);
    r.record({ t: T0 + 100, conn: 'ws', state: 'open', reason: 'first' });
    await r.close();
    const files = await listRecordings(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/binance-20250102T030405678Z-000001\.ndjson\.gz$/);
    // Really gzip: the magic bytes.
    const bytes = await readFile(files[0] ?? '');
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const entries = [];
    for await (const e of readCaptureLines(files[0] ?? '')) entries.push(e);
    expect(entries[0]).toMatchObject({ kind: 'header', line: 1, header: { session: 's1', seq: 1, openedAt: T0 } });
    const back = await collect(files[0] ?? '');
    expect(back).toHaveLength(101);
    expect(back[0]).toEqual(frame(0));
    expect(back[99]).toEqual(frame(99));
    expect(back[100]).toEqual({ t: T0 + 100, conn: 'ws', state: 'open', reason: 'first' });
    expect(r.stats).toMatchObject({ written: 101, dropped: 0, files: 1, bufferedBytes: 0 });
  });

  it('rotates by size; the directory reads back as one ordered stream', async () => {
    const dir = join(root, 'size');
    const r = recorder(dir, { maxFileBytes: 2_000 });
    for (let i = 0; i < 50; i++) {
      r.record(frame(i));
      // Let each frame reach the file, so files split at line boundaries near the limit.
      await r.flush();
    }
    await r.close();
    const files = await listRecordings(dir);
    expect(files.length).toBeGreaterThan(2);
    const back = await collect(dir);
    expect(back.map((f) => f.t)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + i));
    // Every file starts with its own header, numbered within the session.
    const seqs: number[] = [];
    for await (const e of readCaptureLines(dir)) if (e.kind === 'header') seqs.push(e.header.seq);
    expect(seqs).toEqual(Array.from({ length: files.length }, (_, i) => i + 1));
    expect(r.stats.files).toBe(files.length);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.part$/));
  });

  it('rotates by time, using the injected clock', async () => {
    const dir = join(root, 'time');
    let now = T0;
    const r = recorder(dir, { rotateIntervalMs: 60_000 }, { now: () => now });
    r.record(frame(1));
    await r.flush();
    now += 30_000;
    r.record(frame(2));
    await r.flush();
    now += 30_000;
    r.record(frame(3));
    await r.close();
    const files = await listRecordings(dir);
    expect(files).toHaveLength(2);
    expect((await collect(files[0] ?? '')).length).toBe(2);
    expect((await collect(files[1] ?? '')).length).toBe(1);
  });

  it('drops and counts frames instead of growing memory when the writer falls behind', async () => {
    const dir = join(root, 'backpressure');
    const registry = new Registry();
    const metrics = createMarketDataMetrics(registry);
    const r = recorder(dir, { maxBufferedBytes: 4_096, metrics });
    // A synchronous burst: the writer cannot run in between, so the queue fills and caps.
    let accepted = 0;
    for (let i = 0; i < 1_000; i++) if (r.record(frame(i))) accepted += 1;
    expect(r.stats.bufferedBytes).toBeLessThanOrEqual(4_096);
    expect(accepted).toBeLessThan(1_000);
    expect(r.stats.dropped).toBe(1_000 - accepted);
    await r.close();
    const back = await collect(dir);
    expect(back).toHaveLength(accepted);
    const dropped = (await registry.getSingleMetric('bourse_md_recorder_frames_total')?.get())?.values.find(
      (v) => v.labels.result === 'dropped',
    );
    expect(dropped?.value).toBe(1_000 - accepted);
    // Once closed, nothing is accepted.
    expect(r.record(frame(0))).toBe(false);
  });

  it('reports a truncated file and a foreign line with the file and line', async () => {
    const dir = join(root, 'corrupt');
    const r = recorder(dir);
    for (let i = 0; i < 20; i++) r.record(frame(i));
    await r.close();
    const [file] = await listRecordings(dir);
    const whole = await readFile(file ?? '');
    const cut = join(root, 'cut.ndjson.gz');
    await writeFile(cut, whole.subarray(0, whole.length - 12));
    await expect(collect(cut)).rejects.toSatisfy(
      (err: unknown) =>
        isMarketDataError(err, MarketDataErrorCode.RECORDING_CORRUPT) && /cut\.ndjson\.gz/.test(String(err)),
    );
    const foreign = join(root, 'foreign.ndjson.gz');
    const header = JSON.stringify(
      captureHeaders({ venue: 'binance', bookLevels: 5, instruments: [BTC_SPEC] })({ seq: 1, openedAt: T0 }),
    );
    await writeFile(foreign, gzipSync(`${header}\n${JSON.stringify(frame(1))}\n{"hello":1}\n`));
    await expect(collect(foreign)).rejects.toThrow(/line 3: not a capture line/);
  });

  it('refuses bad options with a typed error naming the option', () => {
    expect(() => recorder(join(root, 'x'), { maxBufferedBytes: 0 })).toThrow(/maxBufferedBytes/);
    expect(() => recorder(join(root, 'x'), { name: '../evil' })).toThrow(/name/);
  });
});
