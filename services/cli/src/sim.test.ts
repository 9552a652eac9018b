import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotBuiltError } from './errors.js';
import { runSim, signalExitCode } from './sim.js';
import { tempDir } from '@bourse/servers/testing';

const root = tempDir('bourse-sim-');
afterAll(() => root.remove());

describe('runSim', { timeout: 60_000 }, () => {
  it('says the simulator is not built when its entry file is missing', async () => {
    const err = await runSim(root.path, [], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotBuiltError);
    expect((err as NotBuiltError).message).toBe(
      'exchange-sim is not built yet (services/exchange-sim/src/main.ts does not exist)',
    );
  });

  it('runs the simulator with the arguments unchanged and returns its exit code', async () => {
    mkdirSync(join(root.path, 'services/exchange-sim/src'), { recursive: true });
    const record = join(root.path, 'args.json');
    root.file(
      'services/exchange-sim/src/main.ts',
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), key: process.env.BOURSE_SIM_API_KEY }));
process.exit(7);
`,
    );
    const env = { ...process.env, BOURSE_SIM_API_KEY: 'key-from-the-caller' };
    const code = await runSim(root.path, ['--port', '9100', '--fault', 'drop=0.1', 'positional'], env);
    expect(code).toBe(7);
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({
      args: ['--port', '9100', '--fault', 'drop=0.1', 'positional'],
      key: 'key-from-the-caller',
    });
  });

  it('maps a signal to the shell’s exit code', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
  });
});
