// Readiness as a set of named blockers. A service starts blocked on everything it must do before
// taking work (load state, connect streams, reconcile) and unblocks each as it completes; a
// reconnect or shutdown blocks again. `/readyz` is 200 exactly when no blocker remains.

import type { CheckResult } from './types.js';

export class ReadinessGate {
  private readonly blockers = new Map<string, string>();

  /** `initial` maps each startup condition to the reason shown while it is pending. */
  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, reason] of Object.entries(initial)) this.blockers.set(name, reason);
  }

  /** Marks `name` as not ready (or updates its reason). */
  block(name: string, reason: string): void {
    this.blockers.set(name, reason);
  }

  /** Marks `name` as ready; unknown names are fine (idempotent). */
  unblock(name: string): void {
    this.blockers.delete(name);
  }

  get isReady(): boolean {
    return this.blockers.size === 0;
  }

  /** The readiness check for `startOpsServer`; bound, so it can be passed as `ready: gate.check`. */
  readonly check = (): CheckResult => ({
    ok: this.blockers.size === 0,
    reasons: [...this.blockers].map(([name, reason]) => `${name}: ${reason}`),
  });
}
