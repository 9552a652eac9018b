/** A supervised child process failed to start, to become ready, or exited on its own. */
export class ChildFailedError extends Error {
  override readonly name = 'ChildFailedError';
  readonly code = 'CHILD_FAILED';
  constructor(
    readonly child: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
