import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, assertPrototypeClean, hostileString } from '@bourse/contracts/testing';
import { ConfigError, parseConfig } from './config.js';

// The simulator's command line: hostile flags and values are read, or refused with a ConfigError;
// the API secret given on the command line never appears in the error.

const FLAGS = [
  '--port',
  '--host',
  '--seed',
  '--symbols',
  '--faults',
  '--balances',
  '--state-file',
  '--no-state',
  '--no-activity',
  '--volatility',
  '--drift',
  '--step-ms',
  '--replay',
  '--weight-limit',
  '--api-key',
  '--help',
  '--bogus',
  '-p',
  '--',
];
const SECRET = 'sim-secret-must-not-leak-8f3a';

const argv = fc
  .array(fc.oneof(fc.constantFrom(...FLAGS), hostileString), { maxLength: 8 })
  .chain((rest) =>
    fc
      .integer({ min: 0, max: rest.length })
      .map((at) => [...rest.slice(0, at), '--api-secret', SECRET, ...rest.slice(at)]),
  );

describe('exchange-sim flags under hostile command lines', () => {
  it('are read, or refused with a ConfigError that never carries the secret', () => {
    fc.assert(
      fc.property(argv, (args) => {
        try {
          parseConfig(args, { BOURSE_SIM_API_KEY: 'k', BOURSE_SIM_API_SECRET: 's' });
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(ConfigError);
          if (err instanceof ConfigError) {
            expect(err.message).not.toContain(SECRET);
            expect(err.value).not.toContain(SECRET);
          }
        }
        assertPrototypeClean();
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
