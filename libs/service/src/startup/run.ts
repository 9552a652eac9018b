// The last two steps of a start: run the service's own start, and stop cleanly when it fails; and
// the process's entry, which turns an error that escaped everything into exit code 1.

import type { InstalledShutdown } from '@bourse/telemetry';
import type { ServiceBase } from './service-base.js';

export interface StartOptions {
  /** The fatal log line when the start fails, e.g. "order manager failed to start". */
  readonly failure: string;
  /** Logged with the failure (never a secret: e.g. the database URL redacted). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Run before the shutdown when the start fails (closing what the shutdown does not know). */
  readonly onFailure?: () => Promise<void>;
}

/**
 * Runs `start`; when it throws, logs the failure, runs the shutdown steps (without the signal
 * handlers) and exits 1. A service is never left half-started.
 */
export async function startOrExit(
  base: ServiceBase,
  installed: InstalledShutdown,
  start: () => Promise<void>,
  options: StartOptions,
): Promise<void> {
  try {
    await start();
  } catch (err) {
    await options.onFailure?.();
    base.logger.fatal({ err, ...options.context }, options.failure);
    installed.uninstall();
    await installed.shutdown.run('start failed');
    base.logger.flush();
    process.exit(1);
  }
}

/** Calls `main`; an error that escapes it prints `<service>: failed to start: <message>` and exits 1. */
export function runMain(
  service: string,
  main: () => Promise<void>,
  describe: (err: unknown) => string = (err) => (err instanceof Error ? err.message : String(err)),
): void {
  main().catch((err: unknown) => {
    console.error(`${service}: failed to start: ${describe(err)}`);
    process.exit(1);
  });
}
