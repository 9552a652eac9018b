// The bounded chaos run in `pnpm test` (issue 19): one fault of each kind against the whole platform
// on private servers, then the figures. `pnpm test:chaos` runs the full schedule.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChaos } from './run.js';
import { FAULT_KINDS } from './schedule.js';

const SEED = 19;

describe('the platform under one fault of each kind (bounded chaos run)', () => {
  it(
    `ends ACTIVE with nothing duplicated, lost, late or drifted (seed ${SEED})`,
    async () => {
      const reportFile = join(mkdtempSync(join(tmpdir(), 'bourse-chaos-report-')), `chaos-${SEED}.json`);
      const result = await runChaos({
        seed: SEED,
        faults: FAULT_KINDS.length,
        stormMs: 60_000,
        reportFile,
        log: () => {},
      });
      const message = `${result.line}\nreport: ${reportFile}\n${result.figures.discrepancies
        .slice(0, 10)
        .map((d) => `${d.kind} ${JSON.stringify(d.ids)}: ${d.detail}`)
        .join('\n')}`;
      expect(result.finalMode, message).toBe('ACTIVE');
      expect(
        {
          duplicates: result.figures.duplicates,
          lost: result.figures.lost,
          lostIntents: result.figures.lostIntents,
          late: result.figures.late ?? 0,
          mismatches: result.figures.mismatches,
        },
        message,
      ).toEqual({ duplicates: 0, lost: 0, lostIntents: 0, late: 0, mismatches: 0 });
    },
    // Startup of seven processes, a one-minute storm, settling and a reconciliation: about three
    // minutes on an idle machine; the margin is for a loaded one.
    480_000,
  );
});
