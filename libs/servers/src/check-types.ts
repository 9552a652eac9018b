import type { BusCredentials } from '@bourse/bus';
import type { ServerKind } from './url.js';

/** Bound on one server check, connection included; long enough for a loaded laptop, short enough to feel instant. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/**
 * ok: answers and is usable. missing: nothing answers (refused, unreachable, timed out).
 * failed: something answers but cannot be used as configured (JetStream off, wrong password, not that server).
 */
export type CheckStatus = 'ok' | 'missing' | 'failed';

export interface CheckResult {
  readonly kind: ServerKind;
  /** Display name: NATS, PostgreSQL, Redis. */
  readonly server: string;
  /** The configured URL with its password masked. */
  readonly url: string;
  /** host:port the URL points at. */
  readonly endpoint: string;
  readonly status: CheckStatus;
  readonly version?: string;
  /** What was found (when ok) or what is wrong (otherwise). Already free of secrets. */
  readonly detail: string;
  /** Facts worth knowing that are not failures, e.g. the database that `bourse start` will create. */
  readonly notes: readonly string[];
  /** How to start or fix it; present unless status is ok. */
  readonly hint?: string;
}

export interface CheckOptions {
  /** Bound on the whole check, connection included. */
  readonly timeoutMs: number;
  /** NATS credentials, for a server with users (the one `bourse start` runs). */
  readonly natsCredentials?: BusCredentials;
}
