import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryStateStore, defineStrategy } from '@bourse/strategy';
import { Trade } from '@bourse/contracts';
import { openKvLeaseStore } from './leases/kv-lease-store.js';
import { leaseBucketName, leaseUnit, unitLeaseUnit } from './leases/lease-store.js';
import type { RunnerEvent } from './runner.js';
import { barBase, makeRunner, startHarness, trade, until, type Harness, type TestRunner } from './test-support.js';

// A strategy that trades BTC/USDT and ETH/USDT as one unit, next to a per-instrument strategy on
// SOL/USDT, on two runners: the unit is ONE lease (`unit.<id>`, no lease per leg), runs as one instance
// on the runner holding it, publishes intents for both legs, and is taken over whole on a clean stop
// and on a crash.

const TradeContract = { name: 'Trade', schema: Trade };
const TTL_MS = 1_500;
const RENEW_MS = 250;
const MARGIN_MS = 400;

/** One decision per window both legs closed: BUY the first leg, SELL the second; counts in its state. */
const pair = defineStrategy({
  name: 'pair-test',
  version: '1.0.0',
  unit: { minInstruments: 2, maxInstruments: 2 },
  params: z.strictObject({}),
  timeframes: ['1s'],
  evaluation: { mode: 'event', throttleMs: 0 },
  create(_p, setup) {
    const [a, b] = setup.instruments as [string, string];
    return {
      onBars(window, ctx) {
        const n = String(Number(ctx.state['n'] ?? '0') + 1);
        const inputs = { t: String(window.openTime), n };
        return {
          intents: [
            { instrument: a, side: 'BUY', qty: '0.01', style: 'market', inputs },
            { instrument: b, side: 'SELL', qty: '0.1', style: 'market', inputs },
          ],
          state: { n },
        };
      },
    };
  },
});

const yaml = `
strategies:
  - name: pair-test
    id: pair-u
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT, ETH/USDT]
  - name: sma-cross
    id: sma-u
    version: 1.0.0
    venue: binance
    instruments: [SOL/USDT]
    params: { fast: 2, slow: 3, timeframe: 1s, sizing: { kind: qty, qty: "1" } }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

// One store for every runner of the test: a unit's state follows its lease.
const stateStore = new MemoryStateStore();
const setup = {
  stateStore,
  strategiesYaml: yaml,
  definitions: { 'pair-test': pair },
  leaseTtlMs: TTL_MS,
  leaseRenewMs: RENEW_MS,
  leaseMarginMs: MARGIN_MS,
};

/** Trades of both legs for bars `from`..`from + n - 1` (1 s, aligned at `base`), then one more to close the last. */
function legTrades(base: number, from: number, n: number): void {
  for (let i = from; i <= from + n; i++) {
    for (const [venueSymbol, symbol, price] of [
      ['BTCUSDT', 'BTC/USDT', '100'],
      ['ETHUSDT', 'ETH/USDT', '10'],
    ] as const) {
      h.bus.publish(h.subjects.md.trade('binance', venueSymbol), TradeContract, {
        ...trade(symbol, price, base + i * 1000 + 1, i),
        receivedAt: Date.now(),
      });
    }
  }
}

const publishedBy =
  (strategyId: string) =>
  (e: RunnerEvent): e is Extract<RunnerEvent, { type: 'published' }> =>
    e.type === 'published' && e.intent.strategyId === strategyId;

describe('a unit strategy across runner replicas', () => {
  it('is one lease, runs as one instance publishing both legs, and is taken over whole on stop and crash', async () => {
    await h.setMode('ACTIVE');
    const leases = await openKvLeaseStore({ nc: h.nc, bucket: leaseBucketName(h.subjects), ttlMs: TTL_MS });
    const a = await makeRunner(h, { ...setup, replicaId: 'runner-a' });
    const b = await makeRunner(h, { ...setup, replicaId: 'runner-b' });
    const holders = (r: TestRunner) => r.runner.ownedUnits();
    await a.runner.start();
    await until(
      [a],
      () => holders(a).length === 1 && a.runner.ownedInstruments().length === 1,
      10_000,
      'a to hold all',
    );
    expect(holders(a)).toEqual(['pair-u']);
    expect(a.runner.ownedInstruments().map((i) => i.symbol)).toEqual(['SOL/USDT']);
    // One key for the unit; none for its legs (SOL's own lease is the per-instrument strategy's).
    expect((await leases.read(unitLeaseUnit('pair-u')))?.value?.holder).toBe('runner-a');
    expect(await leases.read(leaseUnit('binance', 'BTCUSDT'))).toBeNull();
    expect(await leases.read(leaseUnit('binance', 'ETHUSDT'))).toBeNull();
    expect((await leases.read(leaseUnit('binance', 'SOLUSDT')))?.value?.holder).toBe('runner-a');

    const base = barBase();
    legTrades(base, 0, 2);
    const first = await a.waitFor(publishedBy('pair-u'), 10_000, 'the unit to publish');
    await until([a], () => a.events.filter(publishedBy('pair-u')).length >= 2, 10_000, 'both legs');
    const legs = a.events.filter(publishedBy('pair-u')).map((e) => `${e.intent.instrument} ${e.intent.side}`);
    expect(legs.slice(0, 2)).toEqual(['BTC/USDT BUY', 'ETH/USDT SELL']);
    expect(first.intent.inputs['t']).toBeDefined();

    // b joins: two leases, one each at most (fair share 1): the unit and SOL are never split by leg.
    await b.runner.start();
    await until([a, b], () => holders(a).length + holders(b).length === 1, 10_000, 'the unit held once');
    // A clean stop of whoever holds the unit: the other takes it over whole.
    const [holder, other] = holders(a).length === 1 ? [a, b] : [b, a];
    await holder.runner.stop();
    await until([other], () => holders(other).length === 1, 2 * RENEW_MS + 2_000, 'the unit taken over on stop');
    expect((await leases.read(unitLeaseUnit('pair-u')))?.value?.holder).toBe(other === a ? 'runner-a' : 'runner-b');
    const before = other.events.filter(publishedBy('pair-u')).length;
    const key = { strategyId: 'pair-u', venue: 'binance', symbol: 'BTC/USDT' };
    const saved = Number((stateStore.peek(key)?.state as Record<string, string> | undefined)?.['n']);
    expect(saved).toBeGreaterThanOrEqual(1);
    legTrades(base, 10, 2);
    await until(
      [other],
      () => other.events.filter(publishedBy('pair-u')).length >= before + 2,
      10_000,
      'the new holder to publish',
    );
    const after = other.events
      .filter(publishedBy('pair-u'))
      .slice(before)
      .map((e) => e.intent.instrument);
    expect(new Set(after)).toEqual(new Set(['BTC/USDT', 'ETH/USDT']));

    // A crash of the holder: its lease expires, then a fresh runner takes the unit whole.
    const c = await makeRunner(h, { ...setup, replicaId: 'runner-c' });
    await c.runner.start();
    await other.runner.abandon();
    await until([c], () => holders(c).length === 1, TTL_MS + RENEW_MS + 2_000, 'the unit taken over after a crash');
    expect(c.events.filter((e) => e.type === 'acquired' && e.unit === 'pair-u')).toHaveLength(1);
    await c.runner.stop();
  });
});
