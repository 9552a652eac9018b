// Waits for a started service to say it is ready on its ops server (/readyz answers 200), so the next
// service starts only once the one it depends on serves: the reconciler's first run must see the
// order manager's restored state, and strategies must not start before the risk gate consumes.
import { setTimeout as delay } from 'node:timers/promises';

export interface ReadinessWait {
  /** Base URL of the service's ops server, e.g. http://127.0.0.1:9202. */
  readonly opsUrl: string;
  readonly timeoutMs: number;
  /** Between two probes; a probe that hangs is cut off at this bound too. */
  readonly intervalMs?: number;
  /** Aborts the wait (Ctrl-C, or the child exited). */
  readonly signal: AbortSignal;
  readonly fetch?: typeof fetch;
}

export type ReadinessOutcome =
  | { readonly ready: true; readonly afterMs: number }
  | { readonly ready: false; readonly reason: 'timeout' | 'aborted'; readonly lastAnswer: string };

/** Polls `<opsUrl>/readyz` until it answers 200, the bound passes, or the signal aborts. */
export async function waitForReadyz(wait: ReadinessWait): Promise<ReadinessOutcome> {
  const doFetch = wait.fetch ?? fetch;
  const interval = wait.intervalMs ?? 200;
  const started = performance.now();
  let lastAnswer = 'no answer yet';
  while (!wait.signal.aborted) {
    try {
      const res = await doFetch(`${wait.opsUrl}/readyz`, { signal: AbortSignal.timeout(Math.max(interval, 1_000)) });
      const body = (await res.text()).trim();
      if (res.status === 200) return { ready: true, afterMs: Math.round(performance.now() - started) };
      lastAnswer = `HTTP ${res.status}${body === '' ? '' : `: ${body.slice(0, 200)}`}`;
    } catch (err) {
      // Not listening yet, or a probe cut off: the next probe tells.
      lastAnswer = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() - started >= wait.timeoutMs) return { ready: false, reason: 'timeout', lastAnswer };
    try {
      await delay(interval, undefined, { signal: wait.signal });
    } catch (err) {
      if (wait.signal.aborted) break;
      throw err;
    }
  }
  return { ready: false, reason: 'aborted', lastAnswer };
}
