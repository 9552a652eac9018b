import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, expectConfigRefusal, hostileEnv } from '@bourse/contracts/testing';
import { parseConfig } from './config.js';

const NAMES = [
  'BINANCE_SECRET_FILE',
  'BOURSE_NAMESPACE',
  'LOG_LEVEL',
  'MD_CHANNELS',
  'MD_INSTRUMENTS',
  'MD_OPS_HOST',
  'MD_OPS_PORT',
  'MD_RECORD_DIR',
  'MD_RECORD_MAX_BUFFER_BYTES',
  'MD_RECORD_MAX_FILE_BYTES',
  'MD_RECORD_ROTATE_MS',
  'MD_SIM_REST_URL',
  'MD_SIM_WS_API_URL',
  'MD_SIM_WS_STREAM_URL',
  'MD_SNAPSHOT_DEPTH',
  'MD_SNAPSHOT_FLUSH_MS',
  'MD_SNAPSHOT_KEY_PREFIX',
  'MD_SNAPSHOT_TTL_MS',
  'MD_STALE_AFTER_MS',
  'MD_STALE_CHECK_MS',
  'MD_SUMMARY_INTERVAL_MS',
  'MD_VENUE_TARGET',
  'NATS_URL',
  'REDIS_URL',
];

describe('market-data configuration under hostile environment values', () => {
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
