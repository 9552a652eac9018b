// Typed errors for the PostgreSQL layer. None of them ever carries a password: messages name the
// database by its redacted URL (`postgres://user:***@host/db`) and texts from the driver are masked
// before they are quoted.

export const StoreErrorCode = {
  /** DATABASE_URL (or a URL passed in) is not a usable postgres:// URL. */
  INVALID_URL: 'STORE_INVALID_URL',
  /** An option passed to one of the functions is missing or malformed. */
  INVALID_OPTION: 'STORE_INVALID_OPTION',
  /** The server did not answer or refused the connection. */
  CONNECT_FAILED: 'STORE_CONNECT_FAILED',
  /** CREATE DATABASE (or DROP DATABASE for test databases) failed for a reason other than a race. */
  DATABASE_SETUP_FAILED: 'STORE_DATABASE_SETUP_FAILED',
  /** BEGIN, COMMIT or ROLLBACK itself failed. */
  TRANSACTION_FAILED: 'STORE_TRANSACTION_FAILED',
  /** A serializable transaction kept conflicting after every allowed attempt. */
  RETRIES_EXHAUSTED: 'STORE_RETRIES_EXHAUSTED',
  /** A row changed since it was read: the optimistic version check failed. */
  VERSION_CONFLICT: 'STORE_VERSION_CONFLICT',
  /** A migration file name, version or set of files is malformed. */
  MIGRATION_INVALID: 'STORE_MIGRATION_INVALID',
  /** An applied migration's SQL was edited after it ran. */
  MIGRATION_CHECKSUM_MISMATCH: 'STORE_MIGRATION_CHECKSUM_MISMATCH',
  /** The database records a migration this code does not have (a newer release migrated it). */
  MIGRATION_UNKNOWN_APPLIED: 'STORE_MIGRATION_UNKNOWN_APPLIED',
  /** A pending migration is numbered below one already applied (two branches merged). */
  MIGRATION_OUT_OF_ORDER: 'STORE_MIGRATION_OUT_OF_ORDER',
  /** A migration's SQL failed; its transaction was rolled back and the version left unrecorded. */
  MIGRATION_FAILED: 'STORE_MIGRATION_FAILED',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

/** Base of every error this package throws: `code` says what went wrong, `value` what was offered. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The offending value (a redacted URL, a file name, a version); never a secret. */
    readonly value?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** BEGIN, COMMIT or ROLLBACK failed; `sqlState` is PostgreSQL's code when the server sent one. */
export class TransactionError extends StoreError {
  override readonly name = 'TransactionError';
  constructor(
    readonly step: 'begin' | 'commit' | 'rollback',
    readonly sqlState: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(StoreErrorCode.TRANSACTION_FAILED, message, step, options);
  }
}

/** An optimistic concurrency check failed: the row is at `actual`, the caller expected `expected`. */
export class VersionConflictError extends StoreError {
  override readonly name = 'VersionConflictError';
  constructor(
    /** The table or aggregate, e.g. `orders`. */
    readonly entity: string,
    /** The row's key, e.g. the client order id. */
    readonly key: string,
    readonly expected: number,
    /** The version found, or undefined when the row does not exist. */
    readonly actual: number | undefined,
  ) {
    const found = actual === undefined ? 'no row' : `version ${actual}`;
    super(
      StoreErrorCode.VERSION_CONFLICT,
      `${entity} ${key}: expected version ${expected}, found ${found}; reload it and apply the change again`,
      { entity, key, expected, actual },
    );
  }
}

/** A migration problem; `file` names the migration (`0002_fills.sql`) when one is at fault. */
export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  constructor(
    code: StoreErrorCode,
    readonly file: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, file, options);
  }
}

/** PostgreSQL's SQLSTATE of a driver error, when it has one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A short description of an unknown thrown value; callers mask it before it leaves the package. */
export function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const state = sqlStateOf(err);
    return state === undefined ? err.message : `${err.message} (SQLSTATE ${state})`;
  }
  return `non-error thrown: ${typeof err}`;
}
