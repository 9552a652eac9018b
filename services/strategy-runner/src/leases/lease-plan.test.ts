import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planLeases, type LeasePlanInput } from './lease-plan.js';

const UNITS = ['binance.A', 'binance.B', 'binance.C', 'binance.D'];

function input(over: Partial<LeasePlanInput>): LeasePlanInput {
  return {
    me: 'r1',
    units: UNITS,
    mine: new Set(),
    others: new Map(),
    liveReplicas: ['r1'],
    freeLastRound: new Set(),
    ...over,
  };
}

describe('planLeases', () => {
  it('a lone replica claims everything', () => {
    expect(planLeases(input({})).claim).toHaveLength(4);
  });

  it('gives back down to the fair share when another live replica holds less', () => {
    const plan = planLeases(input({ mine: new Set(UNITS), liveReplicas: ['r1', 'r2'] }));
    expect(plan.fairShare).toBe(2);
    expect(plan.release).toEqual(['binance.C', 'binance.D']);
    expect(plan.claim).toEqual([]);
  });

  it('does not give back when nobody could take it', () => {
    const others = new Map([
      ['binance.C', 'r2'],
      ['binance.D', 'r2'],
    ]);
    const plan = planLeases(input({ mine: new Set(['binance.A', 'binance.B']), others, liveReplicas: ['r1', 'r2'] }));
    expect(plan).toMatchObject({ claim: [], release: [] });
  });

  it('claims free units up to the fair share, and any unit left free for two rounds', () => {
    const others = new Map([
      ['binance.A', 'r2'],
      ['binance.B', 'r2'],
    ]);
    const live = ['r1', 'r2', 'r3'];
    // r3 holds nothing yet, so r1 stops at floor(4 / 3) = 1 and leaves one for it.
    expect(planLeases(input({ others, liveReplicas: live })).claim).toHaveLength(1);
    expect(planLeases(input({ others, liveReplicas: ['r1', 'r2'] })).claim).toHaveLength(2);
    const atShare = input({
      mine: new Set(['binance.C', 'binance.D']),
      others: new Map([['binance.A', 'r2']]),
      liveReplicas: live,
    });
    expect(planLeases(atShare).claim).toEqual([]);
    expect(planLeases({ ...atShare, freeLastRound: new Set(['binance.B']) }).claim).toEqual(['binance.B']);
  });

  it('the replica holding most gives one to a starving replica when nothing is free', () => {
    // 4 units over 3 replicas: 2+2+0 becomes 2+1+1.
    const others = new Map([
      ['binance.C', 'r2'],
      ['binance.D', 'r2'],
    ]);
    const plan = planLeases(
      input({ mine: new Set(['binance.A', 'binance.B']), others, liveReplicas: ['r1', 'r2', 'r3'] }),
    );
    expect(plan.release).toEqual(['binance.B']);
    const asR2 = planLeases(
      input({
        me: 'r2',
        mine: new Set(['binance.C', 'binance.D']),
        others: new Map([
          ['binance.A', 'r1'],
          ['binance.B', 'r1'],
        ]),
        liveReplicas: ['r1', 'r2', 'r3'],
      }),
    );
    expect(asR2.release).toEqual([]);
  });

  it('replicas running rounds in any order end with every unit held once and counts one apart', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 80 }),
        (unitCount, replicaCount, order) => {
          const units = Array.from({ length: unitCount }, (_, i) => `v.U${i}`);
          const replicas = Array.from({ length: replicaCount }, (_, i) => `r${i}`);
          const holder = new Map<string, string>();
          const freeLast = new Map<string, Set<string>>(replicas.map((r) => [r, new Set()]));
          const round = (me: string) => {
            const mine = new Set([...holder].filter(([, h]) => h === me).map(([u]) => u));
            const others = new Map([...holder].filter(([, h]) => h !== me));
            const plan = planLeases({
              me,
              units,
              mine,
              others,
              liveReplicas: replicas,
              freeLastRound: freeLast.get(me)!,
            });
            freeLast.set(me, new Set(plan.free));
            for (const u of plan.release) holder.delete(u);
            for (const u of plan.claim) if (!holder.has(u)) holder.set(u, me);
          };
          for (const i of order) round(replicas[i % replicaCount]!);
          // Then a few orderly rounds: the protocol must have settled.
          for (let k = 0; k < 4; k++) for (const r of replicas) round(r);
          expect(holder.size).toBe(unitCount);
          const counts = replicas.map((r) => [...holder.values()].filter((h) => h === r).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
