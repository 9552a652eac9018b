// The one error a configuration loader throws. Its `value` is the name of the variable (or several,
// comma-separated) that is wrong, never its content: a URL or a key may be a secret. The start-up
// sequence prints the message and exits 2 on it; each service names its own subclass.

export class ServiceConfigError extends Error {
  override readonly name: string = 'ServiceConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isServiceConfigError(err: unknown): err is ServiceConfigError {
  return err instanceof ServiceConfigError;
}
