// Shared by the runner's process tests: one `strategy-runner` process (spawned as Kubernetes or the
// launcher would), its JSON log lines, what they say it holds, and waits that re-check on each line
// (never a sleep).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The service's own entry. */
export const RUNNER_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface Holding {
  readonly instrument: string;
  readonly runner: string;
  readonly from: number;
  to?: number;
}

/** One JSON log line of the runner (pino), as parsed. */
export type LogEntry = Record<string, unknown> & { readonly msg?: string };

/** One `strategy-runner` process and what its log lines say it holds. */
export class RunnerProcess {
  readonly holdings: Holding[] = [];
  readonly output: string[] = [];
  /** Every JSON line, in order (the tests' view of what the process did). */
  readonly entries: LogEntry[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    env: Record<string, string>,
    entry: string = RUNNER_ENTRY,
  ) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: { ...process.env, ...env, REPLICA_ID: id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // 'close', not 'exit': 'exit' can come before the last stdout lines (the releases on the way out) are read.
    this.#exited = new Promise((resolve) => this.#child.once('close', (code) => resolve(code)));
    let buffered = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.#line(line);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
  }

  #line(line: string): void {
    this.output.push(line);
    if (this.output.length > 200) this.output.shift();
    let entry: LogEntry & { instrument?: string; time?: string | number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    this.entries.push(entry);
    const time = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time));
    if (entry.msg === 'instrument acquired' && entry.instrument !== undefined) {
      this.holdings.push({ instrument: entry.instrument, runner: this.id, from: time });
    } else if (entry.msg === 'instrument released' && entry.instrument !== undefined) {
      const open = this.holdings.find((h) => h.instrument === entry.instrument && h.to === undefined);
      if (open !== undefined) open.to = time;
    }
    for (const wake of [...this.#waiters]) wake();
  }

  held(): string[] {
    return this.holdings
      .filter((h) => h.to === undefined)
      .map((h) => h.instrument)
      .sort();
  }

  /** The log entries with this message. */
  logged(msg: string): LogEntry[] {
    return this.entries.filter((e) => e.msg === msg);
  }

  /** Resolves once `condition()` holds, re-checked on each log line; rejects naming `what`. */
  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.id}: timed out waiting for ${what}\n${this.output.slice(-15).join('\n')}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** SIGTERM, as Kubernetes stops a pod; the runner gives its leases back on the way out. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    return this.#exited;
  }

  /** SIGKILL: the process dies at once, leases and all (they expire after the TTL). */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  /** Resolves when the process has gone (after kill or stop). */
  exited(): Promise<number | null> {
    return this.#exited;
  }
}

/** Resolves once `condition()` holds across runners, checked whenever any of them logs. */
export function untilAll(
  runners: readonly RunnerProcess[],
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return Promise.race(runners.map((r) => r.until(condition, timeoutMs, what)));
}
