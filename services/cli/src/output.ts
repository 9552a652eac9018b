// Every command writes to a stdout or stderr that its reader may close first (`bourse orders --all
// | head`, a `tee` stopped with Ctrl-C, a terminal window closed). Writing then fails with EPIPE
// (EIO on a terminal that hung up), which Node raises as an unhandled 'error' event: a stack trace
// and exit 1 or 134. Unix tools stop quietly instead, and so does `bourse`: a command exits 0 with
// nothing more said, and `bourse start`, which must stop its children first, takes it as a stop.

const BROKEN_OUTPUT = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

type StreamName = 'stdout' | 'stderr';

const closed: Record<StreamName, boolean> = { stdout: false, stderr: false };
let onClosed: ((stream: StreamName) => void) | undefined;
let guarded = false;

/**
 * Installs the handlers once per process. A closed stream calls the handler set with
 * `whenOutputCloses`, else `exit(0)`.
 */
export function guardOutput(exit: (code: number) => void = (code) => process.exit(code)): void {
  if (guarded) return;
  guarded = true;
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      if (!BROKEN_OUTPUT.has(err.code ?? '')) throw err;
      if (closed[name]) return;
      closed[name] = true;
      if (onClosed !== undefined) onClosed(name);
      else exit(0);
    });
  }
}

/** Replaces the default (exit 0) for as long as the caller needs; returns the undo. */
export function whenOutputCloses(handler: (stream: StreamName) => void): () => void {
  onClosed = handler;
  return () => {
    if (onClosed === handler) onClosed = undefined;
  };
}

/** Writes one line unless the stream's reader is gone; never throws for a closed reader. */
export function writeLine(stream: StreamName, line: string): void {
  if (closed[stream] || process[stream].destroyed) return;
  process[stream].write(`${line}\n`);
}
