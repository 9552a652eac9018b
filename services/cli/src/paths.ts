// Where things are on disk. The CLI runs from source (tsx), so the repository root is found
// from this file's own location rather than from the working directory.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The monorepo root (three levels above services/cli/src). */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/** Local state of servers started by `bourse start` (git-ignored). */
export function stateDir(root: string = repoRoot()): string {
  return join(root, '.bourse');
}

/**
 * The command that runs a TypeScript entry file under the current Node with tsx's loader. Node runs
 * the service itself (`node --import tsx`), not tsx's CLI wrapper, so a SIGTERM reaches the service
 * directly: the wrapper kills a child that does not exit within moments of a relayed signal, which
 * would cut short a graceful shutdown (the simulator saving its state, a service draining).
 */
export function tsxCommand(entry: string, args: readonly string[]): { command: string; args: string[] } {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command: process.execPath, args: ['--import', loader, entry, ...args] };
}
