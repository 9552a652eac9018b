// One reconciliation run, from reads to the published report. Order (README, "A run"):
// our side (PostgreSQL) → the venue → reconcile() → effects (corrections to the OMS, cancels at
// the venue, HALTED in the KV) → run + checkpoint stored in one transaction → report published.
// The checkpoint moves only after the effects were carried out, so a failed effect is retried by
// the next run from the same trades. A run that fails anywhere before the store is stored as
// failed-to-run and publishes nothing: a report on the stream always means a completed run.

import { randomBytes } from 'node:crypto';
import type { Bus } from '@bourse/bus';
import { ReconciliationReport, type ReconciliationTrigger, type VenueId } from '@bourse/contracts';
import type { Clock } from '@bourse/domain';
import { withTransaction } from '@bourse/store';
import { annotateSpan, withSpan, type Logger } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import {
  isReconcileInputError,
  ordersForRun,
  reconcile,
  type Checkpoint,
  type PriceBook,
  type ReconcilerConfig,
  type ReconcileResult,
} from '@bourse/reconciliation';
import { loadCheckpoint, saveCheckpoint } from '../store/checkpoints.js';
import { insertRun } from '../store/runs.js';
import type { CorrectionsSender } from './corrections.js';
import { RunFailedError, RunFailureCode, describe, isRunFailedError } from './errors.js';
import type { ReconcilerMetrics } from './metrics.js';
import type { OurSideSource } from './our-side.js';
import type { TradingStateWriter } from './trading-state.js';
import { readVenueSide } from './venue-side.js';

const ReportContract = { name: 'ReconciliationReport', schema: ReconciliationReport };

export type RunOutcome =
  | { readonly kind: 'completed'; readonly runId: string; readonly result: ReconcileResult }
  | { readonly kind: 'failed'; readonly runId: string; readonly error: RunFailedError };

export interface RunDeps {
  readonly venueId: VenueId;
  readonly venue: VenueClient;
  readonly pool: pg.Pool;
  readonly bus: Bus;
  readonly ours: OurSideSource;
  readonly corrections: CorrectionsSender;
  readonly tradingState: TradingStateWriter;
  readonly prices: PriceBook;
  readonly config: ReconcilerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ReconcilerMetrics;
  /**
   * How long after finding drift both sides are read again; the run halts only when the second
   * comparison drifts too (default `DRIFT_CONFIRM_MS`).
   */
  readonly driftConfirmMs?: number;
}

/**
 * Our side is one snapshot, the venue's is read after it: an order placed and filled in between
 * (the first order on an instrument, a fill still on the user-data stream) is in the venue's
 * balances and in no order of ours the run can tie it to — drift that is only activity in flight.
 * Halting on it would be for good (nothing later explains a halt the run could not explain), so a
 * drifting comparison is made once more, a moment later, and only drift that stays halts.
 */
export const DRIFT_CONFIRM_MS = 2_000;

export class ReconciliationRunner {
  constructor(private readonly deps: RunDeps) {}

  /**
   * Never throws: a failure comes back as `{ kind: 'failed' }`, stored and counted. Each run is a trace
   * of its own (`reconcile.run`), whatever asked for it; the venue reads and the corrections sent to
   * the order manager are in it, and the OMS links each corrected order's trace to it.
   */
  run(trigger: ReconciliationTrigger): Promise<RunOutcome> {
    const { clock, venueId } = this.deps;
    const startedAt = clock.now();
    const runId = `recon-${venueId}-${startedAt}-${randomBytes(3).toString('hex')}`;
    return withSpan(
      'reconcile.run',
      { root: true, attributes: { 'bourse.recon.run_id': runId, 'bourse.recon.trigger': trigger } },
      async () => {
        const outcome = await this.runTraced(runId, trigger, startedAt);
        annotateSpan({
          'bourse.recon.outcome': outcome.kind === 'completed' ? outcome.result.report.verdict : 'failed-to-run',
        });
        return outcome;
      },
    );
  }

  private async runTraced(runId: string, trigger: ReconciliationTrigger, startedAt: number): Promise<RunOutcome> {
    const log = this.deps.logger.child({ runId, trigger });
    try {
      const result = await this.complete(runId, trigger, startedAt);
      return { kind: 'completed', runId, result };
    } catch (err) {
      const error = isRunFailedError(err)
        ? err
        : new RunFailedError(RunFailureCode.STORE_WRITE_FAILED, 'run', `run failed: ${describe(err)}`, { cause: err });
      await this.recordFailure(runId, trigger, startedAt, error, log);
      return { kind: 'failed', runId, error };
    }
  }

