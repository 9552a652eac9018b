// Why a run failed to run. Each carries a stable code (the metric label and the stored error code),
// the step that failed as its value, and the underlying error as its cause.

export const RunFailureCode = {
  /** Our side could not be read from PostgreSQL. */
  STORE_READ_FAILED: 'RECON_STORE_READ_FAILED',
  /**
   * The order manager has never stored a balance for the venue: it has not started (or not seeded its
   * balances) yet. Comparing would read the whole account as drift and halt for nothing.
   */
  OURS_NOT_INITIALISED: 'RECON_OURS_NOT_INITIALISED',
  /** The venue did not answer (or answered with an error) one of the reads. */
  VENUE_UNAVAILABLE: 'RECON_VENUE_UNAVAILABLE',
  /**
   * Trades kept arriving while the venue's balances were read, so no balance read could be matched
   * to the trades: comparing would take a fill in flight for drift. Nothing is halted.
   */
  VENUE_UNSETTLED: 'RECON_VENUE_UNSETTLED',
  /** The core refused the data (a malformed decimal, a report the contract refuses). */
  INVALID_INPUT: 'RECON_INVALID_INPUT',
  /** The order manager did not confirm the corrections. */
  CORRECTIONS_FAILED: 'RECON_CORRECTIONS_FAILED',
  /** HALTED could not be written to the trading-state KV. */
  HALT_FAILED: 'RECON_HALT_FAILED',
  /** The run and checkpoint could not be stored. */
  STORE_WRITE_FAILED: 'RECON_STORE_WRITE_FAILED',
} as const;
export type RunFailureCode = (typeof RunFailureCode)[keyof typeof RunFailureCode];

export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(
    readonly code: RunFailureCode,
    /** The step that failed (`venue.openOrders`, `corrections`, …). */
    readonly value: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRunFailedError(err: unknown): err is RunFailedError {
  return err instanceof RunFailedError;
}

/** A short, secret-free description of a thrown value (venue and bus errors never carry keys). */
export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : `non-error thrown: ${typeof err}`;
}
