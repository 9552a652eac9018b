import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isWorkRefused } from './errors.js';
import { createLogger } from './logger.js';
import { installShutdown, Shutdown } from './shutdown.js';
import { captureLogs } from './testing.js';
import { WorkTracker } from './work-tracker.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function testLogger(level: 'debug' | 'info' = 'debug') {
  const logs = captureLogs();
  return { logs, logger: createLogger({ service: 'svc', level, destination: logs.destination }) };
}

describe('Shutdown', () => {
  it('stops intake, drains in-flight work before closing, and refuses new work meanwhile', async () => {
    const { logs, logger } = testLogger();
    const work = new WorkTracker();
    const events: string[] = [];
    const slowJob = deferred();
    const job = work.run('submit order', async () => {
      await slowJob.promise;
      events.push('job done');
      return 'filled';
    });
    const draining = deferred();
    const shutdown = new Shutdown({
      logger,
      timeoutMs: 10_000,
      steps: [
        { name: 'stop-intake', run: () => work.stopAccepting() },
        {
          name: 'drain',
          run: async () => {
            draining.resolve();
            await work.drain();
          },
        },
        { name: 'close', run: () => void events.push('close') },
      ],
    });

    const outcome = shutdown.run('SIGTERM');
    await draining.promise;
    expect(work.inFlight).toBe(1);
    expect(events).toEqual([]);
    await expect(work.run('late intent', () => 'never')).rejects.toSatisfy(isWorkRefused);

    slowJob.resolve();
    await expect(job).resolves.toBe('filled');
    expect(await outcome).toMatchObject({
      reason: 'SIGTERM',
      status: 'clean',
      exitCode: 0,
      steps: [
        { name: 'stop-intake', status: 'done' },
        { name: 'drain', status: 'done' },
        { name: 'close', status: 'done' },
      ],
    });
    expect(events).toEqual(['job done', 'close']);
    const started = logs.entries().filter((e) => e.msg === 'shutdown step started');
    expect(started.map((e) => e.step)).toEqual(['stop-intake', 'drain', 'close']);
    expect(shutdown.run('again')).toBe(shutdown.run('SIGINT'));
  });

  it('says a clean shutdown in one info line; the steps are at debug', async () => {
    const { logs, logger } = testLogger('info');
    const shutdown = new Shutdown({
      logger,
      timeoutMs: 10_000,
      steps: [
        { name: 'stop-intake', run: () => undefined },
        { name: 'close', run: () => undefined },
      ],
    });
    expect((await shutdown.run('SIGTERM')).status).toBe('clean');
    expect(logs.entries().map((e) => [e.level, e.msg, e.reason])).toEqual([['info', 'shutdown complete', 'SIGTERM']]);
    expect(typeof logs.entries()[0]?.durationMs).toBe('number');
  });

  it('gives the timeout outcome when a step hangs past the bound, and runs no later step', async () => {
    const { logs, logger } = testLogger();
    let closed = false;
    const shutdown = new Shutdown({
      logger,
      timeoutMs: 50,
      steps: [
        { name: 'drain', run: () => new Promise<void>(() => undefined) },
        { name: 'close', run: () => void (closed = true) },
      ],
    });
    const outcome = await shutdown.run('SIGTERM');
    expect(outcome).toMatchObject({
      status: 'timeout',
      exitCode: 1,
      steps: [
        { name: 'drain', status: 'unfinished' },
        { name: 'close', status: 'skipped' },
      ],
    });
    expect(closed).toBe(false);
    expect(logs.entries().find((e) => e.msg === 'shutdown bound reached')).toMatchObject({ unfinished: ['drain'] });
  });

  it('keeps closing after a step throws, reports failure, and masks the error', async () => {
    const { logs, logger } = testLogger();
    let closed = false;
    const shutdown = new Shutdown({
      logger,
      timeoutMs: 10_000,
      steps: [
        {
          name: 'flush-outbox',
          run: () => {
            throw new Error('postgres://app:hunter22@db/x went away');
          },
        },
        { name: 'close', run: () => void (closed = true) },
      ],
    });
    const outcome = await shutdown.run('SIGINT');
    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.steps[0]).toMatchObject({ status: 'failed', error: 'postgres://app:***@db/x went away' });
    expect(closed).toBe(true);
    expect(logs.text()).not.toContain('hunter22');
  });

  it('rejects a non-positive bound and duplicate step names', () => {
    const { logger } = testLogger();
    expect(() => new Shutdown({ logger, timeoutMs: 0, steps: [] })).toThrow(/timeoutMs/);
    const step = { name: 'close', run: () => undefined };
    expect(() => new Shutdown({ logger, timeoutMs: 10, steps: [step, step] })).toThrow(/twice/);
  });
});

describe('installShutdown', () => {
  it('runs the steps on SIGTERM and exits 0; a second signal does not start another shutdown', async () => {
    const { logs, logger } = testLogger();
    const signals = new EventEmitter();
    const exited = deferred<number>();
    const exitCodes: number[] = [];
    let closes = 0;
    const installed = installShutdown({
      logger,
      timeoutMs: 10_000,
      steps: [{ name: 'close', run: () => void (closes += 1) }],
      signalSource: signals,
      exit: (code) => {
        exitCodes.push(code);
        exited.resolve(code);
      },
    });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(await exited.promise).toBe(0);
    await installed.trigger('again');
    expect(exitCodes).toEqual([0]);
    expect(closes).toBe(1);
    expect(logs.entries().some((e) => e.msg === 'signal received while shutting down; the bound still applies')).toBe(
      true,
    );
    installed.uninstall();
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });

  it('exits 1 when the bound is hit', async () => {
    const { logger } = testLogger();
    const signals = new EventEmitter();
    const exited = deferred<number>();
    installShutdown({
      logger,
      timeoutMs: 50,
      steps: [{ name: 'drain', run: () => new Promise<void>(() => undefined) }],
      signalSource: signals,
      exit: (code) => exited.resolve(code),
    });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited.promise).toBe(1);
  });
});
