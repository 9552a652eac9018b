// `bourse start` as a process: whatever ends the launcher, what it started stops first, in order
// (strategies first, the venue and then the servers last). Ctrl-C, SIGTERM and SIGHUP (a closed
// terminal) ask for a clean stop; so does an output nobody reads any more (`| tee` stopped); a bug
// in the launcher itself (an uncaught exception) stops everything and exits 1. What no handler can
// catch, SIGKILL, each child notices by itself: it watches the pid given in BOURSE_PARENT_PID.
import type { CliConfig } from '../config.js';
import { whenOutputCloses, writeLine } from '../output.js';
import { runStart, type StartOptions } from './start.js';

export type LauncherOptions = Omit<StartOptions, 'write' | 'stop'>;

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs the platform until a stop; resolves with the exit code once everything it started stopped. */
export async function runLauncher(config: CliConfig, options: LauncherOptions): Promise<number> {
  const controller = new AbortController();
  const say = (line: string) => writeLine('stdout', line);
  let crashed = false;
  let firstSignalAt: number | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl-C under `pnpm start` arrives more than once (the terminal, then pnpm relaying it).
    const now = performance.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      say(`[bourse] ${signal}: stopping everything bourse started`);
    } else if (now - firstSignalAt > 1_000) {
      say(`[bourse] still stopping (each process has up to ${options.stopTimeoutMs} ms)`);
    }
    controller.abort();
  };
  const onCrash = (err: unknown) => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (!crashed)
      writeLine('stderr', `[bourse] the launcher failed: ${detail}\n[bourse] stopping everything it started`);
    crashed = true;
    controller.abort();
  };
  const undoOutput = whenOutputCloses((stream) => {
    if (stream === 'stdout') writeLine('stderr', '[bourse] output closed; stopping everything bourse started');
    controller.abort();
  });

  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    const code = await runStart(config, { ...options, write: say, stop: controller.signal });
    return crashed ? 1 : code;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    undoOutput();
  }
}
