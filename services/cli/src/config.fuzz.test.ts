import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, expectConfigRefusal, hostileEnv } from '@bourse/contracts/testing';
import { parseConfig } from './config.js';

const NAMES = ['BOURSE_SIM_API_KEY', 'BOURSE_SIM_API_SECRET', 'DATABASE_URL', 'NATS_URL', 'REDIS_URL'];

describe('cli configuration under hostile environment values', () => {
  it('is read, or refused with a typed error naming the variable (never its secret value)', () => {
    fc.assert(
      fc.property(hostileEnv(NAMES), (env) => {
        expectConfigRefusal(() => parseConfig(env), env);
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
