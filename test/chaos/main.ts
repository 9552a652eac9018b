// `pnpm test:chaos [--seed N] [--faults N] [--storm-s N] [--without KIND,…] [--report FILE] [--bounded]`: the chaos run
// from the command line. Prints the seed first and the figures line last; exits 1 unless every
// count is 0 and the platform ended ACTIVE.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../support/platform.js';
import { runChaos } from './run.js';
import { FAULT_KINDS, type FaultKind } from './schedule.js';

/** The full schedule: ≥100 faults over ten minutes; bounded: one of each kind over about a minute and a half. */
export const FULL = { faults: 120, stormMs: 600_000 } as const;
export const BOUNDED = { faults: FAULT_KINDS.length, stormMs: 90_000 } as const;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    faults: { type: 'string' },
    'storm-s': { type: 'string' },
    report: { type: 'string' },
    without: { type: 'string' },
    bounded: { type: 'boolean', default: false },
  },
});

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`chaos: --${name} must be a whole number, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

/** `--without a,b`: kinds left out, each checked against the known kinds. */
function kinds(text: string | undefined): FaultKind[] {
  if (text === undefined) return [];
  const names = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = names.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    process.stderr.write(
      `chaos: --without: unknown fault kind(s) ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}\n`,
    );
    process.exit(2);
  }
  return names as FaultKind[];
}

const shape = values.bounded ? BOUNDED : FULL;
const without = kinds(values.without);
const seed = whole('seed', values.seed, randomInt(1, 1_000_000));
process.stdout.write(`chaos: seed ${seed}\n`);
const result = await runChaos({
  seed,
  faults: whole('faults', values.faults, Math.max(shape.faults - without.length, 1)),
  without,
  stormMs: whole('storm-s', values['storm-s'], shape.stormMs / 1000) * 1000,
  reportFile: values.report ?? join(ROOT, '.bourse', 'chaos', `chaos-${seed}.json`),
});
process.stdout.write(`${result.line}\n`);
process.stderr.write(`chaos: report ${result.reportFile}\n`);
process.exit(result.ok ? 0 : 1);
