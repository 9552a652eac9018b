// Where things are on disk. The CLI runs from source (tsx), so the repository root is found
// from this file's own location rather than from the working directory.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (three levels above services/cli/src). */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/** Local state of servers started by `bourse start` (git-ignored). */
export function stateDir(root: string = repoRoot()): string {
  return join(root, '.bourse');
}

/** The command that runs a TypeScript entry file with tsx under the current Node. */
export function tsxCommand(entry: string, args: readonly string[]): { command: string; args: string[] } {
  const cli = createRequire(import.meta.url).resolve('tsx/cli');
  return { command: process.execPath, args: [cli, entry, ...args] };
}
