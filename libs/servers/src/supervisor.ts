// Runs a list of child processes: starts them in order (each ready before the next), prefixes
// their output, restarts one that exits on its own (with backoff, when a restart policy is given)
// or reports it, and stops them in reverse order with a bound. Each child leads its own process
// group, so a stop reaches the processes it spawned too and nothing is left behind; each child is
// told the supervisor's pid (BOURSE_PARENT_PID) so it can stop by itself should the supervisor
// vanish without stopping it (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PARENT_PID_ENV } from '@bourse/telemetry';
import { ChildFailedError } from './errors.js';
import { LinePrefixer } from './line-prefixer.js';
import { readableLogLine } from './log-line.js';
import { decideRestart } from './restart-policy.js';
import type { ChildExit, ChildSpec, StopReport, SupervisorOptions } from './types.js';

/** After SIGKILL a process is gone at once unless stuck in the kernel; this bounds the wait for its exit event. */
const KILL_GRACE_MS = 5_000;

interface Running {
  readonly spec: ChildSpec;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  starting: boolean;
  stopping: boolean;
  exit?: ChildExit;
}

export class Supervisor {
  private readonly children: Running[] = [];
  /** Monotonic times of each child's unexpected deaths, by name, for the restart policy. */
  private readonly deaths = new Map<string, number[]>();
  private readonly restartCounts = new Map<string, number>();
  /** Aborted by stopAll: no restart begins after it, and a pending one is dropped. */
  private readonly closing = new AbortController();

  constructor(private readonly options: SupervisorOptions) {}

  /** How often each child was restarted after dying, by name (only children restarted at least once). */
  restarts(): Record<string, number> {
    return Object.fromEntries(this.restartCounts);
  }

  /** Names of the children started and not yet exited, in start order. */
  running(): string[] {
    return this.children.filter((c) => c.exit === undefined).map((c) => c.spec.name);
  }

  /** Starts the specs one after the other; stops at the first that fails (and throws its error). */
  async startAll(specs: readonly ChildSpec[]): Promise<void> {
    for (const spec of specs) await this.start(spec);
  }

