import { z } from 'zod';
import { compareDecimalStrings, isZeroDecimal } from '../decimal-order.js';
import {
  ClientOrderId,
  EpochMs,
  EventId,
  InstrumentSymbol,
  NonNegativeDecimalString,
  OrderStatus,
  PositiveDecimalString,
  VenueId,
  VenueOrderId,
} from '../primitives.js';

/**
 * Who refused an order: the venue (its answer to placeOrder, or its user-data stream), or Bourse itself
 * (the OMS refusing before sending: trading state, a request the venue port cannot carry, an order
 * abandoned after an unknown outcome). Consumers that react to venue trouble (the risk gate's
 * rejection-burst kill switch) count only the venue's refusals.
 */
export const RejectedBy = z.enum(['venue', 'bourse']);
export type RejectedBy = z.infer<typeof RejectedBy>;

/**
 * The venue (or the OMS itself) reports a new status for an order. Changes order status only: positions
 * move on FillEvent alone. Quantities are cumulative, so a repeated or late update cannot double count.
 */
export const OrderStatusUpdate = z
  .object({
    v: z.literal(1),
    type: z.literal('order-status'),
    /** Idempotency key: the same event applied twice changes nothing. */
    eventId: EventId,
    venue: VenueId,
    instrument: InstrumentSymbol,
    clientOrderId: ClientOrderId,
    /** Absent until the venue has acknowledged the order (and on rejections before that). */
    venueOrderId: VenueOrderId.optional(),
    status: OrderStatus,
    filledQty: NonNegativeDecimalString,
    cumulativeQuoteQty: NonNegativeDecimalString,
    /** Average fill price; absent while nothing has filled. */
    avgPrice: PositiveDecimalString.optional(),
    /** Venue reject or cancel reason, or why the OMS set the status (e.g. timeout → unknown). */
    reason: z.string().min(1).optional(),
    /**
     * With status `rejected` only: who refused it. Optional so that messages written before the
     * field existed still decode; the OMS sets it on every rejection it publishes.
     */
    rejectedBy: RejectedBy.optional(),
    /**
     * With status `expired` only, when Bourse refused the order before sending it because its decision
     * outlived its shelf life (DESIGN 13): how old the decision was then, in ms. Nothing was sent.
     */
    decisionAgeMs: z.number().int().nonnegative().optional(),
    venueTime: EpochMs,
  })
  .superRefine((u, ctx) => {
    const filled = !isZeroDecimal(u.filledQty);
    if ((u.status === 'filled' || u.status === 'partially-filled') && !filled) {
      ctx.addIssue({ code: 'custom', path: ['filledQty'], message: `must be above zero when status is ${u.status}` });
    }
    if (!filled && compareDecimalStrings(u.cumulativeQuoteQty, '0') > 0) {
      ctx.addIssue({ code: 'custom', path: ['cumulativeQuoteQty'], message: 'must be zero while filledQty is zero' });
    }
    if (!filled && u.avgPrice !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['avgPrice'], message: 'must be absent while filledQty is zero' });
    }
    if (u.rejectedBy !== undefined && u.status !== 'rejected') {
      ctx.addIssue({ code: 'custom', path: ['rejectedBy'], message: `must be absent when status is ${u.status}` });
    }
    if (u.decisionAgeMs !== undefined && u.status !== 'expired') {
      ctx.addIssue({ code: 'custom', path: ['decisionAgeMs'], message: `must be absent when status is ${u.status}` });
    }
  });
export type OrderStatusUpdate = z.infer<typeof OrderStatusUpdate>;
