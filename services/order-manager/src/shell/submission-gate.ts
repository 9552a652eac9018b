// The shell of the submission pause (submission-pause.ts is the pure state machine): holds order
// requests while the venue's user-data stream is down or not yet reconciled, asks the reconciler
// for a run after a reconnect (again later when that fails), and lets the held requests go on an
// ok report. Requests held when the service stops are handed back for redelivery.

import type { Bus } from '@bourse/bus';
import { ReconNowCommand, ReconciliationReport, operatorReplyOf } from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';
import type { Clock } from '@bourse/execution';
import type { OrderManagerMetrics } from './metrics.js';
import type { ServiceTimers } from './service-timers.js';
import {
  nextSubmissionPause,
  RUNNING,
  type SubmissionPauseEffect,
  type SubmissionPauseEvent,
  type SubmissionPauseState,
} from './submission-pause.js';

const ReconNowContract = { name: 'ReconNowCommand', schema: ReconNowCommand };
const ReconReplyContract = { name: 'ReconNowReply', schema: operatorReplyOf(ReconciliationReport) };

/** Thrown to a held order request when the service stops while submission is paused: it is nak'ed, not lost. */
export class SubmissionStoppedError extends Error {
  override readonly name = 'SubmissionStoppedError';
  readonly code = 'OMS_STOPPING';
  readonly value = undefined;
  constructor() {
    super('the order manager is stopping; the request is handed back for redelivery');
  }
}

export interface SubmissionGateDeps {
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: OrderManagerMetrics;
  readonly timers: ServiceTimers;
  /** The name the reconciler is asked by (`requestedBy`). */
  readonly requestedBy: string;
  readonly reconRetryMs?: number;
  readonly reconTimeoutMs?: number;
}

export class SubmissionGate {
  private state: SubmissionPauseState = RUNNING;
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  private stopping = false;

  constructor(private readonly d: SubmissionGateDeps) {}

  get paused(): boolean {
    return this.state.kind !== 'running';
  }

  /** Order requests held unacked while submission is paused. */
  get held(): number {
    return this.waiters.size;
  }

  /** Resolves at once while running; otherwise once submission resumes. Rejects once the service stops. */
  waitUntilRunning(): Promise<void> {
    if (this.stopping) return Promise.reject(new SubmissionStoppedError());
    if (this.state.kind === 'running') return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }));
  }

  /** The service is stopping: every held request is handed back, and no reconciliation asked for. */
  stop(): void {
    this.stopping = true;
    for (const w of this.waiters) w.reject(new SubmissionStoppedError());
    this.waiters.clear();
  }

  dispatch(event: SubmissionPauseEvent): void {
    const step = nextSubmissionPause(this.state, event);
    this.state = step.state;
    this.d.metrics.submissionPaused.set(this.state.kind === 'running' ? 0 : 1);
    for (const effect of step.effects) this.onEffect(effect);
  }

  private onEffect(effect: SubmissionPauseEffect): void {
    const log = this.d.logger;
    switch (effect.kind) {
      case 'paused':
        log.warn({ reason: effect.reason }, 'order submission paused');
        return;
      case 'request-recon':
        void this.requestRecon();
        return;
      case 'retry-recon-later':
        log.warn({ reason: effect.reason }, 'reconciliation request failed; asking again later');
        this.d.timers.after(this.d.reconRetryMs ?? 5_000, () => this.requestRecon());
        return;
      case 'report-ignored':
        log.info({ runId: effect.runId, reason: effect.reason }, 'reconciliation report does not resume submission');
        return;
      case 'resumed':
        log.info({ runId: effect.runId, pausedForMs: effect.pausedForMs }, 'order submission resumed');
        for (const w of this.waiters) w.resolve();
        this.waiters.clear();
        return;
    }
  }

  private async requestRecon(): Promise<void> {
    if (this.stopping || this.state.kind !== 'awaiting-recon') return;
    const { bus, clock } = this.d;
    try {
      const reply = await bus.request(
        bus.subjects.command('reconciler', 'recon-now'),
        ReconNowContract,
        { v: 1, command: 'recon-now', requestedBy: this.d.requestedBy, requestedAt: clock.now(), trigger: 'reconnect' },
        ReconReplyContract,
        { timeoutMs: this.d.reconTimeoutMs ?? 60_000 },
      );
      if (reply.ok) this.dispatch({ type: 'recon-report', report: reply.result });
      else
        this.dispatch({
          type: 'recon-request-failed',
          at: clock.now(),
          reason: `${reply.error.code}: ${reply.error.message}`,
        });
    } catch (err) {
      this.dispatch({
        type: 'recon-request-failed',
        at: clock.now(),
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
