import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BookDelta,
  BookSnapshot,
  DECIMAL_PATTERN,
  FeedStatus,
  FillEvent,
  OrderStatusUpdate,
  Quote,
  Trade,
} from '@bourse/contracts';
import { FUZZ_RUNS, assertPrototypeClean, hostileInputs, hostileTexts } from '@bourse/contracts/testing';
import { InstrumentRegistry } from '@bourse/domain';
import type { MarketDataEvent, UserDataEvent } from '@bourse/venues';
import { createBinanceMetrics } from './common/metrics.js';
import { ExchangeInfo, UserDataStreamEvent } from './common/models.js';
import { parseExchangeInfoInstruments } from './common/parse.js';
import { BinanceMarketDecoder } from './ws/market-decoder.js';
import { UserDataDispatcher } from './ws/user-data-feed.js';

// Hostile venue frames through the parsers the live feeds and replays use: nothing throws, every
// event that comes out satisfies its contract, and every frame that yields nothing is counted.

const fixture = <T = unknown>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8')) as T;
const registry = new InstrumentRegistry(
  'binance',
  parseExchangeInfoInstruments(ExchangeInfo.parse(fixture('exchange-info.json')), 'binance').specs,
);

const depth = fixture<{ events: Record<string, unknown>[] }>('depth-diffs.json').events;
const marketFrames: unknown[] = [
  {
    stream: 'btcusdt@trade',
    data: {
      e: 'trade',
      E: 1_700_000_000_001,
      s: 'BTCUSDT',
      t: 12,
      p: '64000.10',
      q: '0.002',
      T: 1_700_000_000_000,
      m: true,
    },
  },
  {
    stream: 'btcusdt@bookTicker',
    data: { u: 400900217, s: 'BTCUSDT', b: '64000.10', B: '0.5', a: '64000.20', A: '1.25' },
  },
  ...depth.map((data) => ({ stream: 'bnbbtc@depth@100ms', data })),
];

function checkMarketEvent(event: MarketDataEvent): void {
  switch (event.kind) {
    case 'trade':
      expect(Trade.safeParse(event.trade).success).toBe(true);
      return;
    case 'quote':
      expect(Quote.safeParse(event.quote).success).toBe(true);
      return;
    case 'book-delta':
      expect(BookDelta.safeParse(event.delta).success).toBe(true);
      return;
    case 'book-snapshot':
      expect(BookSnapshot.safeParse(event.snapshot).success).toBe(true);
      return;
    case 'feed-status':
      expect(FeedStatus.safeParse(event.status).success).toBe(true);
      return;
    case 'connection':
      return;
  }
}

describe('market stream frames under hostile input', () => {
  it('never throws, emits only valid events, and accounts for every frame', () => {
    fc.assert(
      fc.property(fc.array(hostileTexts(marketFrames), { minLength: 1, maxLength: 8 }), (texts) => {
        const dropped: string[] = [];
        const emitted: MarketDataEvent[] = [];
        let snapshotsAsked = 0;
        const decoder = new BinanceMarketDecoder({
          registry: () => registry,
          venue: 'binance',
          bookLevels: 5,
          emit: (e) => emitted.push(e),
          needSnapshot: () => (snapshotsAsked += 1),
          drop: (reason) => dropped.push(reason),
          booksOnDemand: true,
        });
        let accounted = 0;
        for (const text of texts) {
          const before = emitted.length + dropped.length + snapshotsAsked;
          const control = decoder.decodeFrame(text, 1_700_000_000_100);
          const after = emitted.length + dropped.length + snapshotsAsked;
          // Each frame is an event, a drop with a reason, a snapshot request, or handed back as a control frame.
          if (control !== undefined || after > before) accounted += 1;
          else {
            // A depth diff that only extends the buffered book before its snapshot is the one silent case.
            expect(text).toContain('@depth');
            accounted += 1;
          }
        }
        expect(accounted).toBe(texts.length);
        emitted.forEach(checkMarketEvent);
        for (const r of dropped) expect(r).toMatch(/^[a-z-]+$/);
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

const userEvents = Object.entries(fixture<Record<string, unknown>>('user-data-events.json'))
  .filter(([k]) => k !== 'comment')
  .map(([, v]) => (v as { event: Record<string, unknown> }).event);

function checkUserEvent(event: UserDataEvent): void {
  switch (event.kind) {
    case 'order':
      expect(OrderStatusUpdate.safeParse(event.update).success).toBe(true);
      if (event.fill !== undefined) expect(FillEvent.safeParse(event.fill).success).toBe(true);
      return;
    case 'balances':
      for (const b of event.balances) {
        expect(b.free).toMatch(DECIMAL_PATTERN);
        expect(b.locked).toMatch(DECIMAL_PATTERN);
      }
      return;
    case 'balance-delta':
      expect(event.delta).toMatch(DECIMAL_PATTERN);
      return;
  }
}

async function droppedFrames(metrics: ReturnType<typeof createBinanceMetrics>): Promise<number> {
  const data = await metrics.droppedFrames.get();
  return data.values.reduce((sum, v) => sum + v.value, 0);
}

describe('user-data events under hostile input', () => {
  it('never throws, emits only valid events, and counts every event it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(hostileInputs(userEvents), async (raw) => {
        const metrics = createBinanceMetrics();
        const got: UserDataEvent[] = [];
        const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
        const noop = (): void => {};
        const logger = {
          debug: noop,
          info: noop,
          error: noop,
          warn: (obj: object, msg?: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
        };
        const dispatcher = new UserDataDispatcher({ registry: () => registry, venue: 'binance', metrics, logger });
        dispatcher.on((e) => got.push(e));
        const event = (raw !== null && typeof raw === 'object' ? raw : { e: raw }) as { e: string } & Record<
          string,
          unknown
        >;
        const result = dispatcher.handle(event, 'user-data');
        got.forEach(checkUserEvent);
        const parsed = UserDataStreamEvent.safeParse(event);
        const ended =
          parsed.success && (parsed.data.e === 'eventStreamTerminated' || parsed.data.e === 'listenKeyExpired');
        expect(result).toBe(ended ? 'ended' : 'ok');
        // Neither delivered nor an end of stream: it was refused, and the refusal is counted.
        if (got.length === 0 && !ended) expect(await droppedFrames(metrics)).toBe(1);
        if (!parsed.success) {
          // The log line names what was wrong: the path of each bad field.
          const line = warnings.find((w) => w.msg === 'dropped a malformed user data event');
          const issues = line?.obj['issues'] as string[] | undefined;
          expect(issues?.length).toBeGreaterThan(0);
          expect(issues?.[0]).toMatch(/^[^:]+: /);
        }
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
