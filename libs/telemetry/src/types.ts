// Shapes shared by the ops server, readiness and shutdown.

/** The answer of a liveness or readiness check. */
export interface CheckResult {
  ok: boolean;
  /** Why not ok (shown in the `/readyz` body); masked for secrets before they are served. */
  reasons?: readonly string[];
}

/** A liveness or readiness check. A throw or rejection counts as not ok. */
export type Check = () => CheckResult | Promise<CheckResult>;

/** One step of a graceful shutdown, run in list order. */
export interface ShutdownStep {
  /** Short name for logs: `stop-intake`, `drain`, `flush-outbox`, `close-nats`. */
  name: string;
  run: () => void | Promise<void>;
}

export type ShutdownStatus = 'clean' | 'failed' | 'timeout';

export interface ShutdownStepResult {
  name: string;
  status: 'done' | 'failed' | 'unfinished' | 'skipped';
  durationMs?: number;
  /** The step's error message (masked), when it failed. */
  error?: string;
}

export interface ShutdownOutcome {
  reason: string;
  /** `clean`: every step done in time; `failed`: a step threw; `timeout`: the bound was hit. */
  status: ShutdownStatus;
  exitCode: 0 | 1;
  steps: ShutdownStepResult[];
}
