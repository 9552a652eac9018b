import { describe, expect, it } from 'vitest';
import { createSubjects } from '@bourse/contracts';
import { InvalidSpeedError, ReplayClock, parseSpeed, replay, type ReplayEvent, type ReplaySpeed } from './replay.js';

// The replay core on a hand-driven monotonic clock: when each event goes out, on which subject, and
// what the replay clock reads. No server, no timer.

const subjects = createSubjects('');
const ev = (receivedAt: number, kind: ReplayEvent['event']['kind']): ReplayEvent => ({
  receivedAt,
  event: { kind, venue: 'binance', venueSymbol: 'BTCUSDT', message: { at: receivedAt } },
});

async function* from(events: ReplayEvent[]): AsyncGenerator<ReplayEvent> {
  yield* events;
}

async function run(speed: ReplaySpeed, events: ReplayEvent[], publishCost = 0) {
  let mono = 1_000;
  const monoClock = { now: () => mono };
  const clock = new ReplayClock(monoClock, speed);
  const sent: { subject: string; at: number; captureNow: number | undefined }[] = [];
  const summary = await replay(from(events), {
    subjects,
    clock,
    mono: monoClock,
    wait: async (ms) => {
      mono += ms;
    },
    publish: (subject) => {
      sent.push({ subject, at: mono, captureNow: speed === 'max' ? undefined : clock.now() });
      mono += publishCost;
    },
  });
  return { sent, summary };
}

describe('replay', () => {
  it('publishes each event on its subject when (receivedAt − first) / speed has passed', async () => {
    const { sent, summary } = await run(10, [
      ev(5_000, 'quote'),
      ev(5_000, 'status'),
      ev(5_100, 'trade'),
      ev(6_000, 'book'),
      ev(6_000, 'bookdelta'),
    ]);
    expect(sent.map((s) => [s.subject, s.at - 1_000])).toEqual([
      ['md.binance.BTCUSDT.quote', 0],
      ['md.binance.BTCUSDT.status', 0],
      ['md.binance.BTCUSDT.trade', 10],
      ['md.binance.BTCUSDT.book', 100],
      ['md.binance.BTCUSDT.bookdelta', 100],
    ]);
    // The replay clock reads each event's capture time as it goes out.
    expect(sent.map((s) => s.captureNow)).toEqual([5_000, 5_000, 5_100, 6_000, 6_000]);
    expect(summary).toEqual({
      published: 5,
      byKind: { quote: 1, trade: 1, book: 1, bookdelta: 1, status: 1 },
      firstReceivedAt: 5_000,
      lastReceivedAt: 6_000,
    });
  });

  it('a slow publisher catches up: late events go at once, later ones keep their own due times', async () => {
    // Each publish takes 30 ms; events are due every 10 ms at 1x, then one at +100.
    const { sent } = await run(1, [ev(0, 'trade'), ev(10, 'trade'), ev(20, 'trade'), ev(100, 'trade')], 30);
    expect(sent.map((s) => s.at - 1_000)).toEqual([0, 30, 60, 100]);
  });

  it('max: no waiting at all', async () => {
    const { sent } = await run('max', [ev(0, 'trade'), ev(60_000, 'trade')]);
    expect(sent.map((s) => s.at)).toEqual([1_000, 1_000]);
  });

  it('parses 10x, 10, 0.5x and max; refuses 0, -1, x and 10y naming --speed', () => {
    expect([parseSpeed('10x'), parseSpeed('10'), parseSpeed('0.5x'), parseSpeed('max')]).toEqual([10, 10, 0.5, 'max']);
    for (const bad of ['0', '0x', '-1', 'x', '10y', '']) {
      expect(() => parseSpeed(bad)).toThrow(InvalidSpeedError);
      expect(() => parseSpeed(bad)).toThrow(/--speed/);
    }
  });
});
