import type { ReconciliationReport } from '@bourse/contracts';

// Safe submission around venue reconnects (DESIGN 9): while the user-data stream is down, fills and
// order updates may be missed, so the OMS's picture of the venue is not to be trusted. Submission
// pauses when the stream drops; once it is back, a reconciliation is requested, and submission
// resumes only on an `ok` report of a run that STARTED after the reconnect (an older run cannot have
// seen what the gap hid). A pure state machine: events in, state and effects out, time passed in.
// The shell holds order requests unacked while paused (they stay in flight, never dropped).

export type SubmissionPauseState =
  | { readonly kind: 'running' }
  /** The stream is down (since `since`). */
  | { readonly kind: 'stream-down'; readonly since: number; readonly reason: string }
  /** The stream is back (at `reconnectedAt`); waiting for an ok report of a run started at or after it. */
  | { readonly kind: 'awaiting-recon'; readonly since: number; readonly reconnectedAt: number };

export type SubmissionPauseEvent =
  | { readonly type: 'stream-lost'; readonly at: number; readonly reason: string }
  | { readonly type: 'stream-open'; readonly at: number }
  | { readonly type: 'recon-report'; readonly report: ReconciliationReport }
  /** The recon request failed (no reconciler, timeout, error reply): ask again later. */
  | { readonly type: 'recon-request-failed'; readonly at: number; readonly reason: string };

export type SubmissionPauseEffect =
  | { readonly kind: 'request-recon'; readonly at: number }
  | { readonly kind: 'retry-recon-later'; readonly at: number; readonly reason: string }
  | { readonly kind: 'paused'; readonly reason: string }
  | { readonly kind: 'resumed'; readonly runId: string; readonly pausedForMs: number }
  | { readonly kind: 'report-ignored'; readonly runId: string; readonly reason: string };

export interface SubmissionPauseStep {
  readonly state: SubmissionPauseState;
  readonly effects: readonly SubmissionPauseEffect[];
}

export const RUNNING: SubmissionPauseState = { kind: 'running' };

/** The next state and what to do; never throws. */
export function nextSubmissionPause(state: SubmissionPauseState, event: SubmissionPauseEvent): SubmissionPauseStep {
  switch (event.type) {
    case 'stream-lost': {
      const since = state.kind === 'running' ? event.at : state.since;
      const effects: SubmissionPauseEffect[] =
        state.kind === 'running' ? [{ kind: 'paused', reason: `user-data stream lost: ${event.reason}` }] : [];
      return { state: { kind: 'stream-down', since, reason: event.reason }, effects };
    }
    case 'stream-open':
      // The first open at start is not a reconnect: nothing was being relied on before it.
      if (state.kind !== 'stream-down') return { state, effects: [] };
      return {
        state: { kind: 'awaiting-recon', since: state.since, reconnectedAt: event.at },
        effects: [{ kind: 'request-recon', at: event.at }],
      };
    case 'recon-report': {
      const { report } = event;
      if (state.kind === 'running') return { state, effects: [] };
      if (state.kind === 'stream-down') {
        return { state, effects: [ignored(report, 'the stream is still down')] };
      }
      if (report.startedAt < state.reconnectedAt) {
        return {
          state,
          effects: [
            ignored(report, `run started at ${report.startedAt}, before the reconnect at ${state.reconnectedAt}`),
          ],
        };
      }
      if (report.verdict !== 'ok') {
        return { state, effects: [ignored(report, `verdict ${report.verdict}`)] };
      }
      return {
        state: RUNNING,
        effects: [{ kind: 'resumed', runId: report.runId, pausedForMs: Math.max(0, report.finishedAt - state.since) }],
      };
    }
    case 'recon-request-failed':
      if (state.kind !== 'awaiting-recon') return { state, effects: [] };
      return { state, effects: [{ kind: 'retry-recon-later', at: event.at, reason: event.reason }] };
  }
}

function ignored(report: ReconciliationReport, reason: string): SubmissionPauseEffect {
  return { kind: 'report-ignored', runId: report.runId, reason };
}
