import { z } from 'zod';
import { compareDecimalStrings } from './decimal-order.js';
import {
  AssetCode,
  InstrumentSymbol,
  NonNegativeDecimalString,
  PositiveDecimalString,
  VenueId,
  VenueSymbol,
} from './primitives.js';

/**
 * One tradable instrument as the venue defines it. The instrument registry (libs/domain) loads these
 * from the venue's own metadata and is the only place that rounds prices to tick and quantities to step.
 */
export const Instrument = z
  .object({
    v: z.literal(1),
    /** Venue-neutral symbol, `BTC/USDT`. */
    symbol: InstrumentSymbol,
    venue: VenueId,
    /** The venue's spelling, `BTCUSDT`; also the symbol token in subjects. */
    venueSymbol: VenueSymbol,
    base: AssetCode,
    quote: AssetCode,
    /** Price increment (Binance PRICE_FILTER.tickSize). */
    tickSize: PositiveDecimalString,
    /** Quantity increment for limit orders (LOT_SIZE.stepSize). */
    stepSize: PositiveDecimalString,
    /** Quantity increment for market orders (MARKET_LOT_SIZE.stepSize) when the venue sets one apart. */
    marketStepSize: PositiveDecimalString.optional(),
    minQty: NonNegativeDecimalString,
    maxQty: PositiveDecimalString,
    /** Smallest price × qty the venue accepts, in the quote asset. */
    minNotional: NonNegativeDecimalString,
    /** Contract multiplier; "1" for spot. */
    multiplier: PositiveDecimalString,
  })
  .superRefine((value, ctx) => {
    if (value.symbol !== `${value.base}/${value.quote}`) {
      ctx.addIssue({ code: 'custom', path: ['symbol'], message: `must be ${value.base}/${value.quote} (base/quote)` });
    }
    if (compareDecimalStrings(value.minQty, value.maxQty) > 0) {
      ctx.addIssue({ code: 'custom', path: ['maxQty'], message: `must be at least minQty (${value.minQty})` });
    }
  });
export type Instrument = z.infer<typeof Instrument>;
