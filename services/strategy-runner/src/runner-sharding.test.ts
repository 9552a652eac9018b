import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerEvent } from './runner.js';
import { makeRunner, startHarness, until, type Harness, type TestRunner } from './test-support.js';

// Two (then three) runners in one namespace share four instruments through the lease bucket. The
// test records ownership from the runners' own events and checks, at every acquisition, that no
// other runner held the instrument at that moment: no instrument runs twice.

const TTL_MS = 1_500;
const RENEW_MS = 250;
const MARGIN_MS = 400;
/** Takeover after a crash is bounded by TTL + renew interval; the rest is scheduling slack. */
const CRASH_TAKEOVER_TIMEOUT_MS = TTL_MS + RENEW_MS + 2_000;
const CLEAN_TAKEOVER_TIMEOUT_MS = 2 * RENEW_MS + 2_000;

const yaml = `
strategies:
  - name: sma-cross
    id: sma-shard
    version: 1.0.0
    venue: binance
    instruments: [BTC/USDT, ETH/USDT, SOL/USDT, XRP/USDT]
    params: { fast: 2, slow: 3, timeframe: 1m, sizing: { kind: qty, qty: "1" } }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('sharding instruments across runner replicas', () => {
  it('splits four instruments 2+2 and hands them all to the survivor on a clean stop and on a crash', async () => {
    const owners = new Map<string, string>();
    const violations: string[] = [];
    const track = (name: string, r: TestRunner) =>
      r.runner.onEvent((e: RunnerEvent) => {
        if (e.type === 'acquired') {
          const held = owners.get(e.instrument.symbol);
          if (held !== undefined) violations.push(`${e.instrument.symbol} acquired by ${name} while ${held} held it`);
          owners.set(e.instrument.symbol, name);
        } else if (e.type === 'lost' && owners.get(e.instrument.symbol) === name) {
          owners.delete(e.instrument.symbol);
        }
      });
    const setup = { strategiesYaml: yaml, leaseTtlMs: TTL_MS, leaseRenewMs: RENEW_MS, leaseMarginMs: MARGIN_MS };
    const a = await makeRunner(h, { ...setup, replicaId: 'runner-a' });
    const b = await makeRunner(h, { ...setup, replicaId: 'runner-b' });
    track('a', a);
    track('b', b);
    const owned = (r: TestRunner) =>
      r.runner
        .ownedInstruments()
        .map((i) => i.symbol)
        .sort();

    await Promise.all([a.runner.start(), b.runner.start()]);
    await until([a, b], () => owned(a).length === 2 && owned(b).length === 2, 10_000, 'a 2+2 split');
    expect([...owned(a), ...owned(b)].sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']);

    await b.runner.stop();
    expect(owned(b)).toEqual([]);
    await until([a], () => owned(a).length === 4, CLEAN_TAKEOVER_TIMEOUT_MS, 'a to take all four after b stopped');

    const c = await makeRunner(h, { ...setup, replicaId: 'runner-c' });
    track('c', c);
    await c.runner.start();
    await until([a, c], () => owned(a).length === 2 && owned(c).length === 2, 10_000, 'a 2+2 split with c');
    expect([...owned(a), ...owned(c)].sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']);

    // A crash: c stops renewing and gives nothing back; its leases must expire first.
    const crashedHeld = owned(c);
    await c.runner.abandon();
    await until([a], () => owned(a).length === 4, CRASH_TAKEOVER_TIMEOUT_MS, 'a to take all four after c crashed');
    const retaken = a.events.filter(
      (e): e is Extract<RunnerEvent, { type: 'acquired' }> =>
        e.type === 'acquired' && crashedHeld.includes(e.instrument.symbol),
    );
    expect(retaken.length).toBeGreaterThanOrEqual(2);
    expect(violations).toEqual([]);
    expect(a.runner.takeoverBoundMs).toBe(TTL_MS + RENEW_MS);
    await a.runner.stop();
  });
});
