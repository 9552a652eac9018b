import { FeedStatus, type FeedState } from '@bourse/contracts';
import { describe, expect, it } from 'vitest';
import { StaleFeedWatch } from './stale-feed.js';
import { gate, limits, ManualClock, T0, VENUE } from './test-support.js';

const BOUND = 15_000;
const bound = () => BOUND;

function status(state: FeedState, changedAt: number, instrument = 'BTC/USDT', venue = VENUE): FeedStatus {
  return FeedStatus.parse({
    v: 1,
    venue,
    instrument,
    state,
    ...(state === 'live' ? {} : { reason: `${state}: no market data for 5000 ms` }),
    changedAt,
  });
}

describe('StaleFeedWatch', () => {
  it('trips once when a stale feed stays not live for longer than the bound, not at the bound itself', () => {
    const watch = new StaleFeedWatch();
    expect(watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('stale', T0), T0)).toBe('started');
    expect(watch.evaluate(T0 + BOUND, bound)).toEqual([]);
    const trips = watch.evaluate(T0 + BOUND + 1, bound);
    expect(trips).toEqual([
      {
        venueSymbol: 'BTCUSDT',
        instrument: 'BTC/USDT',
        notLiveForMs: BOUND + 1,
        haltAfterMs: BOUND,
        reason: expect.stringMatching(
          /^stale feed: market data of BTC\/USDT not live for 15001 ms .*limit 15000 ms.*no market data/,
        ),
      },
    ]);
    expect(watch.evaluate(T0 + BOUND + 5_000, bound)).toEqual([]);
  });

  it('a live before the bound cancels the episode; the next stale starts afresh', () => {
    const watch = new StaleFeedWatch();
    watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('stale', T0), T0);
    expect(watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('live', T0 + 14_000), T0 + 14_000)).toBe('ended');
    expect(watch.evaluate(T0 + 20_000, bound)).toEqual([]);
    watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('stale', T0 + 20_000), T0 + 20_000);
    expect(watch.evaluate(T0 + 20_000 + BOUND, bound)).toEqual([]);
    expect(watch.evaluate(T0 + 20_001 + BOUND, bound)).toHaveLength(1);
  });

  it('a reset keeps a stale episode running but does not start one', () => {
    const watch = new StaleFeedWatch();
    expect(watch.onFeedStatus('ETHUSDT', 'ETH/USDT', status('reset', T0, 'ETH/USDT'), T0)).toBe('ignored');
    expect(watch.evaluate(T0 + 60_000, bound)).toEqual([]);
    watch.onFeedStatus('ETHUSDT', 'ETH/USDT', status('stale', T0 + 60_000, 'ETH/USDT'), T0 + 60_000);
    expect(watch.onFeedStatus('ETHUSDT', 'ETH/USDT', status('reset', T0 + 61_000, 'ETH/USDT'), T0 + 61_000)).toBe(
      'continued',
    );
    // A repeated stale does not move the start either.
    watch.onFeedStatus('ETHUSDT', 'ETH/USDT', status('stale', T0 + 70_000, 'ETH/USDT'), T0 + 70_000);
    expect(watch.staleSince('ETHUSDT')).toBe(T0 + 60_000);
    expect(watch.evaluate(T0 + 60_001 + BOUND, bound).map((t) => t.venueSymbol)).toEqual(['ETHUSDT']);
  });

  it('keeps instruments apart and follows each one its bound (0 = off)', () => {
    const watch = new StaleFeedWatch();
    watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('stale', T0), T0);
    watch.onFeedStatus('ETHUSDT', 'ETH/USDT', status('stale', T0, 'ETH/USDT'), T0);
    const perInstrument = (instrument: string) => (instrument === 'ETH/USDT' ? 0 : BOUND);
    expect(watch.evaluate(T0 + 100_000, perInstrument).map((t) => t.venueSymbol)).toEqual(['BTCUSDT']);
  });

  it('drops a status older than the one it holds (out of order)', () => {
    const watch = new StaleFeedWatch();
    watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('stale', T0 + 10), T0 + 10);
    expect(watch.onFeedStatus('BTCUSDT', 'BTC/USDT', status('live', T0), T0 + 20)).toBe('ignored');
    expect(watch.staleSince('BTCUSDT')).toBe(T0 + 10);
  });
});

describe('RiskGateCore stale feed', () => {
  it('trips the instrument scope by venue symbol from checkKillSwitch, with the configured bound', () => {
    const clock = new ManualClock();
    const core = gate(
      undefined,
      limits({
        defaults: { killSwitch: { staleFeedHaltAfterMs: 1_000 } },
        instruments: { 'ETH/USDT': { killSwitch: { staleFeedHaltAfterMs: 0 } } },
      }),
      clock,
    );
    expect(core.onFeedStatus('BTCUSDT', status('stale', clock.now()))).toBe('started');
    expect(core.onFeedStatus('ETHUSDT', status('stale', clock.now(), 'ETH/USDT'))).toBe('started');
    expect(core.onFeedStatus('XRPUSDT', status('stale', clock.now(), 'XRP/USDT'))).toBe('ignored');
    expect(core.onFeedStatus('BTCUSDT', status('stale', clock.now(), 'BTC/USDT', 'other'))).toBe('ignored');
    clock.advance(1_000);
    expect(core.checkKillSwitch()).toEqual([]);
    clock.advance(1);
    expect(core.checkKillSwitch()).toEqual([
      {
        kind: 'trip-kill-switch',
        scope: { kind: 'instrument', symbol: 'BTCUSDT' },
        trigger: 'stale-feed',
        reason: expect.stringMatching(/^stale feed: market data of BTC\/USDT not live for 1001 ms/),
      },
    ]);
    expect(core.checkKillSwitch()).toEqual([]);
  });

  it('asks again at the next check when the HALTED write failed, marked as a retry', () => {
    const clock = new ManualClock();
    const core = gate(undefined, limits(), clock);
    core.onFeedStatus('BTCUSDT', status('stale', clock.now()));
    clock.advance(15_001);
    const [trip] = core.checkKillSwitch();
    expect(trip).toBeDefined();
    core.killSwitchWriteFailed(trip!);
    expect(core.checkKillSwitch()).toEqual([{ ...trip, retry: true }]);
    expect(core.checkKillSwitch()).toEqual([]);
  });

  it('is on by default (15 s) for a limits file without the killSwitch block', () => {
    const clock = new ManualClock();
    const core = gate(undefined, limits(), clock);
    core.onFeedStatus('BTCUSDT', status('stale', clock.now()));
    clock.advance(15_000);
    expect(core.checkKillSwitch()).toEqual([]);
    clock.advance(1);
    expect(core.checkKillSwitch()).toHaveLength(1);
  });
});
