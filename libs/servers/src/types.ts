import type { RestartPolicy } from './restart-policy.js';

export interface ChildSpec {
  /** Shown as the `[name]` prefix of every line the child prints. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Environment of the child; inherits the CLI's when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run as another OS user (PostgreSQL refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Signal that asks the child to stop cleanly (PostgreSQL: SIGINT, its "fast" shutdown). Default SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
  /** When set, start() resolves only once a line of output matches, within timeoutMs. */
  readonly ready?: { readonly pattern: RegExp; readonly timeoutMs: number };
}

export interface ChildExit {
  readonly name: string;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StopReport extends ChildExit {
  /** True when the child had to be killed because it did not stop within the bound. */
  readonly forced: boolean;
}

export interface SupervisorOptions {
  /** Receives every output line, already prefixed. */
  readonly write: (line: string) => void;
  /** How long a child may take to stop before it is killed. */
  readonly stopTimeoutMs: number;
  /**
   * Called once for each child that exits without being asked to; with `restart`, only for a
   * child the supervisor gave up on because it kept dying.
   */
  readonly onUnexpectedExit?: (exit: ChildExit) => void;
  /** Restart a child that dies (with backoff) instead of reporting it at once. */
  readonly restart?: RestartPolicy;
}
