// When the launcher restarts a child that died, and when it gives up: the delay doubles from the
// first restart up to a ceiling, as Kubernetes backs off a crashing pod; a child that dies too
// often within a window keeps dying, and restarting it again would only hide that. Pure: the
// caller keeps the death times and the clock.

export interface RestartPolicy {
  /** Delay before the first restart; each further death within the window doubles it. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up on the death that would be restart number maxRestarts + 1 within windowMs. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly attempt: number }
  | { readonly restart: false; readonly deaths: number };

/**
 * Decides on a death at `now`, given the earlier deaths' times (same clock). Deaths older than
 * the window are forgotten, so a child that ran well for a while starts again from the first delay.
 */
export function decideRestart(earlierDeaths: readonly number[], now: number, policy: RestartPolicy): RestartDecision {
  const recent = earlierDeaths.filter((t) => now - t < policy.windowMs).length + 1;
  if (recent > policy.maxRestarts) return { restart: false, deaths: recent };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (recent - 1));
  return { restart: true, delayMs, attempt: recent };
}
