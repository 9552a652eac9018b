// Errors of the reconciler's store: a stored value the code cannot use, or a record it refuses to write.

export const ReconcilerStoreErrorCode = {
  INVALID_RECORD: 'RECON_STORE_INVALID_RECORD',
} as const;

export class ReconcilerStoreError extends Error {
  override readonly name = 'ReconcilerStoreError';
  readonly code = ReconcilerStoreErrorCode.INVALID_RECORD;
  constructor(
    readonly field: string,
    /** The run id (never a secret). */
    readonly value: string,
    detail: string,
  ) {
    super(`${field} of run ${value}: ${detail}`);
  }
}
