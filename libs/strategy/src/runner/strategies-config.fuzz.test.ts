import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { assertPrototypeClean, hostileInputs, hostileTexts } from '@bourse/contracts/testing';
import { StrategiesFileError } from './errors.js';
import { parseStrategies } from './strategies-config.js';

// Strategies files are written by users: whatever is in them is read, or refused with a
// StrategiesFileError naming the file and each bad path; never a crash of the runner.

const valid = {
  strategies: [
    {
      name: 'sma-cross',
      id: 'sma-btc',
      version: '1.0.0',
      venue: 'binance',
      instruments: ['BTC/USDT', { symbol: 'ETH/USDT', venueSymbol: 'ETHUSDT' }],
      params: { fast: 2, slow: 5, sizing: { kind: 'qty', qty: '1' } },
    },
  ],
};

const text = fc.oneof(
  hostileInputs([valid]).map((v) => {
    try {
      return toYaml(v);
    } catch {
      return 'strategies: []';
    }
  }),
  hostileTexts([valid]).filter((t) => t.length < 100_000),
  fc.constantFrom(
    'strategies:\n  - name: __proto__\n    version: 1.0.0',
    'strategies:\n  - name: constructor\n    version: x',
  ),
);

describe('strategies files under hostile content', () => {
  it('are read, or refused with a StrategiesFileError naming the file', () => {
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseStrategies(t, 'fuzz.yaml');
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(StrategiesFileError);
          expect(String(err)).toContain('fuzz.yaml');
        }
        assertPrototypeClean();
      }),
      { numRuns: 60 },
    );
  });
});
