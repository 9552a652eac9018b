// Reply shapes of the OMS's request/reply commands beyond the contracts' own: cancel results with
// what the venue did, and a small status. The request shapes are the contracts' (CancelCommand,
// CancelAllCommand, StatusCommand, VenueCorrections).

import { ClientOrderId, DecimalString, InstrumentSymbol, StrategyId, operatorReplyOf } from '@bourse/contracts';
import { z } from 'zod';
import { CancelCommandResult } from '@bourse/execution';

/** The cancel / cancel-all result: what was asked of the venue, what it canceled, and what failed. */
export const CancelExecutionResult = CancelCommandResult.extend({
  canceled: z.array(ClientOrderId),
  failed: z.array(z.object({ clientOrderId: ClientOrderId, reason: z.string().min(1) })),
});
export type CancelExecutionResult = z.infer<typeof CancelExecutionResult>;
export const CancelExecutionReply = operatorReplyOf(CancelExecutionResult);
export type CancelExecutionReply = z.infer<typeof CancelExecutionReply>;

export const OmsStatus = z.object({
  openOrders: z.number().int().nonnegative(),
  positions: z.array(
    z.object({
      strategyId: StrategyId,
      instrument: InstrumentSymbol,
      qty: DecimalString,
      realizedPnl: DecimalString,
    }),
  ),
  /** Venue time of the last event applied; null before any. */
  lastEventAt: z.number().int().nonnegative().nullable(),
  submissionPaused: z.boolean(),
  activeTactics: z.number().int().nonnegative(),
});
export type OmsStatus = z.infer<typeof OmsStatus>;
export const OmsStatusReply = operatorReplyOf(OmsStatus);
export type OmsStatusReply = z.infer<typeof OmsStatusReply>;
