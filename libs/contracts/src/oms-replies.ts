import { z } from 'zod';
import { operatorReplyOf } from './operator.js';
import { ClientOrderId, DecimalString, InstrumentSymbol, OrderStatus, StrategyId } from './primitives.js';
import { VenueCorrectionsApplied } from './venue-corrections.js';

// Replies of the order manager's request/reply commands (`cmd.order-manager.<name>`). The requests
// are the operator commands (CancelCommand, CancelAllCommand, StatusCommand) and VenueCorrections;
// every reply is an OperatorReply whose result has one of the shapes below. The order manager builds
// replies of these types and the CLI (and any other caller) decodes them with these schemas.

/** One order a cancel command asks the venue to cancel. */
export const CancelTarget = z.object({
  clientOrderId: ClientOrderId,
  strategyId: StrategyId,
  instrument: InstrumentSymbol,
  venueSymbol: z.string(),
  status: OrderStatus,
});
export type CancelTarget = z.infer<typeof CancelTarget>;

/** An order in a cancel command's scope that is not canceled again, and why. */
export const SkippedOrder = z.object({
  clientOrderId: ClientOrderId,
  status: OrderStatus,
  reason: z.string().min(1),
});
export type SkippedOrder = z.infer<typeof SkippedOrder>;

/** What a cancel or cancel-all command selected: the orders a cancel is sent for, and those skipped. */
export const CancelCommandResult = z.object({
  /** Orders a cancel was sent for (the venue's answer comes as OrderStatusUpdates on EXEC). */
  requested: z.array(CancelTarget),
  skipped: z.array(SkippedOrder),
});
export type CancelCommandResult = z.infer<typeof CancelCommandResult>;

/** The plan's reply before the venue is asked (the execution core's `planOperatorCommand`). */
export const CancelCommandReply = operatorReplyOf(CancelCommandResult);
export type CancelCommandReply = z.infer<typeof CancelCommandReply>;

/** The cancel / cancel-all result the order manager replies with: what was asked of the venue, what it canceled, what failed. */
export const CancelExecutionResult = CancelCommandResult.extend({
  canceled: z.array(ClientOrderId),
  failed: z.array(z.object({ clientOrderId: ClientOrderId, reason: z.string().min(1) })),
});
export type CancelExecutionResult = z.infer<typeof CancelExecutionResult>;

/** The reply to `cmd.order-manager.cancel` and `cmd.order-manager.cancel-all`. */
export const CancelExecutionReply = operatorReplyOf(CancelExecutionResult);
export type CancelExecutionReply = z.infer<typeof CancelExecutionReply>;

/** The order manager's own view, as `cmd.order-manager.status` answers it. */
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

/** The reply to `cmd.order-manager.status`. */
export const OmsStatusReply = operatorReplyOf(OmsStatus);
export type OmsStatusReply = z.infer<typeof OmsStatusReply>;

/** The reply to `cmd.order-manager.apply-corrections` (sent by the reconciler). */
export const VenueCorrectionsReply = operatorReplyOf(VenueCorrectionsApplied);
export type VenueCorrectionsReply = z.infer<typeof VenueCorrectionsReply>;
