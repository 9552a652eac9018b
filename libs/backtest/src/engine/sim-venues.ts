import type { Side } from '@bourse/contracts';
import type { Decimal } from '@bourse/domain';
import type { PlaceOrderOutcome, PlaceOrderRequest, QueryOrderRequest, VenueOrder } from '@bourse/venues';
import { InvalidBacktestArgumentError } from '../errors.js';
import type { SimVenue, VenueReport } from './sim-venue.js';

/**
 * Several simulated venues, one per instrument of a unit backtest, behind the one venue port the OMS
 * core submits to: each order goes to its instrument's venue (each a 1× margin account with its share
 * of the cash), and their reports are drained together, in instrument order.
 */
export class SimVenues {
  constructor(private readonly bySymbol: ReadonlyMap<string, SimVenue>) {}

  venue(symbol: string): SimVenue {
    const venue = this.bySymbol.get(symbol);
    if (venue === undefined) throw new InvalidBacktestArgumentError('instrument', symbol, 'is not one of the unit');
    return venue;
  }

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderOutcome> {
    return this.venue(request.symbol).placeOrder(request);
  }

  async queryOrder(request: QueryOrderRequest): Promise<VenueOrder | undefined> {
    return this.venue(request.symbol).queryOrder(request);
  }

  get reportCount(): number {
    let n = 0;
    for (const v of this.bySymbol.values()) n += v.reportCount;
    return n;
  }

  drain(): VenueReport[] {
    return [...this.bySymbol.values()].flatMap((v) => v.drain());
  }

  /** Quote- and fraction-sized orders are sized by one account's cash: a unit backtest takes qty only. */
  fillsMarketNow(): boolean {
    return false;
  }

  sizeQuoteOrder(_side: Side, _quoteQty: Decimal): Decimal {
    throw new InvalidBacktestArgumentError('quoteQty', 'quote-sized', 'a unit backtest takes orders sized by qty');
  }

  sizeFractionOrder(_side: Side, _fraction: Decimal): Decimal {
    throw new InvalidBacktestArgumentError('quoteQty', 'fraction-sized', 'a unit backtest takes orders sized by qty');
  }
}