  /**
   * Spawns one child and resolves once it runs (and, with `ready`, once it printed its ready line).
   * A child that cannot start, exits first or misses its ready bound is stopped and reported as ChildFailedError.
   */
  async start(spec: ChildSpec): Promise<void> {
    if (this.children.some((c) => c.spec.name === spec.name && c.exit === undefined)) {
      throw new ChildFailedError(spec.name, `${spec.name} is already running`);
    }
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), [PARENT_PID_ENV]: String(process.pid) },
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new ChildFailedError(spec.name, `${spec.name} could not be started (${spec.command}): ${err.message}`, {
            cause: err,
          }),
        ),
      );
    });
    const pid = child.pid ?? -1;
    if (this.closing.signal.aborted) {
      // A restart that was spawning when the stop began: the stop has passed its place already.
      signalGroup(pid, 'SIGKILL');
      throw new ChildFailedError(spec.name, `${spec.name} was not restarted: everything is stopping`);
    }
    // After spawn, 'error' only means a signal could not be delivered; say so instead of crashing.
    child.on('error', (err) => this.options.write(`[bourse] ${spec.name}: ${err.message}`));

    const matchers: Array<(line: string) => void> = [];
    const onLine = (line: string) => {
      this.options.write(`[${spec.name}] ${readableLogLine(line)}`);
      for (const match of matchers) match(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      const prefixer = new LinePrefixer('', onLine);
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => prefixer.push(text));
      stream.on('end', () => prefixer.flush());
    }

    const exited = new Promise<ChildExit>((resolve) => {
      // 'close' comes after the output streams ended, so a child's last lines print before its exit is reported.
      child.once('close', (code, signal) => resolve({ name: spec.name, pid, code, signal }));
    });
    const entry: Running = { spec, child, pid, exited, starting: true, stopping: false };
    // A restarted child takes its predecessor's place, so the stop order stays the start order.
    const previous = this.children.findIndex((c) => c.spec.name === spec.name);
    if (previous >= 0) this.children[previous] = entry;
    else this.children.push(entry);
    void exited.then((exit) => {
      entry.exit = exit;
      if (entry.stopping || entry.starting) return;
      this.onDeath(entry.spec, exit);
    });

    if (spec.ready !== undefined) {
      try {
        await this.waitForReady(entry, spec.ready, matchers);
      } catch (err) {
        await this.stopOne(entry);
        throw err;
      }
    }
    entry.starting = false;
    // The child may have exited between its ready line and now; treat it like any other exit.
    if (entry.exit !== undefined && !entry.stopping) this.onDeath(spec, entry.exit);
  }

  /** A child exited on its own: restart it after its backoff, or give up and report it. */
  private onDeath(spec: ChildSpec, exit: ChildExit): void {
    const { write } = this.options;
    const policy = this.options.restart;
    if (policy === undefined || this.closing.signal.aborted) {
      write(`[bourse] ${spec.name} exited unexpectedly (${describeExit(exit)})`);
      if (!this.closing.signal.aborted) this.options.onUnexpectedExit?.(exit);
      return;
    }
    const now = performance.now();
    const earlier = this.deaths.get(spec.name) ?? [];
    const decision = decideRestart(earlier, now, policy);
    this.deaths.set(spec.name, [...earlier.filter((t) => now - t < policy.windowMs), now]);
    if (!decision.restart) {
      write(
        `[bourse] ${spec.name} exited unexpectedly (${describeExit(exit)}); it died ${decision.deaths} times within ${policy.windowMs / 1_000} s and keeps dying, so it is not restarted again`,
      );
      this.options.onUnexpectedExit?.(exit);
      return;
    }
    const count = (this.restartCounts.get(spec.name) ?? 0) + 1;
    this.restartCounts.set(spec.name, count);
    write(
      `[bourse] ${spec.name} exited unexpectedly (${describeExit(exit)}); restarting it in ${decision.delayMs} ms (restart ${count}, death ${decision.attempt} of at most ${policy.maxRestarts} within ${policy.windowMs / 1_000} s)`,
    );
    void this.restartAfter(spec, decision.delayMs);
  }

  private async restartAfter(spec: ChildSpec, delayMs: number): Promise<void> {
    const signal = this.closing.signal;
    const waited = await sleep(delayMs, true, { signal }).catch(() => false);
    if (!waited || signal.aborted) return;
    try {
      await this.start(spec);
      this.options.write(`[bourse] ${spec.name} restarted`);
    } catch (err) {
      if (signal.aborted) return;
      // Failing to come back (exiting before its ready line) is one more death.
      this.options.write(`[bourse] ${err instanceof Error ? err.message : String(err)}`);
      const current = this.children.find((c) => c.spec.name === spec.name);
      this.onDeath(spec, current?.exit ?? { name: spec.name, pid: -1, code: null, signal: null });
    }
  }

  private waitForReady(
    entry: Running,
    ready: NonNullable<ChildSpec['ready']>,
    matchers: Array<(line: string) => void>,
  ): Promise<void> {
    const { name } = entry.spec;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new ChildFailedError(name, `${name} did not become ready within ${ready.timeoutMs} ms`));
      }, ready.timeoutMs);
      const match = (line: string) => {
        if (!ready.pattern.test(line)) return;
        done();
        resolve();
      };
      const done = () => {
        clearTimeout(timer);
        const i = matchers.indexOf(match);
        if (i >= 0) matchers.splice(i, 1);
      };
      matchers.push(match);
      void entry.exited.then((exit) => {
        done();
        reject(new ChildFailedError(name, `${name} exited before it was ready (${describeExit(exit)})`));
      });
    });
  }

  /** Stops every running child, last started first, each within the stop bound. Safe to call twice. */
  async stopAll(): Promise<StopReport[]> {
    this.closing.abort();
    const reports: StopReport[] = [];
    // By index: a restart under way when the stop began may still replace its entry.
    for (let i = this.children.length - 1; i >= 0; i--) {
      const entry = this.children[i] as Running;
      if (entry.stopping && entry.exit !== undefined) continue;
      reports.push(await this.stopOne(entry));
    }
    return reports;
  }

  private async stopOne(entry: Running): Promise<StopReport> {
    entry.stopping = true;
    if (entry.exit !== undefined) {
      signalGroup(entry.pid, 'SIGKILL'); // whatever it left behind in its group
      await groupGone(entry.pid, KILL_GRACE_MS);
      return { ...entry.exit, forced: false };
    }
    const { name } = entry.spec;
    const signal = entry.spec.stopSignal ?? 'SIGTERM';
    // One line per child: its stop is said once it is done (or overdue), not also when asked.
    const askedAt = performance.now();
    signalGroup(entry.pid, signal);
    let forced = false;
    let exit = await within(entry.exited, this.options.stopTimeoutMs);
    if (exit === undefined) {
      forced = true;
      this.options.write(`[bourse] ${name} did not stop within ${this.options.stopTimeoutMs} ms; killing it`);
      signalGroup(entry.pid, 'SIGKILL');
      exit = await within(entry.exited, KILL_GRACE_MS);
    }
    // The leader is gone; anything it spawned and left in its group goes with it.
    signalGroup(entry.pid, 'SIGKILL');
    await groupGone(entry.pid, KILL_GRACE_MS);
    const final = exit ?? { name, pid: entry.pid, code: null, signal: 'SIGKILL' as const };
    this.options.write(
      `[bourse] ${name} stopped (${signal}: ${describeExit(final)}, ${Math.round(performance.now() - askedAt)} ms)`,
    );
    return { ...final, forced };
  }
}

export function describeExit(exit: Pick<ChildExit, 'code' | 'signal'>): string {
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group is already empty, which is what a stop wants.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Waits (bounded) until no process of the group is left to signal; a reaped group answers ESRCH. */
async function groupGone(pid: number, boundMs: number): Promise<void> {
  if (pid <= 0) return;
  const deadline = performance.now() + boundMs;
  while (performance.now() < deadline) {
    if (!groupHasLiveMember(pid)) return;
    await sleep(20);
  }
}

function groupHasLiveMember(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  // Killed orphans are zombies until init reaps them; a zombie holds nothing, so it counts as gone.
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state, fields[2] the process group id.
      if (fields[2] === String(pid) && fields[0] !== 'Z') return true;
    }
    return false;
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
