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

/** `.bourse/nats-users.json` cannot be read as a password for every NATS user (never echoes its content). */
export class NatsUsersFileError extends Error {
  override readonly name = 'NatsUsersFileError';
  readonly code = 'NATS_USERS_FILE_INVALID';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
