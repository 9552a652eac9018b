// The parent watch with an injected parent pid; the launcher's process tests
// (services/cli/src/start/launcher.test.ts) cover a real SIGKILLed launcher.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PARENT_PID_ENV, watchParent } from './parent-watch.js';

/** A pid that is gone or a zombie waiting for a reaper (it holds nothing) is not running. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('watchParent', () => {
  it('watches nothing when the launcher did not name itself', () => {
    const gone: number[] = [];
    const watch = watchParent({ env: {}, parentPid: () => 1, onParentGone: (pid) => gone.push(pid) });
    expect(watch.parentPid).toBeUndefined();
    expect(gone).toEqual([]);
  });

  it('ignores a malformed pid instead of stopping the service', () => {
    const gone: number[] = [];
    for (const raw of ['abc', '1', '-5', '2.5']) {
      const watch = watchParent({
        env: { [PARENT_PID_ENV]: raw },
        parentPid: () => 1,
        onParentGone: (p) => gone.push(p),
      });
      expect(watch.parentPid).toBeUndefined();
    }
    expect(gone).toEqual([]);
  });

  it('reports once when the parent pid changes (the child was re-parented)', async () => {
    let parent = 4242;
    const gone: number[] = [];
    let notify: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => (notify = resolve));
    const watch = watchParent({
      env: { [PARENT_PID_ENV]: '4242' },
      intervalMs: 10,
      parentPid: () => parent,
      onParentGone: (pid) => {
        gone.push(pid);
        notify();
      },
    });
    expect(watch.parentPid).toBe(4242);
    expect(gone).toEqual([]);
    parent = 1;
    await reported;
    expect(gone).toEqual([4242]);
    watch.stop();
  });

  it('reports at once when the parent is already gone at start', () => {
    const gone: number[] = [];
    watchParent({ env: { [PARENT_PID_ENV]: '4242' }, parentPid: () => 1, onParentGone: (p) => gone.push(p) }).stop();
    expect(gone).toEqual([4242]);
  });

  it('stops a real child with SIGTERM once its parent is killed with SIGKILL', async () => {
    // The parent (sh) names itself, starts the child in the background and prints its pid; SIGKILL
    // of the parent re-parents the child, whose watch then sends the child SIGTERM.
    const childScript = [
      `import { watchParent } from ${JSON.stringify(new URL('./parent-watch.ts', import.meta.url).href)};`,
      `process.on('SIGTERM', () => { process.stdout.write('stopping on SIGTERM\\n'); process.exit(0); });`,
      `watchParent({ intervalMs: 20 });`,
      `process.stdout.write('watching\\n');`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const parent = spawn(
      'sh',
      ['-c', `${PARENT_PID_ENV}=$$ "$NODE" --import tsx --input-type=module -e "$SCRIPT" & echo "child $!"; wait`],
      { env: { ...process.env, NODE: process.execPath, SCRIPT: childScript }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve) => {
        const look = () => {
          const match = pattern.exec(text);
          if (match !== null) {
            parent.stdout.off('data', onData);
            resolve(match);
          }
        };
        const onData = (chunk: Buffer) => {
          text += chunk.toString('utf8');
          look();
        };
        parent.stdout.on('data', onData);
        look();
      });
    const childPid = Number((await seen(/child (\d+)/))[1]);
    await seen(/watching/);
    const parentGone = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await parentGone;
    // The child still holds the pipe, so its last line arrives and then the pipe closes.
    const closed = new Promise<void>((resolve) => parent.stdout.once('close', resolve));
    await seen(/stopping on SIGTERM/);
    await closed;
    expect(isRunning(childPid)).toBe(false);
  }, 20_000);
});
