// Typed errors for the telemetry toolkit. None of them ever carries a secret: where the offending
// input could be one (a registered secret value), the error names the problem and leaves the value out.

export const TelemetryErrorCode = {
  /** An option passed to one of the factories is missing or malformed. */
  INVALID_OPTION: 'INVALID_OPTION',
  /** A metric label name that would carry an id or a secret (unbounded cardinality or a leak). */
  FORBIDDEN_LABEL: 'FORBIDDEN_LABEL',
  /** A metric name already registered with a different type. */
  METRIC_TYPE_CONFLICT: 'METRIC_TYPE_CONFLICT',
  /** `startTelemetry` called while a previous start is still running. */
  ALREADY_STARTED: 'ALREADY_STARTED',
  /** The ops server could not bind its port. */
  LISTEN_FAILED: 'LISTEN_FAILED',
  /** New work offered after shutdown began. */
  WORK_REFUSED: 'WORK_REFUSED',
} as const;
export type TelemetryErrorCode = (typeof TelemetryErrorCode)[keyof typeof TelemetryErrorCode];

export class TelemetryError extends Error {
  override readonly name = 'TelemetryError';
  readonly code: TelemetryErrorCode;
  /** The offending value (an option, a label name); never a secret. */
  readonly value: unknown;

  constructor(code: TelemetryErrorCode, message: string, value?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.value = value;
  }
}

export function isTelemetryError(err: unknown, code?: TelemetryErrorCode): err is TelemetryError {
  return err instanceof TelemetryError && (code === undefined || err.code === code);
}

/** True when `err` is the refusal a `WorkTracker` throws once shutdown has begun. */
export function isWorkRefused(err: unknown): err is TelemetryError {
  return isTelemetryError(err, TelemetryErrorCode.WORK_REFUSED);
}
