// A value or a typed error, for operations whose failure is an expected outcome rather than a bug.

/** The outcome of an operation that can fail in an expected way: a value, or a typed error that was not applied. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a value as a success Result; never throws. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Wraps an error as a failure Result (the caller must not apply anything); never throws. */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
