// Errors of the order manager's tables, one class for the ledger's reads (CORRUPT_ROW) and the order
// manager's writers (every other code). Optimistic version conflicts use VersionConflictError from
// @bourse/store; everything specific to these tables is an OrderStoreError with a code.

export const OrderStoreErrorCode = {
  /** A value offered for a column is malformed (a float-looking decimal, a negative time, a bad request). */
  INVALID_VALUE: 'ORDER_STORE_INVALID_VALUE',
  /** markOutbox for a client order id that was never journaled. */
  OUTBOX_NOT_FOUND: 'ORDER_STORE_OUTBOX_NOT_FOUND',
  /** markOutbox asked for a move the outbox state machine does not have (e.g. sent → submitting). */
  OUTBOX_TRANSITION: 'ORDER_STORE_OUTBOX_TRANSITION',
  /** insertOutbox with a client order id already journaled for a different request. */
  OUTBOX_CONFLICT: 'ORDER_STORE_OUTBOX_CONFLICT',
  /** A fill id seen before, with different contents: the venue contradicts itself. */
  FILL_CONFLICT: 'ORDER_STORE_FILL_CONFLICT',
  /** A strategy version recorded before with other parameters. */
  STRATEGY_VERSION_CONFLICT: 'ORDER_STORE_STRATEGY_VERSION_CONFLICT',
  /** A stored row no longer passes its contract (edited by hand, or written by older code). */
  CORRUPT_ROW: 'ORDER_STORE_CORRUPT_ROW',
  /** insertTactic with a parent client order id already stored for a different request. */
  TACTIC_CONFLICT: 'ORDER_STORE_TACTIC_CONFLICT',
  /** A child, a cancel or an outcome for a tactic that was never stored. */
  TACTIC_NOT_FOUND: 'ORDER_STORE_TACTIC_NOT_FOUND',
  /** A child recorded for a tactic that is already done: a finished chase places nothing more. */
  TACTIC_NOT_ACTIVE: 'ORDER_STORE_TACTIC_NOT_ACTIVE',
  /** A child counter at or below one already used: the id it makes may be one the venue has seen. */
  TACTIC_CHILD_SEQ: 'ORDER_STORE_TACTIC_CHILD_SEQ',
  /** A child client order id recorded before (for another parent, or in another role). */
  TACTIC_CHILD_REUSED: 'ORDER_STORE_TACTIC_CHILD_REUSED',
  /** A cancel reason for a child that was never recorded under that parent. */
  TACTIC_CHILD_NOT_FOUND: 'ORDER_STORE_TACTIC_CHILD_NOT_FOUND',
} as const;
export type OrderStoreErrorCode = (typeof OrderStoreErrorCode)[keyof typeof OrderStoreErrorCode];

export class OrderStoreError extends Error {
  override readonly name = 'OrderStoreError';
  constructor(
    readonly code: OrderStoreErrorCode,
    message: string,
    /** The offending value or key (a field name and value, a client order id). */
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isOrderStoreError(err: unknown, code?: OrderStoreErrorCode): err is OrderStoreError {
  return err instanceof OrderStoreError && (code === undefined || err.code === code);
}
