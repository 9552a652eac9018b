import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { FUZZ_RUNS, assertPrototypeClean, hostileInputs, hostileTexts } from '@bourse/contracts/testing';
import { LimitsConfigError } from '../errors.js';
import { loadLimits } from './limits.js';

// Limits files are edited by hand and reloaded live: whatever is in them is read, or refused with a
// LimitsConfigError naming the path of each problem; never a crash of the reload.

const valid = {
  v: 1,
  whenGlobalStateMissing: 'ACTIVE',
  defaults: {
    maxOrderQty: '100',
    maxOrderNotional: '1000000',
    maxPosition: '1000',
    maxAggregatePosition: '1000',
    priceBandBps: '1000',
    maxQuoteAgeMs: 5_000,
    maxOpenOrders: 100,
    orderRate: { maxOrders: 100, windowMs: 1_000 },
    rejectionCooldown: { afterRejections: 100, cooldownMs: 10_000 },
  },
};

// YAML's own hazards: an alias bomb, a merge key into the prototype, tags, duplicate keys.
const YAML_HAZARDS = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  '__proto__:\n  polluted: true\nv: 1',
  '<<: {__proto__: {polluted: true}}\nv: 1',
  'v: !!js/function "function(){}"',
  'v: 1\nv: 2',
  'v: .nan\ndefaults: {maxOrderQty: .inf}',
  'v: 1e400',
  `v: ${'['.repeat(5_000)}${']'.repeat(5_000)}`,
];

function check(text: string, format: 'yaml' | 'json'): void {
  try {
    loadLimits(text, format);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(LimitsConfigError);
    if (err instanceof LimitsConfigError) {
      expect(err.issues.length).toBeGreaterThan(0);
      for (const i of err.issues) expect(i.path).not.toBe('');
    }
  }
  assertPrototypeClean();
}

describe('limits files under hostile content', () => {
  it('JSON: read, or refused with a LimitsConfigError naming each path', () => {
    fc.assert(
      fc.property(hostileTexts([valid]), (text) => check(text, 'json')),
      { numRuns: FUZZ_RUNS },
    );
  });

  // Fewer runs: the YAML parser is slow on the megabyte texts among these.
  it('YAML: read, or refused with a LimitsConfigError naming each path', () => {
    const yamlText = fc.oneof(
      hostileInputs([valid]).map((v) => {
        try {
          return toYaml(v);
        } catch {
          return 'v: 1';
        }
      }),
      fc.constantFrom(...YAML_HAZARDS),
      hostileTexts([valid]),
    );
    fc.assert(
      fc.property(yamlText, (text) => check(text, 'yaml')),
      { numRuns: 40 },
    );
  });
});
