import type { Intent } from '@bourse/contracts';
import { dec, roundPrice, roundQty, type Decimal, type InstrumentSpec } from '@bourse/domain';
import type { ProposedOrder } from './types.js';

// Turns an intent into the order it would become, on the instrument's grids, through the domain's
// rounding (the one place that rounds): a limit price passively (BUY down, SELL up), a stop price
// to the nearest tick (neither earlier nor later by choice), a quantity down to the step. A
// `quoteQty` stays a quote amount only on a market order, where the venue sizes it itself;
// otherwise it becomes a quantity at the order's own price, rounded down.

/** Places kept when dividing a quote amount by a price, before rounding to the step. */
const DIVISION_PLACES = 18;
const PRICED = new Set(['limit', 'limit-maker', 'stop-limit']);

/** The rounded order for an intent; `mid` values a market order. Never throws on a contract-valid intent. */
export function proposeOrder(intent: Intent, spec: InstrumentSpec, mid: Decimal | undefined): ProposedOrder {
  const side = intent.side;
  const isMarket = !PRICED.has(intent.style);
  const price = intent.price === undefined ? undefined : roundPrice(spec, dec(intent.price), side, 'passive');
  const stopPrice =
    intent.stopPrice === undefined ? undefined : roundPrice(spec, dec(intent.stopPrice), side, 'nearest');

  let qty: Decimal | undefined;
  let quoteQty: Decimal | undefined;
  if (intent.qty !== undefined) {
    qty = roundQty(spec, dec(intent.qty), { market: isMarket });
  } else if (intent.quoteQty !== undefined) {
    const quote = dec(intent.quoteQty);
    const at = price ?? stopPrice;
    if (intent.style === 'market') {
      quoteQty = spec.quotePrecision === undefined ? quote : quote.roundTo(spec.quotePrecision, 'down');
    } else if (at !== undefined && at.isPositive()) {
      qty = roundQty(spec, quote.div(at, DIVISION_PLACES, 'floor'), { market: isMarket });
    }
  }

  const valuationPrice = price ?? stopPrice ?? mid;
  let exposureQty = qty;
  if (exposureQty === undefined && quoteQty !== undefined && mid !== undefined && mid.isPositive()) {
    exposureQty = quoteQty.div(mid, DIVISION_PLACES, 'ceil');
  }
  const notional =
    quoteQty ??
    (exposureQty !== undefined && valuationPrice !== undefined
      ? exposureQty.times(valuationPrice).times(spec.multiplier)
      : undefined);

  return {
    strategyId: intent.strategyId,
    instrument: intent.instrument,
    spec,
    side,
    style: intent.style,
    qty,
    quoteQty,
    price,
    stopPrice,
    exposureQty,
    valuationPrice,
    notional,
    reduceOnly: intent.reduceOnly,
  };
}
