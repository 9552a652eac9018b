// The order manager's request/reply commands (`cmd.order-manager.<name>`): cancel and cancel-all
// from the operator and the risk gate, apply-corrections from the reconciler, book-transfer from the
// operator, status. Each reply is a contract of @bourse/contracts (CancelExecutionReply,
// VenueCorrectionsReply, BookTransferReply, OmsStatusReply).

import type { Bus, BusSubscription } from '@bourse/bus';
import {
  BookTransferCommand,
  BookTransferReply,
  CancelAllCommand,
  CancelCommand,
  CancelExecutionReply,
  OmsStatusReply,
  StatusCommand,
  VenueCorrections,
  VenueCorrectionsReply,
  type ClientOrderId,
  type InstrumentSymbol,
  type OmsStatus,
} from '@bourse/contracts';
import { isTerminal } from '@bourse/domain';
import {
  executeCancel,
  planOperatorCommand,
  type CancelResult,
  type Clock,
  type OrderTracker,
  type TrackerChange,
} from '@bourse/execution';
import type { Logger } from '@bourse/telemetry';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { bookBalanceTransfer, storedFillIds } from '../store/index.js';
import type { ExecutionPipeline } from './execution-pipeline.js';
import type { OrderManagerMetrics } from './metrics.js';
import type { OrderRecall } from './order-recall.js';
import type { OrderTraces } from './order-traces.js';
import type { SubmissionGate } from './submission-gate.js';
import type { TacticRunner } from './tactic-runner.js';

const CancelReplyContract = { name: 'CancelExecutionReply', schema: CancelExecutionReply };
const StatusReplyContract = { name: 'OmsStatusReply', schema: OmsStatusReply };
const CorrectionsReplyContract = { name: 'VenueCorrectionsReply', schema: VenueCorrectionsReply };
const TransferReplyContract = { name: 'BookTransferReply', schema: BookTransferReply };

export interface OperatorCommandsDeps {
  readonly pool: pg.Pool;
  readonly venue: VenueClient;
  readonly clock: Clock;
  readonly tracker: OrderTracker;
  readonly pipeline: ExecutionPipeline;
  readonly traces: OrderTraces;
  readonly recall: OrderRecall;
  readonly gate: SubmissionGate;
  readonly metrics: OrderManagerMetrics;
  readonly logger: Logger;
  /** The tactic runner, once started. */
  tactics(): TacticRunner | undefined;
}

export class OperatorCommands {
  constructor(private readonly d: OperatorCommandsDeps) {}

  /** Answers the commands on `cmd.<service>.<name>` until the subscriptions are closed. */
  serve(bus: Bus, service: string): BusSubscription[] {
    const cmd = (name: string) => bus.subjects.command(service, name);
    return [
      bus.serve(cmd('cancel'), { name: 'CancelCommand', schema: CancelCommand }, CancelReplyContract, (c) =>
        this.onCancel(c),
      ),
      bus.serve(cmd('cancel-all'), { name: 'CancelAllCommand', schema: CancelAllCommand }, CancelReplyContract, (c) =>
        this.onCancel(c),
      ),
      bus.serve(
        cmd('apply-corrections'),
        { name: 'VenueCorrections', schema: VenueCorrections },
        CorrectionsReplyContract,
        (c) => this.onCorrections(c),
      ),
      bus.serve(
        cmd('book-transfer'),
        { name: 'BookTransferCommand', schema: BookTransferCommand },
        TransferReplyContract,
        (c) => this.onBookTransfer(c),
      ),
      bus.serve(cmd('status'), { name: 'StatusCommand', schema: StatusCommand }, StatusReplyContract, () =>
        this.onStatus(),
      ),
    ];
  }

  /** Cancels one order at the venue (the chase's cancels come here too), then books fills a close revealed. */
  async cancelOne(clientOrderId: string, instrument: string): Promise<CancelResult> {
    const { traces, tracker } = this.d;
    await traces.recall(clientOrderId);
    const result = await traces.inOrder('order.cancel', clientOrderId, {}, async () => {
      const cancelled = await executeCancel(
        { clientOrderId: clientOrderId as ClientOrderId, instrument: instrument as InstrumentSymbol },
        { venue: this.d.venue, tracker, clock: this.d.clock },
      );
      await this.d.pipeline.apply(cancelled.changes);
      return cancelled;
    });
    // A cancel refused as too late is followed by a query: a fill it reports may be one the stream lost.
    const tracked = tracker.get(clientOrderId);
    if (tracked !== undefined && isTerminal(tracked.order.status))
      await this.d.recall.bookMissingFills(clientOrderId, 'closed at cancel');
    return result;
  }

  /** What the `status` command answers. */
  status(): OmsStatus {
    const reply = this.onStatus();
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result;
  }

  private async onCancel(command: CancelCommand | CancelAllCommand): Promise<CancelExecutionReply> {
    const plan = planOperatorCommand(command, this.d.tracker);
    if (!plan.reply.ok) return plan.reply;
    const base = plan.reply.result;
    const ids = new Set(plan.targets.map((t) => t.clientOrderId));
    await this.d.tactics()?.abortFor(ids, `${command.command} by ${command.requestedBy}`);
    const canceled: ClientOrderId[] = [];
    const failed: { clientOrderId: ClientOrderId; reason: string }[] = [];
    // All at once, not one venue round trip after another: a kill switch's cancel-all must leave
    // nothing resting within a second however many orders the scope has. The pipeline still
    // journals the results one batch at a time.
    await Promise.all(
      plan.targets.map(async (target) => {
        try {
          const result = await this.cancelOne(target.clientOrderId, target.instrument);
          if (result.execution.kind === 'canceled') canceled.push(target.clientOrderId);
          else failed.push({ clientOrderId: target.clientOrderId, reason: failureOf(result) });
        } catch (err) {
          failed.push({
            clientOrderId: target.clientOrderId,
            reason: err instanceof Error ? err.message : String(err),
          });
        }
      }),
    );
    canceled.sort();
    this.d.logger.info(
      { command: command.command, requestedBy: command.requestedBy, canceled, failed },
      'cancel command done',
    );
    return { v: 1, ok: true, result: { ...base, canceled, failed } };
  }

