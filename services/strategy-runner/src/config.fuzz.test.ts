import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, expectConfigRefusal, hostileEnv } from '@bourse/contracts/testing';
import { loadConfig } from './config.js';

const NAMES = [
  'BAR_PRICE',
  'BOURSE_NAMESPACE',
  'DATABASE_URL',
  'LEASE_MARGIN_MS',
  'LEASE_RENEW_MS',
  'LEASE_TTL_MS',
  'LOG_LEVEL',
  'MD_REDIS_PREFIX',
  'NATS_URL',
  'OPS_HOST',
  'OPS_PORT',
  'REDIS_URL',
  'REPLICA_ID',
  'REQUIRE_RECONCILIATION',
  'RUNNER_SIM_REST_URL',
  'RUNNER_VENUE_TARGET',
  'STALE_AFTER_MS',
  'STRATEGIES_FILE',
];

describe('strategy-runner configuration under hostile environment values', () => {
  it('is read, or refused with a typed error naming the variable (never its secret value)', () => {
    fc.assert(
      fc.property(hostileEnv(NAMES), (env) => {
        expectConfigRefusal(() => loadConfig(env), env);
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
