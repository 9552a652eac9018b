import { z } from 'zod';
import { operatorReplyOf } from './operator.js';
import {
  AssetCode,
  ClientOrderId,
  DecimalString,
  EpochMs,
  InstrumentSymbol,
  OrderStatus,
  StrategyId,
} from './primitives.js';
import { VenueCorrectionsApplied } from './venue-corrections.js';

// Replies of the order manager's request/reply commands (`cmd.order-manager.<name>`). The requests
// are the operator commands (CancelCommand, CancelAllCommand, StatusCommand), VenueCorrections and
// BookTransferCommand (below: the one request only the order manager serves); every reply is an OperatorReply whose result has one of the shapes below. The order manager builds
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

/**
 * `cmd.order-manager.book-transfer`: the operator books a balance change found at the venue that no
 * user-data event reported (a deposit or withdrawal the stream lost, a transfer made elsewhere).
 * The order manager books it as a balance transfer at `requestedAt`, so the same request sent again
 * is the same transfer (a duplicate), and the reconciler counts it as holdings outside positions.
 */
export const BookTransferCommand = z.object({
  v: z.literal(1),
  command: z.literal('book-transfer'),
  /** The operator that asked; recorded with the act in the CLI's audit log. */
  requestedBy: z.string().min(1),
  /** The act's time: the transfer's time in the books. */
  requestedAt: EpochMs,
  asset: AssetCode,
  /** Signed: positive in (a deposit), negative out (a withdrawal). */
  delta: DecimalString.refine((s) => /[1-9]/.test(s), { message: 'must not be zero' }),
  reason: z.string().min(1),
});
export type BookTransferCommand = z.infer<typeof BookTransferCommand>;

/**
 * What came of a book-transfer. `booked`: the stored free balance moved by the delta (`free` is the
 * new amount). `duplicate`: this transfer was booked before; nothing changed. `refused`: the stored
 * free balance (`free`) cannot pay the withdrawal; nothing was written.
 */
export const BookTransferResult = z.object({
  outcome: z.enum(['booked', 'duplicate', 'refused']),
  venue: z.string().min(1),
  asset: AssetCode,
  delta: DecimalString,
  /** The stored free balance after a booking, or the one a refused withdrawal exceeds; absent for a duplicate. */
  free: DecimalString.optional(),
});
export type BookTransferResult = z.infer<typeof BookTransferResult>;

/** The reply to `cmd.order-manager.book-transfer`. */
export const BookTransferReply = operatorReplyOf(BookTransferResult);
export type BookTransferReply = z.infer<typeof BookTransferReply>;
