// A service started by `bourse start` must not outlive the launcher, even one killed with SIGKILL
// that had no chance to stop its children. The launcher names itself in BOURSE_PARENT_PID; the
// child checks its parent pid on an interval, and once the launcher is gone (the child was
// re-parented) it sends itself SIGTERM, so the service's own graceful shutdown runs exactly as it
// would for a stop asked by the launcher. The launcher also read the child's output, so a write to
// stdout or stderr after it vanished fails with EPIPE; that must not kill the service before its
// shutdown ran (the simulator saving its state), so such a write is dropped and triggers the check.
// A service started by hand (no variable) watches nothing.

/** The variable the launcher sets to its own pid in each child's environment. */
export const PARENT_PID_ENV = 'BOURSE_PARENT_PID';

export interface ParentWatchOptions {
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How often the parent is checked; 500 ms by default. */
  intervalMs?: number;
  /** The current parent pid; `process.ppid` by default (re-read by Node on every access). */
  parentPid?: () => number;
  /** What happens once the parent is gone; by default SIGTERM to this process. */
  onParentGone?: (expectedPid: number) => void;
}

export interface ParentWatch {
  /** The launcher's pid being watched, or undefined when there is none to watch. */
  readonly parentPid: number | undefined;
  stop(): void;
}

/** Watches the launcher named in BOURSE_PARENT_PID; a no-op when the variable is unset. */
export function watchParent(options: ParentWatchOptions = {}): ParentWatch {
  const env = options.env ?? process.env;
  const raw = env[PARENT_PID_ENV];
  if (raw === undefined || raw === '') return { parentPid: undefined, stop: () => undefined };
  const expected = Number(raw);
  // A malformed value cannot name a parent; watching nothing is safer than stopping at once.
  if (!Number.isInteger(expected) || expected <= 1) return { parentPid: undefined, stop: () => undefined };
  const current = options.parentPid ?? (() => process.ppid);
  const onGone = options.onParentGone ?? (() => process.kill(process.pid, 'SIGTERM'));
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (current() === expected) return;
    clearInterval(timer);
    timer = undefined;
    onGone(expected);
  };
  timer = setInterval(check, options.intervalMs ?? 500);
  // The watch alone must not keep a service alive that is otherwise done.
  timer.unref();
  const onOutputError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE' && err.code !== 'EIO' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (timer !== undefined) check();
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  check();
  return {
    parentPid: expected,
    stop() {
      clearInterval(timer);
      timer = undefined;
      process.stdout.off('error', onOutputError);
      process.stderr.off('error', onOutputError);
    },
  };
}
