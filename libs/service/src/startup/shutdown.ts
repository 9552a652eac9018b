// The ordered shutdown on SIGTERM/SIGINT: first not ready (so no new work is routed here), then
// the service's own steps in the order it gives (stop intake, close venues, drain NATS, close the
// pool...), then the ops server and telemetry last, so /healthz and the final spans outlive the rest.
// A process started by `bourse start` also stops this way once its launcher is gone.

import type { Bus } from '@bourse/bus';
import { installShutdown, watchParent, type InstalledShutdown, type ShutdownStep } from '@bourse/telemetry';
import type { ServicePool } from './pool.js';
import type { ServiceBase } from './service-base.js';

export interface ServiceShutdownOptions {
  /** The whole shutdown's bound. */
  readonly timeoutMs: number;
  /** The service's own steps, between `not-ready` and `close-ops`. */
  readonly steps: readonly ShutdownStep[];
  /** Exit code chooser (`process.exit` by default); the market-data gateway exits 1 after a failed start. */
  readonly exit?: (code: number) => void;
}

export function installServiceShutdown(base: ServiceBase, options: ServiceShutdownOptions): InstalledShutdown {
  const { logger, readiness, ops, telemetry } = base;
  const installed = installShutdown({
    logger,
    timeoutMs: options.timeoutMs,
    ...(options.exit !== undefined ? { exit: options.exit } : {}),
    steps: [
      { name: 'not-ready', run: () => readiness.block('shutdown', 'shutting down') },
      ...options.steps,
      { name: 'close-ops', run: () => ops.close() },
      { name: 'telemetry', run: () => telemetry.shutdown() },
    ],
  });
  // Started by `bourse start`: stop (through the shutdown above) once the launcher is gone.
  watchParent();
  return installed;
}

/** Drains the bus: in-flight handlers finish, then the connection closes. */
export function drainBus(bus: Pick<Bus, 'drain'>): ShutdownStep {
  return { name: 'drain-nats', run: () => bus.drain() };
}

export function closePool(pool: Pick<ServicePool, 'end'>): ShutdownStep {
  return { name: 'close-pool', run: () => pool.end() };
}
