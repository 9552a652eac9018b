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
  'OMS_CHASE_MAX_REPLACEMENTS',
  'OMS_CHASE_PLACEMENT',
  'OMS_CHASE_REPLACE_MS',
  'OMS_EXEC_REPUBLISH_MS',
  'OMS_FALLBACK_MAX_SPREAD_BPS',
  'OMS_INSTANCE',
  'OMS_ORDER_PATH',
  'OMS_RECON_RETRY_MS',
  'OMS_RECV_WINDOW_MS',
  'OMS_REPLACE_RATE_MAX',
  'OMS_REPLACE_RATE_WINDOW_MS',
  'OMS_SIM_REST_URL',
  'OMS_SIM_WS_API_URL',
  'OMS_SIM_WS_STREAM_URL',
  'OMS_TACTIC_TICK_MS',
  'OMS_UNKNOWN_MARGIN_MS',
  'OMS_VENUE_REQUEST_TIMEOUT_MS',
  'OMS_VENUE_TARGET',
  'OPS_HOST',
  'OPS_PORT',
  'REDIS_URL',
];

describe('order-manager configuration under hostile environment values', () => {
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
