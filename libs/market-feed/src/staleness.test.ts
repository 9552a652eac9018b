import { describe, it, expect } from 'vitest';
import { FeedStatus, InstrumentSymbol } from '@bourse/contracts';
import { isMarketDataError } from './errors.js';
import type { FeedTransition } from './types.js';
import { FeedMonitor } from './staleness.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const ETH = InstrumentSymbol.parse('ETH/USDT');
const T0 = 1_700_000_000_000;

function monitor(staleAfterMs = 1_000): FeedMonitor {
  return new FeedMonitor({
    venue: 'binance',
    instruments: [
      { instrument: BTC, venueSymbol: 'BTCUSDT' },
      { instrument: ETH, venueSymbol: 'ETHUSDT' },
    ],
    staleAfterMs,
    startedAt: T0,
  });
}

const states = (ts: FeedTransition[]) => ts.map((t) => `${t.venueSymbol}:${t.status.state}:${t.cause}`);

describe('FeedMonitor', () => {
  it('goes live on the first data and emits valid FeedStatus messages', () => {
    const m = monitor();
    const first = m.onData(BTC, T0 + 10);
    expect(states(first)).toEqual(['BTCUSDT:live:first-data']);
    expect(FeedStatus.safeParse(first[0]?.status).success).toBe(true);
    expect(first[0]?.status.lastMessageAt).toBe(T0 + 10);
    expect(m.onData(BTC, T0 + 20)).toEqual([]);
  });

  it('yields stale once per episode, and live again when data resumes', () => {
    const m = monitor(1_000);
    m.onData(BTC, T0);
    m.onData(ETH, T0 + 900);
    expect(m.check(T0 + 999)).toEqual([]);
    const stale = m.check(T0 + 1_000);
    expect(states(stale)).toEqual(['BTCUSDT:stale:silence']);
    expect(stale[0]?.status.reason).toMatch(/no market data for 1000 ms/);
    expect(FeedStatus.safeParse(stale[0]?.status).success).toBe(true);
    // Same episode: nothing more for BTC, however often we check.
    expect(states(m.check(T0 + 1_500))).toEqual([]);
    expect(states(m.check(T0 + 5_000))).toEqual(['ETHUSDT:stale:silence']);
    expect(m.check(T0 + 9_000)).toEqual([]);
    expect(states(m.onData(BTC, T0 + 9_100))).toEqual(['BTCUSDT:live:resumed']);
    // A new episode starts from the last message.
    expect(m.check(T0 + 10_000)).toEqual([]);
    expect(states(m.check(T0 + 10_100))).toEqual(['BTCUSDT:stale:silence']);
  });

  it('an instrument that never receives anything goes stale one interval after start', () => {
    const m = monitor(500);
    expect(m.check(T0 + 499)).toEqual([]);
    const out = m.check(T0 + 500);
    expect(states(out)).toEqual(['BTCUSDT:stale:silence', 'ETHUSDT:stale:silence']);
    expect(out[0]?.from).toBe('starting');
    expect(out[0]?.status.reason).toMatch(/since start/);
  });

  it('a dropped connection resets every instrument once; data after it brings each back to live', () => {
    const m = monitor();
    m.onData(BTC, T0);
    const reset = m.onConnection({ kind: 'connection', state: 'reconnecting', reason: 'closed 1006', time: T0 + 50 });
    expect(states(reset)).toEqual(['BTCUSDT:reset:reconnect', 'ETHUSDT:reset:reconnect']);
    expect(reset[0]?.status.reason).toBe('connection lost: closed 1006');
    expect(FeedStatus.safeParse(reset[0]?.status).success).toBe(true);
    // Still down: no second reset.
    expect(m.onConnection({ kind: 'connection', state: 'reconnecting', time: T0 + 60 })).toEqual([]);
    expect(m.onConnection({ kind: 'connection', state: 'open', reason: 'reconnect', time: T0 + 70 })).toEqual([]);
    expect(states(m.onData(BTC, T0 + 80))).toEqual(['BTCUSDT:live:resumed']);
    expect(m.view(ETH)?.state).toBe('reset');
  });

  it('a reset restarts the silence clock, so a quiet feed is not stale the moment it resets', () => {
    const m = monitor(1_000);
    m.onData(BTC, T0);
    m.onConnection({ kind: 'connection', state: 'reconnecting', time: T0 + 900 });
    expect(m.check(T0 + 1_500).filter((t) => t.instrument === BTC)).toEqual([]);
    expect(states(m.check(T0 + 1_900).filter((t) => t.instrument === BTC))).toEqual(['BTCUSDT:stale:silence']);
  });

  it('the first open and a planned rotation are not resets', () => {
    const m = monitor();
    expect(m.onConnection({ kind: 'connection', state: 'connecting', time: T0 })).toEqual([]);
    expect(m.onConnection({ kind: 'connection', state: 'open', reason: 'first', time: T0 })).toEqual([]);
    expect(m.onConnection({ kind: 'connection', state: 'open', reason: 'rotation', time: T0 + 1 })).toEqual([]);
  });

  it('a book gap resets until the adapter reports the book rebuilt, even while quotes flow', () => {
    const m = monitor();
    m.onData(BTC, T0);
    const gap = m.onVenueStatus({
      v: 1,
      venue: 'binance',
      instrument: BTC,
      state: 'reset',
      reason: 'sequence gap: expected U=5, got 7',
      changedAt: T0 + 10,
    });
    expect(states(gap)).toEqual(['BTCUSDT:reset:gap']);
    expect(gap[0]?.status.reason).toBe('sequence gap: expected U=5, got 7');
    expect(m.onData(BTC, T0 + 20)).toEqual([]);
    expect(m.view(BTC)?.bookResyncing).toBe(true);
    const rebuilt = m.onVenueStatus({ v: 1, venue: 'binance', instrument: BTC, state: 'live', changedAt: T0 + 30 });
    expect(states(rebuilt)).toEqual(['BTCUSDT:live:resumed']);
  });

  it("the adapter's live before any new data does not end a reconnect reset; the data does", () => {
    const m = monitor();
    m.onData(BTC, T0);
    m.onConnection({ kind: 'connection', state: 'reconnecting', time: T0 + 10 });
    expect(m.onVenueStatus({ v: 1, venue: 'binance', instrument: BTC, state: 'live', changedAt: T0 + 20 })).toEqual([]);
    expect(states(m.onData(BTC, T0 + 21))).toEqual(['BTCUSDT:live:resumed']);
  });

  it("ignores the adapter's stale (the connection event covers it) and unknown instruments", () => {
    const m = monitor();
    m.onData(BTC, T0);
    expect(
      m.onVenueStatus({ v: 1, venue: 'binance', instrument: BTC, state: 'stale', reason: 'x', changedAt: T0 + 1 }),
    ).toEqual([]);
    expect(m.onData(InstrumentSymbol.parse('SOL/USDT'), T0)).toEqual([]);
  });

  it('a silent feed during a book rebuild goes stale, and data then reports the rebuild as reset', () => {
    const m = monitor(1_000);
    m.onData(BTC, T0);
    m.onVenueStatus({ v: 1, venue: 'binance', instrument: BTC, state: 'reset', reason: 'gap', changedAt: T0 });
    expect(states(m.check(T0 + 1_000).filter((t) => t.instrument === BTC))).toEqual(['BTCUSDT:stale:silence']);
    expect(states(m.onData(BTC, T0 + 1_100))).toEqual(['BTCUSDT:reset:gap']);
  });

  it('refuses a non-positive interval with a typed error', () => {
    expect(() => monitor(0)).toThrow(/staleAfterMs/);
    try {
      monitor(-1);
    } catch (err) {
      expect(isMarketDataError(err)).toBe(true);
    }
  });
});
