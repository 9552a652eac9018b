// Errors of the order manager's core. Each sets `name`, carries a stable `code` and the offending
// value, so the shell can log it, count it by code and reply to an operator without parsing text.

export const OrderManagerErrorCode = {
  /** An outbox entry was asked to make a move its state machine does not have. */
  OUTBOX_TRANSITION: 'OMS_OUTBOX_TRANSITION',
  /** The request uses something the venue port cannot carry (e.g. a quote-asset quantity). */
  UNSUPPORTED_REQUEST: 'OMS_UNSUPPORTED_REQUEST',
  /** A fill names an order whose instrument, side or venue it does not share. */
  FILL_MISMATCH: 'OMS_FILL_MISMATCH',
  /** A tactic was given parameters it cannot work with. */
  INVALID_TACTIC: 'OMS_INVALID_TACTIC',
  /** A tactic was driven out of order (e.g. started twice). */
  TACTIC_STATE: 'OMS_TACTIC_STATE',
  /** A tactic's stored progress cannot be resumed (children out of order, two live at once). */
  TACTIC_RESUME: 'OMS_TACTIC_RESUME',
} as const;
export type OrderManagerErrorCode = (typeof OrderManagerErrorCode)[keyof typeof OrderManagerErrorCode];

export class OrderManagerError extends Error {
  override readonly name = 'OrderManagerError';
  constructor(
    readonly code: OrderManagerErrorCode,
    message: string,
    /** The offending value: a client order id, a state pair, a parameter. */
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isOrderManagerError(err: unknown, code?: OrderManagerErrorCode): err is OrderManagerError {
  return err instanceof OrderManagerError && (code === undefined || err.code === code);
}
