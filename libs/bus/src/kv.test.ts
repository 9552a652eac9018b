import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { isContractViolation, tradingStateKey } from '@bourse/contracts';
import { z } from 'zod';
import { Collector, NATS_URL, testBus } from './test-helpers.js';
import type { LogLine } from './test-helpers.js';
import { removeTestNamespace, testSubjects } from './testing.js';
import type { Bus, Contract, KvChange, TypedKv } from './types.js';

const TradingStateValue = z.object({
  version: z.literal(1),
  state: z.enum(['ACTIVE', 'REDUCING', 'HALTED']),
  reason: z.string(),
  changedBy: z.string(),
});
type TradingStateValue = z.infer<typeof TradingStateValue>;
const TradingStateContract: Contract<typeof TradingStateValue> = {
  name: 'TradingStateValue',
  schema: TradingStateValue,
};

const subjects = testSubjects();
let bus: Bus;
let lines: LogLine[];
let kv: TypedKv<TradingStateValue>;

beforeAll(async () => {
  ({ bus, lines } = await testBus(subjects, 'kv-test'));
  kv = await bus.tradingState(TradingStateContract);
});

afterAll(async () => {
  await bus?.drain();
  await removeTestNamespace(subjects, NATS_URL);
});

const halted: TradingStateValue = { version: 1, state: 'HALTED', reason: 'drift', changedBy: 'reconciler' };
const active: TradingStateValue = { version: 1, state: 'ACTIVE', reason: 'operator resume', changedBy: 'cli' };

describe('trading-state KV', () => {
  it('opens the namespaced bucket and round-trips a typed value', async () => {
    expect(kv.bucket).toBe(subjects.tradingStateBucket);
    const key = tradingStateKey({ kind: 'global' });
    const revision = await kv.put(key, active);
    const got = await kv.get(key);
    expect(got).toEqual({ key, revision, value: active });
    expect(await kv.get(tradingStateKey({ kind: 'instrument', symbol: 'NOPEUSDT' }))).toBeNull();
    // Opening again binds to the same bucket and sees the same value.
    const again = await bus.tradingState(TradingStateContract);
    expect((await again.get(key))?.value).toEqual(active);
  });

  it('refuses to write a value that breaks the schema', async () => {
    const bad = { ...halted, state: 'PAUSED' } as unknown as TradingStateValue;
    const err = await kv.put('global', bad).catch((e: unknown) => e);
    expect(isContractViolation(err)).toBe(true);
  });

  it('rejects an expected-revision write that lost a race', async () => {
    const key = tradingStateKey({ kind: 'strategy', strategyId: 'sma-cross' });
    const rev = await kv.put(key, active);
    await kv.put(key, halted);
    const err = await kv.put(key, active, { expectedRevision: rev }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('BUS_KV_FAILED');
    expect((await kv.get(key))?.value).toEqual(halted);
  });

  it('a watch sees the current value, then every change, and skips invalid values', async () => {
    const key = tradingStateKey({ kind: 'instrument', symbol: 'BTCUSDT' });
    await kv.put(key, active);
    const changes = new Collector<KvChange<TradingStateValue>>();
    const watch = await kv.watch((c) => changes.push(c), { key });
    const [initial] = await changes.until(1);
    expect(initial?.value).toEqual(active);
    expect(initial?.isUpdate).toBe(false);

    // Another process writes garbage, then a valid HALTED, then deletes the key.
    const nc = await connect({ servers: NATS_URL });
    const raw = await new Kvm(nc).open(subjects.tradingStateBucket);
    await raw.put(key, '{"state":"HALTED"');
    await kv.put(key, halted);
    await kv.delete(key);
    const [, halt, gone] = await changes.until(3);
    expect(halt?.value).toEqual(halted);
    expect(halt?.isUpdate).toBe(true);
    expect(gone?.operation).toBe('DEL');
    expect(gone?.value).toBeNull();
    expect(
      lines.some((l) => l.msg === 'invalid KV value skipped' && l.key === key && l.reason === 'malformed_json'),
    ).toBe(true);

    // A reader that finds the garbage gets a typed error, not a crash.
    await raw.put(key, '{"version":1,"state":"MAYBE"}');
    const err = await kv.get(key).catch((e: unknown) => e);
    expect(isContractViolation(err)).toBe(true);
    await watch.stop();
    await nc.close();
  });
});
