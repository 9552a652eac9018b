import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BookDelta, BookSnapshot, FeedStatus, Quote, Trade } from '@bourse/contracts';
import { readCapture } from '@bourse/market-feed';
import { runReplay } from '@bourse/cli';
import { NATS_URL, frames, openNamespace, writeCapture, type Namespace } from '@bourse/cli/testing';

// `bourse replay` against the real NATS: a small capture (quotes, trades, a book rebuilt from a REST
// snapshot, a diff, the feed status) replayed to a subscriber of md.> in the test's namespace arrives
// in readCapture's order with readCapture's content, on each kind's subject; a bad line is skipped
// and named by its line number, or stops the replay there.

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);
const AnyMarketData = {
  name: 'MarketData',
  schema: Quote.or(Trade).or(BookSnapshot).or(BookDelta).or(FeedStatus),
};

let dir: string;
let ns: Namespace;
let capture: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bourse-replay-'));
  ns = await openNamespace();
  capture = join(dir, 'binance-capture.ndjson.gz');
  await writeCapture(
    capture,
    T0,
    [
      { t: T0 + 10, frame: frames.quote(100, '49990.00', '50010.00') },
      { t: T0 + 11, frame: frames.trade(7, '50000.01', '0.25', T0 + 5) },
      { t: T0 + 20, frame: frames.depth(11, 12, [['49990.00', '1.0']], [], T0 + 19) },
      {
        t: T0 + 30,
        depth: '{"lastUpdateId":11,"bids":[["49990.00","3"],["49980.00","1"]],"asks":[["50010.00","2"]]}',
      },
      {
        t: T0 + 40,
        frame: frames.depth(
          13,
          13,
          [],
          [
            ['50010.00', '0'],
            ['50020.00', '1'],
          ],
          T0 + 39,
        ),
      },
      { t: T0 + 55, frame: frames.trade(8, '50020.00', '0.5', T0 + 50) },
      { t: T0 + 60, frame: frames.quote(101, '50000.00', '50020.00') },
    ],
    // Line 5 (after the third frame line) is not JSON.
    [{ after: 2, text: '{"t": 1, "conn": 1, "fra' }],
  );
}, 30_000);

afterAll(async () => {
  await ns?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Received {
  readonly subject: string;
  readonly message: unknown;
}

async function subscribeAll(): Promise<{
  received: Received[];
  waitForCount(n: number): Promise<void>;
  stop(): Promise<void>;
}> {
  const received: Received[] = [];
  let wake: (() => void) | undefined;
  const sub = ns.bus.subscribe(ns.subjects.md.all(), AnyMarketData, (message, meta) => {
    received.push({ subject: meta.subject, message });
    wake?.();
  });
  await ns.bus.flush(); // the subscription is on the server before anything is published
  return {
    received,
    waitForCount: (n) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${n} messages`)), 10_000);
        const check = () => {
          if (received.length < n) return;
          clearTimeout(timer);
          resolve();
        };
        wake = check;
        check();
      }),
    stop: () => sub.unsubscribe(),
  };
}

function subjectOf(kind: string): string {
  const md = ns.subjects.md;
  const by: Record<string, (v: string, s: string) => string> = {
    quote: md.quote,
    trade: md.trade,
    book: md.book,
    bookdelta: md.bookDelta,
    status: md.feedStatus,
  };
  return by[kind]!('binance', 'BTCUSDT');
}

describe('bourse replay', () => {
  it("publishes readCapture's events in order on their md.* subjects, skipping a bad line by number", async () => {
    const expected: Received[] = [];
    for await (const { event } of readCapture(capture, { malformed: 'skip' }))
      expected.push({ subject: subjectOf(event.kind), message: event.message });
    // What the capture holds: first quote, live, trade, the rebuilt book, a delta, trade, quote.
    expect(expected.map((e) => e.subject.split('.').pop())).toEqual([
      'quote',
      'status',
      'trade',
      'book',
      'bookdelta',
      'trade',
      'quote',
    ]);

    const sub = await subscribeAll();
    const log: string[] = [];
    const out: string[] = [];
    const code = await runReplay({
      paths: [capture],
      speed: 'max',
      namespace: ns.subjects.prefix,
      natsUrl: NATS_URL,
      badLines: 'skip',
      log: (l) => log.push(l),
      out: (l) => out.push(l),
    });
    expect(code).toBe(0);
    await sub.waitForCount(expected.length);
    await sub.stop();
    expect(sub.received).toEqual(expected);
    expect(log.some((l) => l.includes(`${capture} line 5`))).toBe(true);
    expect(out[0]).toContain('replayed 7 events (2 quotes, 2 trades, 1 books, 1 book deltas, 1 feed statuses)');
    expect(out[0]).toContain('1 bad line(s) skipped');
  }, 30_000);

  it('with --bad-lines stop, stops at the bad line (exit 1, naming it) after publishing what came before', async () => {
    const sub = await subscribeAll();
    const log: string[] = [];
    const code = await runReplay({
      paths: [capture],
      speed: 'max',
      namespace: ns.subjects.prefix,
      natsUrl: NATS_URL,
      badLines: 'stop',
      log: (l) => log.push(l),
      out: () => undefined,
    });
    expect(code).toBe(1);
    expect(log.at(-1)).toContain(`recording ${capture} line 5`);
    // Before line 5: the quote, its live status and the trade (the buffered diff published nothing).
    await sub.waitForCount(3);
    // A later message would have to overtake the flush the replay ended with: none is in flight.
    await ns.bus.flush();
    await sub.stop();
    expect(sub.received.map((r) => r.subject.split('.').pop())).toEqual(['quote', 'status', 'trade']);
  }, 30_000);

  it('paces events by receive time over the speed (the 50 ms capture at 0.5x takes at least 100 ms)', async () => {
    const sub = await subscribeAll();
    const started = performance.now();
    const code = await runReplay({
      paths: [capture],
      speed: 0.5,
      namespace: ns.subjects.prefix,
      natsUrl: NATS_URL,
      badLines: 'skip',
      log: () => undefined,
      out: () => undefined,
    });
    const elapsed = performance.now() - started;
    expect(code).toBe(0);
    // First event at T0+10, last at T0+60: 50 ms of capture time, 100 ms at half speed.
    expect(elapsed).toBeGreaterThanOrEqual(100);
    await sub.waitForCount(7);
    await sub.stop();
  }, 30_000);
});