  private async onCorrections(c: VenueCorrections): Promise<VenueCorrectionsReply> {
    const { tracker, traces } = this.d;
    const counts = { fillsApplied: 0, fillsAlreadyKnown: 0, orderUpdatesApplied: 0, orderUpdatesAlreadyKnown: 0 };
    const changes: TrackerChange[] = [];
    const notApplied: string[] = [];
    for (const id of new Set([...c.fills, ...c.orderUpdates].map((e) => e.clientOrderId))) {
      await this.d.recall.follow(id);
      await traces.recall(id);
      traces.correction(id, c.runId);
    }
    for (const update of c.orderUpdates) {
      const change = tracker.applyExecutionReport(update);
      if (change.outcome === 'applied') counts.orderUpdatesApplied += 1;
      else if (change.outcome === 'ignored') counts.orderUpdatesAlreadyKnown += 1;
      else notApplied.push(`update ${update.eventId}: ${change.outcome}${change.detail ? ` (${change.detail})` : ''}`);
      changes.push(change);
    }
    // Fills stored already (before the start's checkpoint, so not in the tracker's memory) are known.
    const stored = new Set<string>();
    for (const instrument of new Set(c.fills.map((f) => f.instrument))) {
      const ids = c.fills.filter((f) => f.instrument === instrument).map((f) => f.venueFillId);
      for (const id of await storedFillIds(this.d.pool, this.d.venue.venue, instrument, ids))
        stored.add(`${instrument}|${id}`);
    }
    for (const fill of c.fills) {
      if (stored.has(`${fill.instrument}|${fill.venueFillId}`)) {
        counts.fillsAlreadyKnown += 1;
        continue;
      }
      const change = tracker.applyFill(fill);
      if (change.outcome === 'applied') counts.fillsApplied += 1;
      else if (change.outcome === 'ignored') counts.fillsAlreadyKnown += 1;
      else notApplied.push(`fill ${fill.venueFillId}: ${change.outcome}${change.detail ? ` (${change.detail})` : ''}`);
      changes.push(change);
    }
    await this.d.pipeline.apply(changes.filter((ch) => ch.outcome === 'applied'));
    this.d.logger.info({ runId: c.runId, ...counts, notApplied }, 'venue corrections applied');
    if (notApplied.length > 0) {
      this.d.metrics.badInput.inc({ kind: 'command' });
      return {
        v: 1,
        ok: false,
        error: { code: 'NOT_APPLIED', message: `applied the rest; could not apply ${notApplied.join('; ')}` },
      };
    }
    return { v: 1, ok: true, result: { v: 1, runId: c.runId, ...counts } };
  }

  /**
   * Books a balance change the operator found at the venue and no user-data event reported. Its time
   * in the books is the act's (`requestedAt`), so the same request sent twice books it once.
   */
  private async onBookTransfer(c: BookTransferCommand): Promise<BookTransferReply> {
    const { metrics, logger: log } = this.d;
    const venue = this.d.venue.venue;
    const transfer = { venue, asset: c.asset, delta: c.delta, venueTime: c.requestedAt };
    const who = { requestedBy: c.requestedBy, reason: c.reason, asset: c.asset, delta: c.delta };
    try {
      const outcome = await bookBalanceTransfer(this.d.pool, transfer, this.d.clock.now());
      metrics.balanceTransfers.inc({ outcome: outcome.kind });
      if (outcome.kind === 'refused')
        log.error(
          { ...who, storedFree: outcome.free },
          'operator transfer exceeds the stored free balance; not booked',
        );
      else log.warn({ ...who, outcome: outcome.kind }, 'operator booked a venue balance transfer');
      return {
        v: 1,
        ok: true,
        result: {
          outcome: outcome.kind,
          venue,
          asset: c.asset,
          delta: c.delta,
          ...(outcome.kind === 'duplicate' ? {} : { free: outcome.free }),
        },
      };
    } catch (err) {
      metrics.balanceTransfers.inc({ outcome: 'failed' });
      log.error({ ...who, err }, 'operator transfer not booked');
      // The requester learns that it failed, not why: the details stay in this service's log.
      return {
        v: 1,
        ok: false,
        error: { code: 'NOT_BOOKED', message: "the transfer could not be booked; see the order manager's log" },
      };
    }
  }

  private onStatus(): OmsStatusReply {
    const { tracker } = this.d;
    const result: OmsStatus = {
      openOrders: tracker.liveOrders().length,
      positions: tracker.positions.positions().map((p) => ({
        strategyId: p.strategyId,
        instrument: p.instrument,
        qty: p.qty.toString(),
        realizedPnl: p.realizedPnl.toString(),
      })) as OmsStatus['positions'],
      lastEventAt: this.d.pipeline.lastEventAt ?? null,
      submissionPaused: this.d.gate.paused,
      activeTactics: this.d.tactics()?.active ?? 0,
    };
    return { v: 1, ok: true, result };
  }
}

function failureOf(result: CancelResult): string {
  const e = result.execution;
  if (e.kind === 'refused') return `refused: ${e.reason}${e.venueOrder ? ` (venue says ${e.venueOrder.status})` : ''}`;
  if (e.kind === 'unknown') return `unknown: ${e.reason}`;
  return 'canceled';
}
