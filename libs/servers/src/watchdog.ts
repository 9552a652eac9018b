// The servers `bourse start` runs from their binaries (nats-server, redis-server, postgres) cannot
// watch the launcher the way the platform's services do (watchParent in @bourse/telemetry). Each
// runs under a small Node watchdog instead: it starts the server in its own process group, leaves
// stop signals to the supervisor (which signals the whole group, so the server gets them itself),
// and once the launcher named in BOURSE_PARENT_PID is gone, sends the server its stop signal. It
// exits the way the server did. The script is passed with `node -e`, so it needs no file the
// server's OS user (postgres) might not be allowed to read.
import type { ChildSpec } from './types.js';

export const WATCHDOG_SCRIPT = `
const { spawn } = require('node:child_process');
const [stopSignal, command, ...args] = process.argv.slice(1);
const parent = Number(process.env.BOURSE_PARENT_PID);
const server = spawn(command, args, { stdio: 'inherit' });
const relayed = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const ignore = () => {};
for (const s of relayed) process.on(s, ignore);
server.on('error', (err) => {
  process.stderr.write('cannot start ' + command + ': ' + err.message + '\\n');
  process.exit(127);
});
server.on('exit', (code, signal) => {
  if (signal === null) process.exit(code === null ? 1 : code);
  for (const s of relayed) process.off(s, ignore);
  process.kill(process.pid, signal);
});
if (Number.isInteger(parent) && parent > 1) {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    server.kill(stopSignal);
  }, 500);
}
`;

/** The same server, run under the watchdog; its output, ready line and stop signal are unchanged. */
export function underWatchdog(spec: ChildSpec): ChildSpec {
  return {
    ...spec,
    command: process.execPath,
    args: ['-e', WATCHDOG_SCRIPT, spec.stopSignal ?? 'SIGTERM', spec.command, ...spec.args],
  };
}
