// `bourse sim [args…]`: runs the exchange simulator in the foreground with the given arguments.
// The terminal's Ctrl-C reaches the simulator directly (same process group); this process waits
// for it and exits with its code, so the simulator decides how it shuts down.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotBuiltError } from './errors.js';
import { tsxCommand } from './paths.js';
import { EXCHANGE_SIM } from './start/services.js';

/** Exit code of a process that ended by `signal`, as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return 128 + (numbers[signal] ?? 1);
}

/**
 * Runs the simulator in the foreground. `env` is its whole environment: the caller puts the key
 * pair in it (from BOURSE_SIM_API_KEY / _SECRET, or the pair `bourse start` keeps under .bourse/).
 */
export async function runSim(
  root: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const entry = join(root, EXCHANGE_SIM.entry);
  if (!existsSync(entry)) throw new NotBuiltError(EXCHANGE_SIM.name, EXCHANGE_SIM.entry);
  const { command, args: argv } = tsxCommand(entry, args);
  const child = spawn(command, argv, { cwd: root, stdio: 'inherit', env });
  // The child gets the terminal's signals itself; here they must not end the CLI before it.
  const forward = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGTERM') child.kill('SIGTERM');
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(signal !== null ? signalExitCode(signal) : (code ?? 1)));
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
