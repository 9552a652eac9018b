// Graceful shutdown: run the service's steps in order (stop taking work, drain, flush, close),
// and finish within a bound. A clean shutdown is one info line; each step is logged at debug, and
// a failed step or a missed bound at error, with every step's outcome. `Shutdown` holds the logic and returns the outcome;
// `installShutdown` is the thin layer that ties it to SIGTERM/SIGINT and exits the process.

import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { TelemetryError, TelemetryErrorCode } from './errors.js';
import { maskSecrets } from './secrets.js';
import type { ShutdownOutcome, ShutdownStatus, ShutdownStep, ShutdownStepResult } from './types.js';

export interface ShutdownOptions {
  logger: Logger;
  /** The whole shutdown must finish within this bound; past it the outcome is `timeout`. */
  timeoutMs: number;
  /** Run one after another, in this order. */
  steps: readonly ShutdownStep[];
  /** Monotonic milliseconds for step durations; `performance.now` by default. */
  now?: () => number;
}

export class Shutdown {
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly steps: readonly ShutdownStep[];
  private readonly now: () => number;
  private running: Promise<ShutdownOutcome> | undefined;

  constructor(options: ShutdownOptions) {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new TelemetryError(
        TelemetryErrorCode.INVALID_OPTION,
        'Shutdown: `timeoutMs` must be a positive number',
        options.timeoutMs,
      );
    }
    const names = new Set<string>();
    for (const step of options.steps) {
      if (typeof step.name !== 'string' || step.name === '' || typeof step.run !== 'function') {
        throw new TelemetryError(
          TelemetryErrorCode.INVALID_OPTION,
          'Shutdown: each step needs a name and a run function',
          step.name,
        );
      }
      if (names.has(step.name)) {
        throw new TelemetryError(
          TelemetryErrorCode.INVALID_OPTION,
          `Shutdown: step name "${step.name}" is used twice`,
          step.name,
        );
      }
      names.add(step.name);
    }
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs;
    this.steps = [...options.steps];
    this.now = options.now ?? (() => performance.now());
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs the steps once; later calls return the same outcome. Never rejects. */
  run(reason: string): Promise<ShutdownOutcome> {
    this.running ??= this.execute(reason);
    return this.running;
  }

  private async execute(reason: string): Promise<ShutdownOutcome> {
    const log = this.logger;
    const results: ShutdownStepResult[] = this.steps.map((step) => ({ name: step.name, status: 'skipped' }));
    let timedOut = false;
    let failed = false;
    const startedAt = this.now();
    log.debug({ reason, timeoutMs: this.timeoutMs, steps: this.steps.map((s) => s.name) }, 'shutdown started');

    const allSteps = (async () => {
      for (const [index, step] of this.steps.entries()) {
        const result = results[index];
        if (timedOut || result === undefined) return;
        result.status = 'unfinished';
        log.debug({ step: step.name }, 'shutdown step started');
        const startedAt = this.now();
        try {
          await step.run();
          result.status = 'done';
        } catch (err) {
          // Keep going: a failed drain must not leave connections open or the outbox unflushed.
          failed = true;
          result.status = 'failed';
          result.error = maskSecrets(err instanceof Error ? err.message : String(err));
          log.error({ step: step.name, err }, 'shutdown step failed');
        }
        result.durationMs = Math.round(this.now() - startedAt);
        if (!timedOut && result.status === 'done')
          log.debug({ step: step.name, durationMs: result.durationMs }, 'shutdown step done');
      }
    })();

    let timer: NodeJS.Timeout | undefined;
    // Deliberately not unref'd: while a step hangs, this timer is what keeps the process alive to exit with 1.
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    const finished = await Promise.race([allSteps.then(() => 'done' as const), deadline]);
    clearTimeout(timer);

    if (finished === 'timeout') {
      timedOut = true;
      const pending = results.filter((r) => r.status === 'unfinished').map((r) => r.name);
      log.error({ timeoutMs: this.timeoutMs, unfinished: pending }, 'shutdown bound reached');
    }
    const status: ShutdownStatus = timedOut ? 'timeout' : failed ? 'failed' : 'clean';
    const outcome: ShutdownOutcome = { reason, status, exitCode: status === 'clean' ? 0 : 1, steps: results };
    if (status === 'clean') {
      log.debug({ status, steps: results }, 'shutdown steps');
      log.info({ reason, durationMs: Math.round(this.now() - startedAt) }, 'shutdown complete');
    } else log.error({ status, steps: results }, 'shutdown finished with errors');
    return outcome;
  }
}

/** What `installShutdown` listens on; `process` by default, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface InstallShutdownOptions extends ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  signalSource?: SignalSource;
  /** `process.exit` by default. */
  exit?: (code: number) => void;
}

export interface InstalledShutdown {
  readonly shutdown: Shutdown;
  /** Runs the shutdown as a signal would (e.g. on a fatal error), then exits. */
  trigger(reason: string): Promise<ShutdownOutcome>;
  /** Removes the signal listeners. */
  uninstall(): void;
}

/** Runs `steps` on SIGTERM/SIGINT, then exits with 0 when clean and 1 on timeout or a failed step. */
export function installShutdown(options: InstallShutdownOptions): InstalledShutdown {
  const shutdown = new Shutdown(options);
  const { logger, signals = ['SIGTERM', 'SIGINT'], signalSource = process } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));

  let exiting: Promise<ShutdownOutcome> | undefined;
  const trigger = (reason: string): Promise<ShutdownOutcome> => {
    exiting ??= shutdown.run(reason).then((outcome) => {
      logger.flush();
      exit(outcome.exitCode);
      return outcome;
    });
    return exiting;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown.started) {
      logger.warn({ signal }, 'signal received while shutting down; the bound still applies');
      return;
    }
    void trigger(signal);
  };
  for (const signal of signals) signalSource.on(signal, onSignal);
  return {
    shutdown,
    trigger,
    uninstall() {
      for (const signal of signals) signalSource.off(signal, onSignal);
    },
  };
}
