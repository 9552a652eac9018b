import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, faultSchedule, InvalidScheduleError } from './schedule.js';

describe('faultSchedule', () => {
  it('gives the same schedule for the same seed and another for another seed', () => {
    const a = faultSchedule({ seed: 42, count: 120, stormMs: 600_000 });
    expect(faultSchedule({ seed: 42, count: 120, stormMs: 600_000 })).toEqual(a);
    expect(faultSchedule({ seed: 43, count: 120, stormMs: 600_000 })).not.toEqual(a);
  });

  it('covers every kind, in time order, within the storm', () => {
    const schedule = faultSchedule({ seed: 7, count: FAULT_KINDS.length, stormMs: 90_000 });
    expect(new Set(schedule.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    const times = schedule.map((f) => f.atMs);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(Math.max(...times)).toBeLessThan(90_000);
  });

  it('changes the balance silently once, as the last fault, so its drift halt hides no other fault', () => {
    const schedule = faultSchedule({ seed: 11, count: 120, stormMs: 600_000 });
    expect(schedule.filter((f) => f.kind === 'silent-balance-change')).toEqual([schedule[schedule.length - 1]]);
  });

  it('leaves out the kinds asked, and needs one of each kind kept', () => {
    const schedule = faultSchedule({
      seed: 5,
      count: FAULT_KINDS.length - 1,
      stormMs: 90_000,
      without: ['silent-balance-change'],
    });
    expect(new Set(schedule.map((f) => f.kind))).toEqual(
      new Set(FAULT_KINDS.filter((k) => k !== 'silent-balance-change')),
    );
    expect(() => faultSchedule({ seed: 5, count: 5, stormMs: 90_000, without: [...FAULT_KINDS] })).toThrow(
      /every fault kind is left out/,
    );
  });

  it('skews the clock beyond the default recvWindow', () => {
    const skews = faultSchedule({ seed: 3, count: 500, stormMs: 600_000 }).filter((f) => f.kind === 'clock-skew');
    expect(skews.length).toBeGreaterThan(0);
    for (const f of skews) expect(Math.abs(f.magnitude)).toBeGreaterThan(5_000);
  });

  it('refuses a count below one of each kind, naming it', () => {
    expect(() => faultSchedule({ seed: 1, count: 3, stormMs: 1_000 })).toThrow(InvalidScheduleError);
    expect(() => faultSchedule({ seed: 1, count: 3, stormMs: 1_000 })).toThrow(/count must be at least/);
  });
});
