/**
 * Exponential backoff with "equal jitter": uniform in [c/2, c] where c = min(max, base·2^attempt).
 * Half the delay is random, so replicas do not retry in step; half is fixed, so a retry never
 * comes back almost at once.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.floor(ceiling / 2 + random() * (ceiling / 2)));
}
