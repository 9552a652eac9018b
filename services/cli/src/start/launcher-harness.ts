// Test support for launcher.test.ts: `bourse start` as its own process, as main.ts runs it, but on
// a checkout and database the test chooses. With LAUNCHER_CRASH_FILE set, the launcher throws an
// uncaught exception once that file exists: a stand-in for a bug in the launcher itself.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { guardOutput } from '../output.js';
import { runLauncher } from './launcher.js';

const [root, databaseUrl] = process.argv.slice(2);
if (root === undefined || databaseUrl === undefined) {
  console.error('usage: launcher-harness <checkout> <database url>');
  process.exit(2);
}
guardOutput();
const crashFile = process.env['LAUNCHER_CRASH_FILE'];
if (crashFile !== undefined) {
  const poll = setInterval(() => {
    if (!existsSync(crashFile)) return;
    clearInterval(poll);
    throw new Error('a bug in the launcher (test)');
  }, 20);
  poll.unref();
}
process.exitCode = await runLauncher(
  { ...loadConfig(), databaseUrl },
  {
    root,
    stateDir: join(root, '.bourse'),
    uid: process.getuid?.() ?? -1,
    checkTimeoutMs: 5_000,
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
  },
);