  private async complete(runId: string, trigger: ReconciliationTrigger, startedAt: number): Promise<ReconcileResult> {
    const { clock, venueId, config, metrics } = this.deps;
    const log = this.deps.logger.child({ runId, trigger });

    let pass = await this.compare(runId, trigger, startedAt, startedAt);
    if (pass.result.report.verdict === 'drift-halted') {
      const confirmMs = this.deps.driftConfirmMs ?? DRIFT_CONFIRM_MS;
      log.info(
        { haltReasons: pass.result.haltReasons, confirmMs },
        'drift found; comparing both sides once more before halting',
      );
      await new Promise((resolve) => setTimeout(resolve, confirmMs));
      pass = await this.compare(runId, trigger, startedAt, clock.now());
    }
    const { checkpoint, ours, result } = pass;

    await this.carryOut(runId, result, log);
    await this.store(runId, trigger, startedAt, checkpoint, result);
    await this.publish(runId, result, log);

    const report = result.report;
    metrics.runs.inc({ venue: venueId, verdict: report.verdict, trigger });
    metrics.pnlDrift.set({ venue: venueId, asset: config.valuationAsset }, Number(result.pnlDrift));
    for (const c of result.checks) {
      if (c.kind === 'balance') metrics.balanceDrift.set({ venue: venueId, asset: c.asset }, Number(c.diff));
    }
    metrics.unknownOpenOrders.set({ venue: venueId }, report.unknownOpenOrders.length);
    metrics.lastRun.set({ venue: venueId }, Math.floor(report.finishedAt / 1000));
    const summary = {
      verdict: report.verdict,
      fillRowsRead: ours.fillRowsRead,
      missedFills: report.missedFillsRecovered.length,
      orderUpdates: result.effects.orderUpdates.length,
      unknownOpenOrders: report.unknownOpenOrders.length,
      pnlDrift: result.pnlDrift,
      ...(result.haltReasons.length > 0 ? { haltReasons: result.haltReasons } : {}),
    };
    if (report.verdict === 'ok') log.info(summary, 'reconciliation passed');
    else log.warn(summary, 'reconciliation found drift beyond tolerance');
    return result;
  }

  /** Reads our side as of `readAt`, then the venue's, and compares them; no effects. */
  private async compare(runId: string, trigger: ReconciliationTrigger, startedAt: number, readAt: number) {
    const { clock, venueId, config, metrics } = this.deps;
    const { checkpoint, ours } = await this.readOurs(readAt);
    metrics.fillRowsRead.set({ venue: venueId }, ours.fillRowsRead);
    const ourOpen = ours.openOrders.map((o) => ({ ...o, createdAt: o.createdAt }));
    const ourOrders = ordersForRun(ourOpen, ours.fills, [...ours.recentOrders, ...ours.unbookedOrders]);
    const venueSide = await readVenueSide(this.deps.venue, {
      checkpoint,
      ourOrders,
      ourOpenOrders: ourOpen,
      submissions: ours.submissions,
      unbookedOrders: ours.unbookedOrders,
      firstOrderAt: ours.firstOrderAt,
    });

    let result: ReconcileResult;
    try {
      result = reconcile(
        {
          runId,
          venue: venueId,
          trigger,
          startedAt,
          checkpoint,
          venueSide,
          ours: {
            loadedAt: ours.loadedAt,
            orders: ourOrders,
            fills: ours.fills,
            positions: ours.positions,
            balances: ours.balances,
            transfers: ours.transfers,
            submissions: ours.submissions,
          },
          prices: this.deps.prices.pricesIn(config.valuationAsset),
        },
        config,
        clock.now(),
      );
    } catch (err) {
      // A ReconcileInputError names the bad field; anything else is a bug in the core, kept as the cause.
      const field = isReconcileInputError(err) ? err.field : 'reconcile';
      throw new RunFailedError(RunFailureCode.INVALID_INPUT, field, `reconcile refused the data: ${describe(err)}`, {
        cause: err,
      });
    }

    return { checkpoint, ours, result };
  }

