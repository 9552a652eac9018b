import { describe, expect, it } from 'vitest';
import type { ReconciliationTrigger } from '@bourse/contracts';
import { RunQueue } from './run-queue.js';

describe('RunQueue', () => {
  it('runs one at a time; triggers that arrive meanwhile share the next run under the strongest trigger', async () => {
    const started: ReconciliationTrigger[] = [];
    const gates: (() => void)[] = [];
    const queue = new RunQueue(async (trigger) => {
      started.push(trigger);
      await new Promise<void>((resolve) => gates.push(resolve));
      return `${trigger}#${started.length}`;
    });
    const first = queue.request('schedule');
    const a = queue.request('reconnect');
    const b = queue.request('operator');
    const c = queue.request('schedule');
    expect(started).toEqual(['schedule']);
    gates.shift()?.();
    expect(await first).toBe('schedule#1');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(['schedule', 'operator']);
    gates.shift()?.();
    expect(await Promise.all([a, b, c])).toEqual(['operator#2', 'operator#2', 'operator#2']);
    expect(queue.busy).toBe(false);
    await queue.stop();
    await expect(queue.request('operator')).rejects.toThrow(/stopping/);
  });
});
