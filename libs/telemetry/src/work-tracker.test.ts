import { describe, expect, it } from 'vitest';
import { isWorkRefused } from './errors.js';
import { WorkTracker } from './work-tracker.js';

describe('WorkTracker', () => {
  it('drains at once when idle, and counts a failing job out as well as a passing one', async () => {
    const work = new WorkTracker();
    await work.drain();
    await expect(work.run('bad', () => Promise.reject(new Error('venue down')))).rejects.toThrow('venue down');
    await expect(work.run('good', () => 7)).resolves.toBe(7);
    expect(work.inFlight).toBe(0);
    await work.drain();
  });

  it('refuses new work after stopAccepting without calling the job', async () => {
    const work = new WorkTracker();
    work.stopAccepting();
    let called = false;
    await expect(work.run('late', () => (called = true))).rejects.toSatisfy(isWorkRefused);
    expect(called).toBe(false);
    expect(work.isAccepting).toBe(false);
  });
});
