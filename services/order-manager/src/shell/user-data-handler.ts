// The venue's user-data stream, event by event: execution reports through the tracker to the
// pipeline (each in its order's trace), the stream's connection state to the submission gate, and
// balance transfers booked once each. Absolute balance reports are not stored (see below).

import { isTerminal } from '@bourse/domain';
import type { Clock, OrderTracker } from '@bourse/execution';
import { annotateSpan, withSpan, type Logger } from '@bourse/telemetry';
import type { UserDataEvent, VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { bookBalanceTransfer } from '../store/index.js';
import type { ExecutionPipeline } from './execution-pipeline.js';
import type { OrderManagerMetrics } from './metrics.js';
import type { OrderTraces } from './order-traces.js';
import type { SubmissionGate } from './submission-gate.js';

export interface UserDataHandlerDeps {
  readonly pool: pg.Pool;
  readonly venue: VenueClient;
  readonly clock: Clock;
  readonly tracker: OrderTracker;
  readonly pipeline: ExecutionPipeline;
  readonly traces: OrderTraces;
  readonly gate: SubmissionGate;
  readonly metrics: OrderManagerMetrics;
  readonly logger: Logger;
  /** True once the service stops: a stream closed then is not a reason to pause. */
  isStopping(): boolean;
}

export class UserDataHandler {
  constructor(private readonly d: UserDataHandlerDeps) {}

  onEvent(event: UserDataEvent): void {
    switch (event.kind) {
      case 'connection':
        if (event.state === 'reconnecting' || event.state === 'closed') {
          if (!this.d.isStopping())
            this.d.gate.dispatch({ type: 'stream-lost', at: event.time, reason: event.reason ?? event.state });
        } else if (event.state === 'open') {
          this.d.gate.dispatch({ type: 'stream-open', at: event.time });
        }
        return;
      case 'order':
        this.d.traces.inOrder(
          'order.execution_report',
          event.update.clientOrderId,
          { 'bourse.execution_type': event.executionType, 'bourse.order.status': event.update.status },
          () => this.onExecutionReport(event),
        );
        return;
      case 'balances':
        // Stored balances move with the fills the OMS applies; an absolute report may already hold
        // a fill the OMS never got, and storing it would make the reconciler count that fill twice.
        this.d.logger.debug({ assets: event.balances.map((b) => b.asset) }, 'venue balance report not stored');
        return;
      case 'balance-delta':
        // A deposit, withdrawal or transfer: not a fill, but it moves the account. Booked once per
        // venue event so our balances stay the venue's; one the stream never delivered shows as drift.
        void this.bookTransfer(event.asset, event.delta, event.time);
        return;
      case 'list-status':
        // Bourse places no order lists yet (issue 23); a list at the venue is someone else's, and its
        // legs' execution reports arrive as order events like any order's.
        this.d.logger.warn(
          { orderListId: event.list.orderListId, listClientOrderId: event.list.listClientOrderId },
          'venue order list status not followed (Bourse places no order lists)',
        );
        return;
    }
  }

  private onExecutionReport(event: Extract<UserDataEvent, { kind: 'order' }>): void {
    const { tracker, traces, logger: log } = this.d;
    const change = tracker.applyExecutionReport(event.update, event.fill);
    if (change.outcome === 'unknown-order') {
      log.warn({ clientOrderId: event.update.clientOrderId }, 'venue update for an order not followed here');
      return;
    }
    if (change.outcome === 'rejected') {
      this.d.metrics.badInput.inc({ kind: 'user-data' });
      log.error({ clientOrderId: change.clientOrderId, detail: change.detail }, 'venue update contradicts the order');
    }
    if (change.outcome !== 'applied') return;
    annotateSpan(traces.attributes(change.clientOrderId));
    const apply = () => this.d.pipeline.apply([change]);
    const applied =
      event.fill === undefined
        ? apply()
        : withSpan(
            'order.fill',
            {
              attributes: {
                ...traces.attributes(change.clientOrderId),
                'bourse.fill.id': event.fill.venueFillId,
              },
            },
            apply,
          );
    applied.catch(() => undefined); // logged and retried by the pipeline
    const status = tracker.get(change.clientOrderId)?.order.status;
    if (status === undefined || isTerminal(status)) traces.forget(change.clientOrderId);
  }

  private async bookTransfer(asset: string, delta: string, venueTime: number): Promise<void> {
    const { metrics, logger: log } = this.d;
    const transfer = { venue: this.d.venue.venue, asset, delta, venueTime };
    try {
      const outcome = await bookBalanceTransfer(this.d.pool, transfer, this.d.clock.now());
      metrics.balanceTransfers.inc({ outcome: outcome.kind });
      if (outcome.kind === 'refused') {
        log.error(
          { asset, delta, venueTime, storedFree: outcome.free },
          'venue balance transfer exceeds the stored free balance; not booked (the reconciler will report the drift)',
        );
      } else {
        log.info({ asset, delta, venueTime, outcome: outcome.kind }, 'venue balance transfer');
      }
    } catch (err) {
      metrics.balanceTransfers.inc({ outcome: 'failed' });
      log.error({ err, asset, delta, venueTime }, 'venue balance transfer not booked');
    }
  }
}
