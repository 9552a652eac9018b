import { dec, ONE, type Decimal } from '@bourse/domain';

// The latest mid per instrument, from the quotes market data publishes, turned into the price of
// one unit of each asset in the valuation asset for the P&L drift. Only direct pairs are used
// (BTC/USDT, or USDT/BTC inverted); an asset without one is left unpriced, and its own tolerance
// still applies.

export class PriceBook {
  private readonly mids = new Map<string, { base: string; quote: string; mid: Decimal; at: number }>();

  /** Records a quote; a quote with an empty side (zero price) is ignored. */
  onQuote(instrument: string, bidPrice: string, askPrice: string, at: number): void {
    const bid = dec(bidPrice);
    const ask = dec(askPrice);
    if (!bid.isPositive() || !ask.isPositive()) return;
    const [base = instrument, quote = ''] = instrument.split('/');
    const previous = this.mids.get(instrument);
    if (previous && previous.at > at) return;
    this.mids.set(instrument, { base, quote, mid: bid.plus(ask).div(dec(2), 16), at });
  }

  /** Price of one unit of each known asset in `valuationAsset` (decimal strings). */
  pricesIn(valuationAsset: string): Record<string, string> {
    const prices: Record<string, string> = {};
    for (const { base, quote, mid } of this.mids.values()) {
      if (quote === valuationAsset) prices[base] = mid.toString();
      else if (base === valuationAsset && prices[quote] === undefined) prices[quote] = ONE.div(mid, 16).toString();
    }
    return prices;
  }
}