  private async readOurs(loadedAt: number) {
    try {
      const checkpoint = await loadCheckpoint(this.deps.pool, this.deps.venueId);
      const ours = await this.deps.ours.load(this.deps.venueId, loadedAt, checkpoint);
      if (ours.balances.length === 0) {
        throw new RunFailedError(
          RunFailureCode.OURS_NOT_INITIALISED,
          'store.balances',
          `the order manager has stored no balance for ${this.deps.venueId} yet (not started, or not seeded from the venue); the next run tries again`,
        );
      }
      return { checkpoint, ours };
    } catch (err) {
      if (isRunFailedError(err)) throw err;
      throw new RunFailedError(
        RunFailureCode.STORE_READ_FAILED,
        'store.read',
        `reading our side failed: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Corrections, then cancels, then the halt. The halt is written even when an earlier effect failed. */
  private async carryOut(runId: string, result: ReconcileResult, log: Logger): Promise<void> {
    const { venueId, metrics } = this.deps;
    const { fills, orderUpdates, cancels, halt, resume } = result.effects;
    let failure: RunFailedError | undefined;
    if (fills.length > 0 || orderUpdates.length > 0) {
      try {
        const applied = await this.deps.corrections.send(runId, venueId, fills, orderUpdates);
        metrics.missedFills.inc({ venue: venueId }, fills.length);
        metrics.orderUpdates.inc({ venue: venueId }, orderUpdates.length);
        log.info({ ...applied }, 'corrections applied by the order manager');
      } catch (err) {
        failure = isRunFailedError(err)
          ? err
          : new RunFailedError(RunFailureCode.CORRECTIONS_FAILED, 'corrections', describe(err), { cause: err });
      }
    }
    for (const cancel of cancels) {
      try {
        const outcome = await this.deps.venue.cancelOrder(cancel);
        metrics.cancels.inc({ venue: venueId, outcome: outcome.outcome });
        log.warn(
          { clientOrderId: cancel.clientOrderId, symbol: cancel.symbol, outcome: outcome.outcome },
          'unknown open order: cancel sent',
        );
      } catch (err) {
        // Reported in this run's report; the next run finds it again and cancels again.
        metrics.cancels.inc({ venue: venueId, outcome: 'failed' });
        log.error(
          { clientOrderId: cancel.clientOrderId, err: describe(err) },
          'cancel of an unknown open order failed',
        );
      }
    }
    if (halt) {
      try {
        await this.deps.tradingState.halt(halt);
      } catch (err) {
        failure ??= new RunFailedError(RunFailureCode.HALT_FAILED, 'halt', `writing HALTED failed: ${describe(err)}`, {
          cause: err,
        });
      }
    }
    if (resume && !failure) {
      // Only once the OMS has booked the trades: lifts a HALTED the reconciler wrote, nothing else.
      try {
        if (await this.deps.tradingState.resumeOwnHalt(resume)) metrics.resumes.inc({ venue: venueId });
      } catch (err) {
        // The halt stands; the next passing run that books trades tries again, or an operator resumes.
        log.error({ err: describe(err) }, 'lifting the reconciler halt failed');
      }
    }
    if (failure) throw failure;
  }

  private async store(
    runId: string,
    trigger: ReconciliationTrigger,
    startedAt: number,
    previous: Checkpoint,
    result: ReconcileResult,
  ): Promise<void> {
    const report = result.report;
    try {
      await withTransaction(this.deps.pool, async (client) => {
        await insertRun(client, {
          runId,
          venue: this.deps.venueId,
          trigger,
          verdict: report.verdict,
          startedAt,
          finishedAt: report.finishedAt,
          report,
          pnlDrift: result.pnlDrift,
        });
        await saveCheckpoint(client, this.deps.venueId, runId, previous, result.checkpoint, report.finishedAt);
      });
    } catch (err) {
      throw new RunFailedError(
        RunFailureCode.STORE_WRITE_FAILED,
        'store.write',
        `storing the run failed: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  /** A failed publish is logged, not fatal: the run is stored, and the next run publishes its own report. */
  private async publish(runId: string, result: ReconcileResult, log: Logger): Promise<void> {
    try {
      await this.deps.bus.publishDurable(this.deps.bus.subjects.reconReport(), ReportContract, result.report, {
        msgId: runId,
      });
    } catch (err) {
      log.error({ err: describe(err) }, 'publishing the reconciliation report failed; the run is stored');
    }
  }

  private async recordFailure(
    runId: string,
    trigger: ReconciliationTrigger,
    startedAt: number,
    error: RunFailedError,
    log: Logger,
  ): Promise<void> {
    const { venueId, metrics, clock } = this.deps;
    metrics.runs.inc({ venue: venueId, verdict: 'failed-to-run', trigger });
    metrics.failures.inc({ venue: venueId, code: error.code });
    log.error(
      { code: error.code, step: error.value, err: error.message },
      'reconciliation failed to run; retried at the next trigger',
    );
    try {
      await insertRun(this.deps.pool, {
        runId,
        venue: venueId,
        trigger,
        verdict: 'failed-to-run',
        startedAt,
        finishedAt: Math.max(startedAt, clock.now()),
        error: { code: error.code, message: error.message.slice(0, 2_000) },
      });
    } catch (err) {
      log.error({ err: describe(err) }, 'the failed run could not be stored either');
    }
  }
}
