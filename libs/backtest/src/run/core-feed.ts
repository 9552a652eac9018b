import type { Quote, Trade } from '@bourse/contracts';
import { Decimal, ZERO } from '@bourse/domain';
import type { Bar } from '../data/bars.js';
import type { SimVenue } from '../engine/sim-venue.js';
import type { Cores } from './cores.js';
import type { OrderPath } from './order-path.js';
import { BACKTEST_VENUE } from './spec.js';

// The market as the cores see it: the data's prices become the quotes and trades the live runner and
// risk gate receive (in their contract shapes), and the venue's buying power becomes the risk gate's
// balances. What the runner decides on them goes down the order path.

/** Displayed size of the quotes made from bars: bars say nothing of depth. */
const DEEP = '1000000000';

function quoteOf(instrument: string, bid: string, ask: string, bidQty: string, askQty: string, at: number): Quote {
  return {
    v: 1,
    venue: BACKTEST_VENUE,
    instrument,
    bidPrice: bid,
    bidQty,
    askPrice: ask,
    askQty,
    receivedAt: at,
  } as Quote;
}

function tradeOf(instrument: string, id: string, price: string, qty: string, aggressor: 'BUY' | 'SELL', at: number) {
  return {
    v: 1,
    venue: BACKTEST_VENUE,
    instrument,
    venueTradeId: id,
    price,
    qty,
    aggressor,
    venueTime: at,
    receivedAt: at,
  } as Trade;
}

/**
 * The base asset's buying power as the risk gate's balance: power / mark, rounded up. That is a long
 * division, fed on every tick and read only when the gate checks an intent, so it is worked out on
 * the first read, once, from the tick's own values. `toJSON` keeps it printing as plain data.
 */
class BaseAtMark {
  readonly locked = ZERO;
  private value: Decimal | undefined;

  constructor(
    private readonly power: Decimal,
    private readonly mark: Decimal,
  ) {}

  get free(): Decimal {
    return (this.value ??= this.power.div(this.mark, 18, 'ceil'));
  }

  toJSON(): { free: Decimal; locked: Decimal } {
    return { free: this.free, locked: this.locked };
  }
}

export class CoreFeed {
  private readonly baseAsset: string;
  private readonly quoteAsset: string;

  constructor(
    private readonly cores: Cores,
    private readonly orders: OrderPath,
    private readonly venue: SimVenue,
    /** The latest mark: the position's value in the balances the risk gate is told. */
    private readonly markOf: () => Decimal,
  ) {
    const [b = '', q = ''] = cores.ref.symbol.split('/');
    this.baseAsset = b;
    this.quoteAsset = q;
  }

  /**
   * One of the bar's prices as a trade to the runner. The open goes at the bar's open time (it is
   * known then, and the runner's safe start counts a bar only if its first trade came at or after
   * the window opened); high, low and close in the bar's last millisecond.
   */
  barTrade(bar: Bar, i: number, price: string, qty: string, at: number): void {
    const trade = tradeOf(this.cores.ref.symbol, `${bar.line}-${i}`, price, qty, 'BUY', at);
    this.orders.route(this.cores.runner.onTrade(trade));
  }

  /** A quote to the risk gate and the runner (deep, when it is made from a bar's price). */
  quote(bid: Decimal, ask: Decimal, at: number, bidQty = DEEP, askQty = DEEP): void {
    const quote = quoteOf(this.cores.ref.symbol, bid.toString(), ask.toString(), bidQty, askQty, at);
    this.cores.risk.onQuote(quote);
    this.orders.route(this.cores.runner.onQuote(quote));
    this.balances(at);
  }

  /** A trade tick: the risk gate prices at it (a quote with bid = ask = its price), the runner sees the trade. */
  tradeTick(time: number, price: string, qty: string, aggressor: 'BUY' | 'SELL', id: string): void {
    const at = quoteOf(this.cores.ref.symbol, price, price, qty, qty, time);
    this.cores.risk.onQuote(at);
    this.balances(time);
    const trade = tradeOf(this.cores.ref.symbol, id, price, qty, aggressor, time);
    this.orders.route(this.cores.runner.onTrade(trade));
  }

  /**
   * The venue is a 1× margin account; the risk gate is a spot gate. It is told the account's buying
   * power as its balances (quote: equity; base: equity at the mark), so a flip's opening leg is not
   * refused for cash its closing leg is about to free.
   */
  private balances(at: number): void {
    const mark = this.markOf();
    if (!mark.isPositive()) return;
    const equity = this.venue.equity(mark);
    const power = Decimal.max(equity, ZERO).plus(this.venue.position().abs().times(mark));
    this.cores.risk.onBalances({
      asOf: at,
      balances: { [this.quoteAsset]: { free: power, locked: ZERO }, [this.baseAsset]: new BaseAtMark(power, mark) },
    });
  }
}
