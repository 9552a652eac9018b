import { z } from 'zod';
import {
  AssetCode,
  ClientOrderId,
  DecimalString,
  EpochMs,
  EventId,
  InstrumentSymbol,
  Liquidity,
  PositiveDecimalString,
  Side,
  VenueFillId,
  VenueId,
  VenueOrderId,
} from '../primitives.js';

/**
 * One execution of an order at the venue: the only event that moves positions. Keyed by venue fill id,
 * so a fill seen on the user-data stream and again by the reconciler is applied once.
 */
export const FillEvent = z.object({
  v: z.literal(1),
  type: z.literal('fill'),
  eventId: EventId,
  venue: VenueId,
  venueFillId: VenueFillId,
  clientOrderId: ClientOrderId,
  venueOrderId: VenueOrderId,
  instrument: InstrumentSymbol,
  side: Side,
  qty: PositiveDecimalString,
  price: PositiveDecimalString,
  /** Negative when the venue pays a rebate. */
  fee: DecimalString,
  feeAsset: AssetCode,
  liquidity: Liquidity,
  venueTime: EpochMs,
});
export type FillEvent = z.infer<typeof FillEvent>;
