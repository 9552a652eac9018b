import { z } from 'zod';
import { FillEvent } from './events/fill-event.js';
import { OrderStatusUpdate } from './events/order-status-update.js';
import { VenueId } from './primitives.js';

/**
 * What a reconciliation run found at the venue that Bourse had missed: fills and order closures. The
 * reconciler sends it to the order manager by request/reply on `command('order-manager',
 * 'apply-corrections')`, because the OMS is the only writer of orders, fills and positions. Applying is
 * idempotent (fills by venue fill id, updates by event id), so a run repeated after a lost reply is safe.
 */
export const VenueCorrections = z.object({
  v: z.literal(1),
  runId: z.string().min(1),
  venue: VenueId,
  fills: z.array(FillEvent),
  orderUpdates: z.array(OrderStatusUpdate),
});
export type VenueCorrections = z.infer<typeof VenueCorrections>;

const Count = z.number().int().nonnegative();

/** The order manager's answer: how much was new and how much it had already applied. */
export const VenueCorrectionsApplied = z.object({
  v: z.literal(1),
  runId: z.string().min(1),
  fillsApplied: Count,
  fillsAlreadyKnown: Count,
  orderUpdatesApplied: Count,
  orderUpdatesAlreadyKnown: Count,
});
export type VenueCorrectionsApplied = z.infer<typeof VenueCorrectionsApplied>;
