import { describe, expect, it } from 'vitest';
import { decideRestart, type RestartPolicy } from './restart-policy.js';

const policy: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 3_000, maxRestarts: 4, windowMs: 60_000 };

describe('decideRestart', () => {
  it('doubles the delay with each death in the window, up to the ceiling', () => {
    expect(decideRestart([], 1_000, policy)).toEqual({ restart: true, delayMs: 500, attempt: 1 });
    expect(decideRestart([1_000], 2_000, policy)).toEqual({ restart: true, delayMs: 1_000, attempt: 2 });
    expect(decideRestart([1_000, 2_000], 3_000, policy)).toEqual({ restart: true, delayMs: 2_000, attempt: 3 });
    expect(decideRestart([1_000, 2_000, 3_000], 4_000, policy)).toEqual({ restart: true, delayMs: 3_000, attempt: 4 });
  });

  it('gives up when a child keeps dying within the window', () => {
    expect(decideRestart([1_000, 2_000, 3_000, 4_000], 5_000, policy)).toEqual({ restart: false, deaths: 5 });
  });

  it('forgets deaths older than the window', () => {
    expect(decideRestart([1_000, 2_000, 3_000, 4_000], 64_500, policy)).toEqual({
      restart: true,
      delayMs: 500,
      attempt: 1,
    });
  });
});
