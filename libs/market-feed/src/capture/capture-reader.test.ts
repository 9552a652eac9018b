import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isMarketDataError, MarketDataErrorCode, type RecordingCorruptError } from '../errors.js';
import { BTC_SPEC, depthFrame, quoteFrame, tradeFrame } from './capture-fixtures.js';
import { readCapture, type CapturedEvent, type ReadCaptureOptions } from './capture-reader.js';
import { captureHeaders, type CaptureLine } from './recording-format.js';

// readCapture on hand-written captures: Binance frames through the live decoder and the gateway's
// pipeline, offline. (The sim test proves replay = live on a real session.)

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'md-capture-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const header = (session: string, seq = 1) =>
  JSON.stringify(
    captureHeaders({ venue: 'binance', bookLevels: 2, instruments: [BTC_SPEC], session })({ seq, openedAt: T0 }),
  );

async function writeCapture(name: string, lines: readonly (string | CaptureLine)[]): Promise<string> {
  const path = join(root, name);
  await writeFile(path, gzipSync(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'));
  return path;
}

async function collect(paths: string | string[], options?: ReadCaptureOptions): Promise<CapturedEvent[]> {
  const out: CapturedEvent[] = [];
  for await (const e of readCapture(paths, options)) out.push(e);
  return out;
}

describe('readCapture', () => {
  it('decodes trades, quotes and books with their receive times, dropping duplicates as the live feed does', async () => {
    const path = await writeCapture('basic.ndjson.gz', [
      header('a'),
      { t: T0 + 1, conn: 'ws', state: 'open', reason: 'first' },
      { t: T0 + 2, conn: 1, frame: '{"result":null,"id":1}' },
      { t: T0 + 10, conn: 1, frame: quoteFrame(100, '49990.00', '50010.00') },
      { t: T0 + 11, conn: 1, frame: tradeFrame(7, '50000.01', '0.25', T0 + 5) },
      // A rotation overlap delivers the same trade twice: one trade out.
      { t: T0 + 12, conn: 2, frame: tradeFrame(7, '50000.01', '0.25', T0 + 5) },
      { t: T0 + 20, conn: 1, frame: depthFrame(11, 12, [['49990.00', '1.0']], [], T0 + 19) },
      {
        t: T0 + 30,
        conn: 'rest',
        depth: 'BTCUSDT',
        frame:
          '{"lastUpdateId":11,"bids":[["49990.00","3"],["49980.00","1"],["49970.00","1"]],"asks":[["50010.00","2"]]}',
      },
      { t: T0 + 40, conn: 1, frame: depthFrame(13, 13, [], [['50010.00', '0']], T0 + 39) },
    ]);
    const events = await collect(path);
    expect(events.map((e) => `${e.event.kind}@${e.receivedAt - T0}`)).toEqual([
      'quote@10',
      'status@10', // first data: live
      'trade@11',
      'book@30',
      'bookdelta@40',
    ]);
    const [quote, live, trade, book] = events.map((e) => e.event);
    expect(quote).toMatchObject({
      venueSymbol: 'BTCUSDT',
      message: { instrument: 'BTC/USDT', bidPrice: '49990', askPrice: '50010', receivedAt: T0 + 10 },
    });
    expect(live).toMatchObject({ kind: 'status', message: { state: 'live', changedAt: T0 + 10 } });
    expect(trade).toMatchObject({
      message: { venueTradeId: '7', price: '50000.01', qty: '0.25', venueTime: T0 + 5, receivedAt: T0 + 11 },
    });
    // The buffered diff 11-12 joins snapshot 11: the book is rebuilt with it applied, top 2 levels.
    expect(book).toMatchObject({
      kind: 'book',
      message: {
        lastUpdateId: 12,
        bids: [
          ['49990', '1'],
          ['49980', '1'],
        ],
      },
    });
  });

  it('replays a connection loss as the gateway published it: reset, then live on fresh data', async () => {
    const path = await writeCapture('reset.ndjson.gz', [
      header('b'),
      { t: T0 + 10, conn: 1, frame: quoteFrame(1, '1.00', '2.00') },
      { t: T0 + 20, conn: 'ws', state: 'reconnecting', reason: 'closed 1006' },
      { t: T0 + 30, conn: 2, frame: quoteFrame(2, '1.10', '2.00') },
    ]);
    const statuses = (await collect(path)).filter((e) => e.event.kind === 'status').map((e) => e.event.message);
    expect(statuses).toMatchObject([
      { state: 'live', changedAt: T0 + 10 },
      { state: 'reset', reason: 'connection lost: closed 1006', changedAt: T0 + 20 },
      { state: 'live', changedAt: T0 + 30 },
    ]);
  });

  it('continues decoder state across the files of one session, and starts afresh for another session', async () => {
    const one = await writeCapture('s1-1.ndjson.gz', [
      header('s1', 1),
      { t: T0 + 1, conn: 1, frame: tradeFrame(5, '1.00', '1', T0) },
    ]);
    const two = await writeCapture('s1-2.ndjson.gz', [
      header('s1', 2),
      { t: T0 + 2, conn: 1, frame: tradeFrame(5, '1.00', '1', T0) },
    ]);
    const other = await writeCapture('s2-1.ndjson.gz', [
      header('s2', 1),
      { t: T0 + 3, conn: 1, frame: tradeFrame(5, '1.00', '1', T0) },
    ]);
    const trades = (await collect([one, two, other])).filter((e) => e.event.kind === 'trade');
    // Same session: trade 5 again is a duplicate. New session: a fresh gateway saw it anew.
    expect(trades.map((e) => e.receivedAt - T0)).toEqual([1, 3]);
  });

  it('stops at a malformed line naming file and line, or skips and reports it, as the caller chooses', async () => {
    const path = await writeCapture('bad.ndjson.gz', [
      header('c'),
      { t: T0 + 1, conn: 1, frame: tradeFrame(1, '1.00', '1', T0) },
      '{"t":"yesterday","conn":1}',
      'not json',
      { t: T0 + 4, conn: 'rest', depth: 'BTCUSDT', frame: '{"lastUpdateId":"x"}' },
      { t: T0 + 5, conn: 1, frame: tradeFrame(2, '1.00', '1', T0) },
    ]);
    await expect(collect(path)).rejects.toSatisfy(
      (err: unknown) =>
        isMarketDataError(err, MarketDataErrorCode.RECORDING_CORRUPT) &&
        /bad\.ndjson\.gz line 3: not a capture line/.test(String(err)),
    );
    const reported: RecordingCorruptError[] = [];
    const events = await collect(path, { malformed: 'skip', onMalformed: (e) => reported.push(e) });
    expect(reported.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(reported[2]?.message).toMatch(/depth snapshot for BTCUSDT is not valid/);
    expect(events.filter((e) => e.event.kind === 'trade')).toHaveLength(2);
  });

  it('reports a file without a header and a truncated file', async () => {
    const headless = await writeCapture('headless.ndjson.gz', [
      { t: T0, conn: 1, frame: tradeFrame(1, '1.00', '1', T0) },
    ]);
    await expect(collect(headless)).rejects.toThrow(/headless\.ndjson\.gz line 1: not a capture header/);
    const whole = gzipSync(
      `${header('d')}\n${JSON.stringify({ t: T0, conn: 1, frame: tradeFrame(1, '1.00', '1', T0) })}\n`,
    );
    const cut = join(root, 'cut.ndjson.gz');
    await writeFile(cut, whole.subarray(0, whole.length - 10));
    const reported: RecordingCorruptError[] = [];
    await collect(cut, { malformed: 'skip', onMalformed: (e) => reported.push(e) });
    expect(reported).toHaveLength(1);
    expect(reported[0]?.message).toMatch(/cut\.ndjson\.gz line \d+: cannot read/);
  });

  it('judges silences only when asked (staleAfterMs), at the next line', async () => {
    const path = await writeCapture('quiet.ndjson.gz', [
      header('e'),
      { t: T0 + 10, conn: 1, frame: quoteFrame(1, '1.00', '2.00') },
      { t: T0 + 10_000, conn: 1, frame: quoteFrame(2, '1.00', '2.00') },
    ]);
    const states = async (o?: ReadCaptureOptions) =>
      (await collect(path, o))
        .filter((e) => e.event.kind === 'status')
        .map((e) => (e.event.message as { state: string }).state);
    expect(await states()).toEqual(['live']);
    expect(await states({ staleAfterMs: 5_000 })).toEqual(['live', 'stale', 'live']);
  });
});
