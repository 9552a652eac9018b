// Sends a run's missed fills and order updates to the order manager, the one writer of orders and
// fills, by request/reply. Applying is idempotent there (fills by venue fill id, updates by event
// id), so a request whose reply was lost is simply sent again.

import { isBusError, BusErrorCode, type Bus } from '@bourse/bus';
import {
  operatorReplyOf,
  VenueCorrections,
  VenueCorrectionsApplied,
  type FillEvent,
  type OrderStatusUpdate,
  type VenueId,
} from '@bourse/contracts';
import type { Logger } from '@bourse/telemetry';
import { RunFailedError, RunFailureCode, describe } from './errors.js';

export const ORDER_MANAGER_SERVICE = 'order-manager';
export const APPLY_CORRECTIONS_COMMAND = 'apply-corrections';

const RequestContract = { name: 'VenueCorrections', schema: VenueCorrections };
const ReplyContract = { name: 'VenueCorrectionsReply', schema: operatorReplyOf(VenueCorrectionsApplied) };

export interface CorrectionsOptions {
  readonly timeoutMs: number;
  /** Attempts in all; only a timeout is retried (the request may simply not have been heard). */
  readonly attempts: number;
}

export class CorrectionsSender {
  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly options: CorrectionsOptions,
  ) {}

  /** Resolves with the OMS's count once it confirmed; throws RunFailedError when it did not. */
  async send(
    runId: string,
    venue: VenueId,
    fills: readonly FillEvent[],
    orderUpdates: readonly OrderStatusUpdate[],
  ): Promise<VenueCorrectionsApplied> {
    const subject = this.bus.subjects.command(ORDER_MANAGER_SERVICE, APPLY_CORRECTIONS_COMMAND);
    const request: VenueCorrections = { v: 1, runId, venue, fills: [...fills], orderUpdates: [...orderUpdates] };
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        const reply = await this.bus.request(subject, RequestContract, request, ReplyContract, {
          timeoutMs: this.options.timeoutMs,
        });
        if (!reply.ok) {
          throw new RunFailedError(
            RunFailureCode.CORRECTIONS_FAILED,
            'corrections',
            `the order manager refused the corrections of run ${runId}: ${reply.error.code} ${reply.error.message}`,
          );
        }
        return reply.result;
      } catch (err) {
        if (err instanceof RunFailedError) throw err;
        lastError = err;
        if (!isBusError(err, BusErrorCode.RequestTimeout)) break;
        this.logger.warn(
          { runId, attempt, attempts: this.options.attempts },
          'apply-corrections timed out; asking again',
        );
      }
    }
    throw new RunFailedError(
      RunFailureCode.CORRECTIONS_FAILED,
      'corrections',
      `the order manager did not confirm the corrections of run ${runId}: ${describe(lastError)}`,
      { cause: lastError },
    );
  }
}
