import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, expectConfigRefusal, hostileEnv } from '@bourse/contracts/testing';
import { loadConfig } from './config.js';

const NAMES = [
  'BINANCE_SECRET_FILE',
  'BOURSE_NAMESPACE',
  'DATABASE_URL',
  'LOG_LEVEL',
  'NATS_URL',
  'OPS_PORT',
  'RECON_ACTIVATE_ON_FIRST_PASS',
  'RECON_CONFIG',
  'RECON_CONFIG_FILE',
  'RECON_CORRECTIONS_ATTEMPTS',
  'RECON_CORRECTIONS_TIMEOUT_MS',
  'RECON_INTERVAL_MS',
  'RECON_OPS_HOST',
  'RECON_OPS_PORT',
  'RECON_RESET_DEBOUNCE_MS',
  'RECON_SIM_REST_URL',
  'RECON_SIM_WS_API_URL',
  'RECON_SIM_WS_STREAM_URL',
  'RECON_START_RETRY_MS',
  'RECON_VENUE_TARGET',
  'REDIS_URL',
];

describe('reconciler configuration under hostile environment values', () => {
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
