import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade } from '@bourse/contracts';
import { assertPrototypeClean, hostileTexts, mutated } from '@bourse/contracts/testing';
import { RecordingCorruptError } from '../errors.js';
import type { NormalisedMessage } from '../types.js';
import { BTC_SPEC, depthFrame, quoteFrame, tradeFrame } from './capture-fixtures.js';
import { readCapture } from './capture-reader.js';
import { captureHeaders } from './recording-format.js';

// Capture files are read back by replay and the backtester, possibly from elsewhere: hostile lines
// (mutated capture lines, mutated frames inside valid lines, garbage) are skipped and reported with
// file and line, or stop the read with that error; what is replayed satisfies its contract.

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);
const header = captureHeaders({ venue: 'binance', bookLevels: 2, instruments: [BTC_SPEC], session: 'fuzz' })({
  seq: 1,
  openedAt: T0,
});
const frames = [
  quoteFrame(100, '49990.00', '50010.00'),
  tradeFrame(7, '50000.01', '0.25', T0 + 5),
  depthFrame(11, 12, [['49990.00', '1.0']], [], T0 + 19),
];
const lines: unknown[] = [
  { t: T0 + 1, conn: 'ws', state: 'open', reason: 'first' },
  ...frames.map((frame, i) => ({ t: T0 + 10 + i, conn: 1, frame })),
  {
    t: T0 + 30,
    conn: 'rest',
    depth: 'BTCUSDT',
    frame: '{"lastUpdateId":11,"bids":[["49990.00","3"]],"asks":[["50010.00","2"]]}',
  },
];

const hostileLine: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...lines).map((l) => JSON.stringify(l)),
  mutated([header, ...lines]).map((v) => JSON.stringify(v) ?? 'null'),
  // A valid line around a hostile frame: the venue's bytes as recorded.
  fc
    .tuple(hostileTexts(frames.map((f) => JSON.parse(f) as unknown)), fc.nat({ max: 100 }))
    .map(([frame, dt]) => JSON.stringify({ t: T0 + 40 + dt, conn: 1, frame })),
  hostileTexts(lines).map((t) => t.replace(/\n/g, ' ')),
);

function checkMessage(e: NormalisedMessage): void {
  const schema = { quote: Quote, trade: Trade, book: BookSnapshot, bookdelta: BookDelta, status: FeedStatus }[e.kind];
  expect(schema.safeParse(e.message).success, JSON.stringify(e.message).slice(0, 300)).toBe(true);
}

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'md-capture-fuzz-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(body: string[], truncate: boolean): Promise<string> {
  const path = join(root, `c${(n += 1)}.ndjson.gz`);
  const gz = gzipSync([JSON.stringify(header), ...body].join('\n') + '\n');
  await writeFile(path, truncate ? gz.subarray(0, Math.max(10, gz.length - 7)) : gz);
  return path;
}

describe('readCapture under hostile capture files', () => {
  it('skips and reports each bad line with its file and line, and replays only valid messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileLine, { maxLength: 8 }), fc.boolean(), async (body, truncate) => {
        const path = await write(body, truncate);
        const reported: RecordingCorruptError[] = [];
        for await (const e of readCapture(path, { malformed: 'skip', onMalformed: (err) => reported.push(err) }))
          checkMessage(e.event);
        for (const err of reported) {
          expect(err).toBeInstanceOf(RecordingCorruptError);
          expect(err.path).toBe(path);
          expect(err.line).toBeGreaterThanOrEqual(1);
        }
        // stop: the same file either replays or fails with the typed error, nothing else.
        try {
          for await (const e of readCapture(path)) checkMessage(e.event);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(RecordingCorruptError);
        }
        assertPrototypeClean();
      }),
      { numRuns: 40 },
    );
  });
});
