import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, expectConfigRefusal, hostileEnv } from '@bourse/contracts/testing';
import { loadConfig } from './config.js';

const NAMES = [
  'BOURSE_NAMESPACE',
  'DATABASE_URL',
  'LOG_LEVEL',
  'NATS_URL',
  'REDIS_URL',
  'RISK_DECISION_RECALL_MS',
  'RISK_GATE_INSTANCE',
  'RISK_GATE_OPS_HOST',
  'RISK_GATE_OPS_PORT',
  'RISK_GATE_VENUE',
  'RISK_IN_FLIGHT_EXPIRY_MS',
  'RISK_LIMITS_FILE',
  'RISK_LIMITS_POLL_MS',
];

describe('risk-gate configuration under hostile environment values', () => {
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
