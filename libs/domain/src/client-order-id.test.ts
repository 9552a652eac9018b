import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ClientOrderId } from '@bourse/contracts';
import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  ClientOrderIdGenerator,
  STRATEGY_ID_AND_VERSION_MAX_LENGTH,
  makeInstanceTag,
  parseClientOrderId,
} from './client-order-id.js';
import { InvalidArgumentError, InvalidClientOrderIdError } from './errors.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function fixedClock(start: number) {
  let now = start;
  return { clock: () => now, set: (ms: number) => (now = ms) };
}

describe('ClientOrderIdGenerator', () => {
  it('makes ids within the venue rule that parse back to strategy id and version', () => {
    const { clock } = fixedClock(T0);
    const gen = new ClientOrderIdGenerator({ instanceTag: makeInstanceTag(3, 1000), clock });
    const id = gen.next('momentum-btc', 'v2.1');
    expect(ClientOrderId.safeParse(id).success).toBe(true);
    expect(id.startsWith('momentum-btc:v2.1:03rs')).toBe(true);
    const parsed = parseClientOrderId(id);
    expect(parsed).toEqual({
      ok: true,
      value: { strategyId: 'momentum-btc', strategyVersion: 'v2.1', instanceTag: '03rs', timeMs: T0, seq: 0 },
    });
  });

  it('never repeats within an instance: bursts past the per-ms budget and a clock that goes back', () => {
    const c = fixedClock(T0);
    const gen = new ClientOrderIdGenerator({ instanceTag: 'ab12', clock: c.clock });
    const seen = new Set<string>();
    for (let i = 0; i < 36 ** 3 + 10; i++) seen.add(gen.next('s', '1'));
    c.set(T0 - 5_000); // NTP step back
    for (let i = 0; i < 100; i++) seen.add(gen.next('s', '1'));
    expect(seen.size).toBe(36 ** 3 + 110);
    const last = parseClientOrderId([...seen].at(-1)!);
    expect(last.ok && last.value.timeMs).toBe(T0 + 1);
  });

  it('does not collide across replicas sharing a clock, nor across a restart that resumes from the journal', () => {
    const c = fixedClock(T0);
    const a = new ClientOrderIdGenerator({ instanceTag: makeInstanceTag(0, 7), clock: c.clock });
    const b = new ClientOrderIdGenerator({ instanceTag: makeInstanceTag(1, 7), clock: c.clock });
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      ids.add(a.next('mm', '1'));
      ids.add(b.next('mm', '1'));
    }
    expect(ids.size).toBe(2000);
    const lastA = parseClientOrderId([...ids].at(-2)!);
    expect(lastA.ok).toBe(true);
    // Restarted with the same tag and a clock behind the last issued time.
    const restarted = new ClientOrderIdGenerator({
      instanceTag: makeInstanceTag(0, 7),
      clock: () => T0 - 1,
      resumeAfterMs: lastA.ok ? lastA.value.timeMs : 0,
    });
    for (let i = 0; i < 1000; i++) expect(ids.has(restarted.next('mm', '1'))).toBe(false);
  });

  it('refuses strategy ids and versions that do not fit, and bad tags or clocks', () => {
    const gen = new ClientOrderIdGenerator({ instanceTag: '0000', clock: () => T0 });
    const longest = 'a'.repeat(STRATEGY_ID_AND_VERSION_MAX_LENGTH - 1);
    expect(gen.next(longest, '1')).toHaveLength(CLIENT_ORDER_ID_MAX_LENGTH);
    expect(() => gen.next(`${longest}b`, '1')).toThrow(InvalidClientOrderIdError);
    expect(() => gen.next('Bad', '1')).toThrow(/strategy id/);
    expect(() => gen.next('ok', 'v:1')).toThrow(/version/);
    expect(() => new ClientOrderIdGenerator({ instanceTag: 'ABCD', clock: () => T0 })).toThrow(InvalidArgumentError);
    expect(() => new ClientOrderIdGenerator({ instanceTag: 'abcd', clock: () => 1.5 }).next('s', '1')).toThrow(
      /clock reading/,
    );
    expect(() => makeInstanceTag(1296, 0)).toThrow(InvalidArgumentError);
  });
});

describe('parseClientOrderId', () => {
  it('returns a typed error for ids we did not make', () => {
    for (const foreign of ['web_1a2b3c', 'x-A6SIDXVS1234', 'and_7f7e5c1d', '', 'a'.repeat(37), 'mm:1:tooShort']) {
      const r = parseClientOrderId(foreign);
      expect(r.ok, foreign).toBe(false);
      if (!r.ok) expect(r.error).toBeInstanceOf(InvalidClientOrderIdError);
    }
    expect(parseClientOrderId(42 as unknown as string).ok).toBe(false);
  });

  it('round-trips any strategy id and version that fit (property)', () => {
    const strategy = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,15}$/);
    const version = fc.stringMatching(/^[A-Za-z0-9._-]{1,3}$/);
    fc.assert(
      fc.property(strategy, version, fc.integer({ min: 0, max: 36 ** 8 - 2 }), (s, v, ms) => {
        const id = new ClientOrderIdGenerator({ instanceTag: 'z9z9', clock: () => ms }).next(s, v);
        expect(id.length).toBeLessThanOrEqual(36);
        expect(/^[.A-Z:/a-z0-9_-]+$/.test(id)).toBe(true);
        const r = parseClientOrderId(id);
        expect(r.ok && [r.value.strategyId, r.value.strategyVersion, r.value.timeMs]).toEqual([s, v, ms]);
      }),
    );
  });
});
