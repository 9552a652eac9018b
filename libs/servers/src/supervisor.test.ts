// The supervisor with real child processes: small Node scripts written to a temp dir.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChildFailedError } from './errors.js';
import { isAlive, tempDir } from './testing.js';
import { Supervisor } from './supervisor.js';
import type { ChildExit, ChildSpec } from './types.js';

const dir = tempDir('bourse-supervisor-');

// Prints "ready", records each line of its life in a journal file, stops cleanly on SIGTERM.
const WELL_BEHAVED = `
const fs = require('node:fs');
const [name, journal] = process.argv.slice(2);
const note = (s) => fs.appendFileSync(journal, name + ' ' + s + '\\n');
note('started');
process.stdout.write('hello from ' + name + '\\npartial ');
process.stdout.write('line\\n');
process.stderr.write('a warning\\n');
// The handler goes in before "ready": a stop may follow the ready line at once.
process.on('SIGTERM', () => { note('stopping'); console.log('bye'); process.exit(0); });
console.log('ready');
setInterval(() => {}, 1000);
`;
// Ignores SIGTERM: only SIGKILL ends it.
const STUBBORN = `
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('ready');
setInterval(() => {}, 1000);
`;
// Exits with code 3 once the trigger file exists (the test creates it).
const CRASHES_ON_TRIGGER = `
const fs = require('node:fs');
const trigger = process.argv[2];
console.log('ready');
const t = setInterval(() => { if (fs.existsSync(trigger)) { clearInterval(t); console.error('boom'); process.exit(3); } }, 20);
`;
// Spawns a grandchild that would outlive it, and prints the grandchild's pid.
const SPAWNS_GRANDCHILD = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('grandchild ' + g.pid);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`;
const EXITS_AT_ONCE = `console.log('not for long'); process.exit(5);`;
// Dies (exit 3) once the trigger file appears, taking the trigger with it: a restarted copy lives on.
const DIES_ONCE_ON_TRIGGER = `
const fs = require('node:fs');
const trigger = process.argv[2];
console.log('ready ' + process.pid);
setInterval(() => { if (fs.existsSync(trigger)) { fs.unlinkSync(trigger); console.error('dying'); process.exit(3); } }, 20);
process.on('SIGTERM', () => process.exit(0));
`;
// Becomes ready, then dies, every time.
const ALWAYS_DIES = `console.log('ready'); setTimeout(() => process.exit(4), 30);`;

const scripts = {
  wellBehaved: dir.file('well-behaved.cjs', WELL_BEHAVED),
  stubborn: dir.file('stubborn.cjs', STUBBORN),
  crashes: dir.file('crashes.cjs', CRASHES_ON_TRIGGER),
  grandchild: dir.file('grandchild.cjs', SPAWNS_GRANDCHILD),
  exitsAtOnce: dir.file('exits.cjs', EXITS_AT_ONCE),
  diesOnce: dir.file('dies-once.cjs', DIES_ONCE_ON_TRIGGER),
  alwaysDies: dir.file('always-dies.cjs', ALWAYS_DIES),
};
const FAST_RESTARTS = { initialDelayMs: 20, maxDelayMs: 100, maxRestarts: 3, windowMs: 60_000 };

function node(name: string, script: string, args: string[] = [], readyPattern: RegExp | null = /^ready$/): ChildSpec {
  return {
    name,
    command: process.execPath,
    args: [script, ...args],
    ...(readyPattern ? { ready: { pattern: readyPattern, timeoutMs: 10_000 } } : {}),
  };
}

const supervisors: Supervisor[] = [];
function supervisor(
  options: {
    stopTimeoutMs?: number;
    onUnexpectedExit?: (e: ChildExit) => void;
    restart?: typeof FAST_RESTARTS;
  } = {},
) {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const s = new Supervisor({
    write: (l) => {
      lines.push(l);
      for (const w of waiters.filter((w) => w.pattern.test(l))) w.resolve(l);
    },
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
    ...(options.onUnexpectedExit ? { onUnexpectedExit: options.onUnexpectedExit } : {}),
    ...(options.restart ? { restart: options.restart } : {}),
  });
  supervisors.push(s);
  /** Resolves with the first line (already written or still to come) that matches. */
  const when = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
  };
  return { s, lines, when };
}

afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stopAll();
});
afterAll(() => dir.remove());

describe('Supervisor', () => {
  it('starts children in order, each ready before the next, and prefixes every line', async () => {
    const journal = join(dir.path, 'journal-order.txt');
    const { s, lines } = supervisor();
    await s.startAll([
      node('alpha', scripts.wellBehaved, ['alpha', journal]),
      node('beta', scripts.wellBehaved, ['beta', journal]),
    ]);

    expect(s.running()).toEqual(['alpha', 'beta']);
    expect(readFileSync(journal, 'utf8')).toBe('alpha started\nbeta started\n');
    expect(lines).toContain('[alpha] hello from alpha');
    expect(lines).toContain('[alpha] partial line');
    expect(lines).toContain('[alpha] a warning');
    expect(lines.indexOf('[alpha] ready')).toBeLessThan(lines.indexOf('[beta] hello from beta'));
  });

  it('stops children in reverse order and reports how each exited', async () => {
    const journal = join(dir.path, 'journal-stop.txt');
    const { s, lines } = supervisor();
    await s.startAll([
      node('alpha', scripts.wellBehaved, ['alpha', journal]),
      node('beta', scripts.wellBehaved, ['beta', journal]),
    ]);

    const reports = await s.stopAll();
    expect(reports.map((r) => [r.name, r.code, r.forced])).toEqual([
      ['beta', 0, false],
      ['alpha', 0, false],
    ]);
    expect(readFileSync(journal, 'utf8')).toBe('alpha started\nbeta started\nbeta stopping\nalpha stopping\n');
    expect(lines).toContain('[beta] bye');
    expect(s.running()).toEqual([]);
    for (const r of reports) expect(isAlive(r.pid)).toBe(false);
    expect(await s.stopAll()).toEqual([]);
  });

  it('kills a child that does not stop within the bound', async () => {
    const { s, lines } = supervisor({ stopTimeoutMs: 300 });
    await s.start(node('stubborn', scripts.stubborn));
    const [report] = await s.stopAll();
    expect(report?.forced).toBe(true);
    expect(report?.signal).toBe('SIGKILL');
    expect(isAlive(report?.pid ?? 0)).toBe(false);
    expect(lines).toContain('[stubborn] ignoring SIGTERM');
    expect(lines.some((l) => l.includes('did not stop within 300 ms'))).toBe(true);
  });

  it('reports a child that exits on its own, once', async () => {
    const trigger = join(dir.path, 'trigger');
    const exits: ChildExit[] = [];
    let notify: (e: ChildExit) => void = () => undefined;
    const reported = new Promise<ChildExit>((resolve) => (notify = resolve));
    const { s, lines } = supervisor({
      onUnexpectedExit: (e) => {
        exits.push(e);
        notify(e);
      },
    });
    await s.start(node('fragile', scripts.crashes, [trigger]));
    expect(existsSync(trigger)).toBe(false);
    writeFileSync(trigger, '');

    const exit = await reported;
    expect(exit).toMatchObject({ name: 'fragile', code: 3, signal: null });
    expect(lines).toContain('[fragile] boom');
    expect(lines.at(-1)).toBe('[bourse] fragile exited unexpectedly (exit code 3)');
    expect(s.running()).toEqual([]);
    await s.stopAll();
    expect(exits).toHaveLength(1);
  });

  it('stops the processes a child spawned, not only the child', async () => {
    const { s, lines } = supervisor();
    await s.start(node('parent', scripts.grandchild, [], /^grandchild \d+$/));
    const pid = Number(/\[parent\] grandchild (\d+)/.exec(lines.join('\n'))?.[1]);
    expect(isAlive(pid)).toBe(true);
    await s.stopAll();
    expect(isAlive(pid)).toBe(false);
  });

  it('fails start() when the command does not exist', async () => {
    const { s } = supervisor();
    const err = await s
      .start({ name: 'ghost', command: join(dir.path, 'no-such-binary'), args: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildFailedError);
    expect((err as ChildFailedError).message).toMatch(/ghost could not be started.*ENOENT/);
  });

  it('fails start() when the child exits before it is ready', async () => {
    const { s, lines } = supervisor();
    const err = await s.start(node('quitter', scripts.exitsAtOnce)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildFailedError);
    expect((err as Error).message).toBe('quitter exited before it was ready (exit code 5)');
    expect(lines).toContain('[quitter] not for long');
    expect(lines.some((l) => l.includes('exited unexpectedly'))).toBe(false);
  });

  it('fails start() and stops the child when it misses its ready bound', async () => {
    const { s } = supervisor({ stopTimeoutMs: 2_000 });
    const spec = { ...node('slow', scripts.stubborn), ready: { pattern: /never printed/, timeoutMs: 200 } };
    const err = await s.start(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildFailedError);
    expect((err as Error).message).toBe('slow did not become ready within 200 ms');
    expect(s.running()).toEqual([]);
  });

  it('refuses to start a second child under a running name', async () => {
    const journal = join(dir.path, 'journal-dup.txt');
    const { s } = supervisor();
    await s.start(node('alpha', scripts.wellBehaved, ['alpha', journal]));
    await expect(s.start(node('alpha', scripts.wellBehaved, ['alpha', journal]))).rejects.toThrow('already running');
  });

  it('restarts a child that dies, counts it, and leaves the others running', async () => {
    const trigger = join(dir.path, 'trigger-restart');
    const journal = join(dir.path, 'journal-restart.txt');
    const exits: ChildExit[] = [];
    const { s, when } = supervisor({ restart: FAST_RESTARTS, onUnexpectedExit: (e) => exits.push(e) });
    await s.start(node('steady', scripts.wellBehaved, ['steady', journal]));
    await s.start(node('fragile', scripts.diesOnce, [trigger], /^ready \d+$/));
    const firstPid = Number(/ready (\d+)/.exec(await when(/\[fragile\] ready/))?.[1]);
    writeFileSync(trigger, '');

    await when(/fragile restarted/);
    expect(await when(/fragile exited unexpectedly/)).toBe(
      '[bourse] fragile exited unexpectedly (exit code 3); restarting it in 20 ms (restart 1, death 1 of at most 3 within 60 s)',
    );
    expect(s.running()).toEqual(['steady', 'fragile']);
    expect(s.restarts()).toEqual({ fragile: 1 });
    expect(isAlive(firstPid)).toBe(false);
    expect(readFileSync(journal, 'utf8')).toBe('steady started\n');
    expect(exits).toEqual([]);

    // The restarted child keeps its place: stopped after nothing, before `steady`.
    const reports = await s.stopAll();
    expect(reports.map((r) => r.name)).toEqual(['fragile', 'steady']);
    for (const r of reports) expect(isAlive(r.pid)).toBe(false);
  });

  it('gives up on a child that keeps dying and reports it once', async () => {
    let notify: (e: ChildExit) => void = () => undefined;
    const reported = new Promise<ChildExit>((resolve) => (notify = resolve));
    const exits: ChildExit[] = [];
    const { s, lines } = supervisor({
      restart: FAST_RESTARTS,
      onUnexpectedExit: (e) => {
        exits.push(e);
        notify(e);
      },
    });
    await s.start(node('doomed', scripts.alwaysDies));
    expect(await reported).toMatchObject({ name: 'doomed', code: 4 });
    expect(s.restarts()).toEqual({ doomed: 3 });
    expect(lines.filter((l) => l.includes('restarting it in'))).toHaveLength(3);
    expect(lines.at(-1)).toBe(
      '[bourse] doomed exited unexpectedly (exit code 4); it died 4 times within 60 s and keeps dying, so it is not restarted again',
    );
    await s.stopAll();
    expect(exits).toHaveLength(1);
  });

  it('tells each child its own pid as the parent to watch', async () => {
    const { s, when } = supervisor();
    const script = dir.file(
      'parent.cjs',
      `console.log('parent ' + process.env.BOURSE_PARENT_PID + ' ' + process.ppid);`,
    );
    await s.start(node('child', script, [], null));
    expect(await when(/\[child\] parent/)).toBe(`[child] parent ${process.pid} ${process.pid}`);
  });
});
