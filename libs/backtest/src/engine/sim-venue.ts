import { FillEvent, OrderStatusUpdate, type OrderStatus, type Side } from '@bourse/contracts';
import { Decimal, ZERO, dec } from '@bourse/domain';
import { MatchingEngine } from '@bourse/matching';
import type { PlaceOrderOutcome, PlaceOrderRequest, QueryOrderRequest, VenueOrder } from '@bourse/venues';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import type { ExecutionModel } from './execution.js';
import {
  commission,
  limitFill,
  onTick,
  quoteAround,
  quoteSizedQty,
  stopTrigger,
  takerPrice,
  type BarRange,
} from './pricing.js';
import type { VirtualClock } from './virtual-clock.js';

/** A moment the venue can trade at: the touch, the volume for slippage, and for a bar its range. */
export interface PriceEvent {
  readonly time: number;
  readonly bid: Decimal;
  readonly ask: Decimal;
  /** Bar volume, or the displayed size / trade size of a tick; 0 when unknown. */
  readonly volume: number;
  /** A bar's open, high and low: resting limit and stop orders are checked against it. */
  readonly range?: BarRange;
  /** Whether market orders may fill at this event (false for a bar's range check). */
  readonly market: boolean;
  /**
   * With `range`: the bar's open time. Only orders that had arrived by then are checked against the
   * range (an order arriving mid-bar cannot know which part of the range came after it).
   */
  readonly rangeFrom?: number;
}

export interface SimVenueOptions {
  readonly clock: VirtualClock;
  readonly model: ExecutionModel;
  readonly venue: string;
  /** Internal `BASE/QUOTE`. */
  readonly symbol: string;
  readonly venueSymbol: string;
  readonly cash: string;
  /** Allow selling more than held (a short, borrowed against the cash). */
  readonly allowShort: boolean;
}

/** One execution of ours, in the shapes the OMS takes from a venue's user-data stream. */
export interface VenueReport {
  readonly update: OrderStatusUpdate;
  readonly fill: FillEvent | undefined;
}

interface Working {
  readonly request: PlaceOrderRequest;
  readonly venueOrderId: string;
  readonly arrivedAt: number;
  status: OrderStatus;
  filled: Decimal;
  quote: Decimal;
  updatedAt: number;
}

const TRADER = 'trader';
const TWO = dec('2');
const LIQUIDITY = 'liquidity';

/**
 * The backtest venue: `@bourse/matching` behind the two calls the OMS core makes (placeOrder,
 * queryOrder), plus the price events the engine feeds it. Orders wait here from their arrival until
 * a price event can fill them (a market order at the next eligible event, a limit or stop when the
 * bar's range or the touch reaches it); each fill is then executed in the matching engine against a
 * liquidity account that offers exactly that quantity at the modelled price, so balances, order ids
 * and the fill record are the engine's own. Commission is charged in the quote asset on the traded
 * value (the engine's own fee rates are 0: it would take them from the bought asset). A short is a
 * sale of borrowed base, repaid by later buys.
 */
export class SimVenue {
  private readonly engine: MatchingEngine;
  private readonly working: Working[] = [];
  private readonly orders = new Map<string, Working>();
  private readonly reports: VenueReport[] = [];
  private readonly base: string;
  private readonly quoteAsset: string;
  private current: PriceEvent | undefined;
  private borrowed = ZERO;
  private nextOrderId = 1;
  private nextFillId = 1;
  private eventSeq = 1;
  feesPaid = ZERO;

  constructor(private readonly options: SimVenueOptions) {
    const [base = '', quote = ''] = options.symbol.split('/');
    this.base = base;
    this.quoteAsset = quote;
    const tick = options.model.tick.toString();
    const lot = options.model.lot.toString();
    this.engine = new MatchingEngine({
      clock: options.clock,
      maxClosedOrdersPerSymbol: 16,
      maxAccountTradesPerSymbol: 16,
      maxRecentTrades: 16,
    });
    this.engine.addSymbol({
      symbol: options.venueSymbol,
      baseAsset: base,
      quoteAsset: quote,
      tickSize: tick,
      stepSize: lot,
      minQty: lot,
      maxQty: maxQtyFor(options.model.lot),
      minNotional: '0',
      makerFeeRate: '0',
      takerFeeRate: '0',
    });
    this.engine.deposit(TRADER, quote, options.cash);
  }

  /** Free cash in the quote asset. */
  cash(): Decimal {
    return dec(this.engine.getBalance(TRADER, this.quoteAsset).free);
  }

  /** Signed position in base units: what is held less what is borrowed. */
  position(): Decimal {
    const b = this.engine.getBalance(TRADER, this.base);
    return dec(b.free).plus(dec(b.locked)).minus(this.borrowed);
  }

  /** Cash plus the position marked at `mark`. */
  equity(mark: Decimal): Decimal {
    return this.cash().plus(this.position().times(mark));
  }

  /** Reports made since the last call, in order. */
  drain(): VenueReport[] {
    return this.reports.splice(0, this.reports.length);
  }

  /** Orders that have arrived and are still working. */
  get workingCount(): number {
    return this.working.length;
  }

  /** The quantity a quote-sized market order would get now, against the cash now free (pricing.ts). */
  sizeQuoteOrder(side: Side, quoteQty: Decimal): Decimal {
    const event = this.current;
    if (event === undefined) return ZERO;
    const t = side === 'BUY' ? event.ask : event.bid;
    return quoteSizedQty(side, quoteQty, this.cash(), t, event.volume, this.options.model).qty;
  }

  /**
   * The quantity a fraction-of-equity market order gets now, resolved at its fill as backtesting.py's
   * broker does: fraction × the equity at this price (cash after any closing leg already booked, plus
   * a position still held marked at the touch's mid) is the budget, then sized as a quote order
   * (quoteSizedQty: at most the cash free, price with spread, slippage and commission, down to the lot).
   */
  sizeFractionOrder(side: Side, fraction: Decimal): Decimal {
    const event = this.current;
    if (event === undefined) return ZERO;
    const mid = event.bid.plus(event.ask).div(TWO, 18, 'half-even');
    const budget = Decimal.max(this.equity(mid), ZERO).times(fraction);
    const t = side === 'BUY' ? event.ask : event.bid;
    return quoteSizedQty(side, budget, this.cash(), t, event.volume, this.options.model).qty;
  }

  /** Whether a market order arriving now fills at once (the current event is eligible and is now). */
  fillsMarketNow(): boolean {
    return this.current !== undefined && this.current.market && this.current.time === this.options.clock.now();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderOutcome> {
    const refusal = this.refuse(request);
    if (refusal !== undefined) {
      return {
        outcome: 'rejected',
        error: new VenueError('non-retryable', VenueErrorCode.INVALID_REQUEST, refusal),
        via: 'rest',
      };
    }
    const now = this.options.clock.now();
    const order: Working = {
      request,
      venueOrderId: String(this.nextOrderId++),
      arrivedAt: now,
      status: 'new',
      filled: ZERO,
      quote: ZERO,
      updatedAt: now,
    };
    const ack = this.view(order);
    this.orders.set(request.clientOrderId, order);
    this.working.push(order);
    // An order reaching the venue during an eligible event meets that event's price at once.
    if (this.current !== undefined && this.current.time === now) this.tryFill(order, this.current, false);
    this.sweep();
    return { outcome: 'accepted', order: ack, via: 'rest', resolvedByQuery: false };
  }

  async queryOrder(request: QueryOrderRequest): Promise<VenueOrder | undefined> {
    const order = this.orders.get(request.clientOrderId);
    return order === undefined ? undefined : this.view(order);
  }

  /** A new price: fills every working order it reaches, oldest first. */
  onPrice(event: PriceEvent): void {
    // A range check is not a moment one can trade at: orders arriving later meet the next price.
    if (event.range === undefined) this.current = event;
    if (this.working.length === 0) return;
    const arrivedBy = event.range !== undefined ? (event.rangeFrom ?? event.time) : event.time;
    for (const order of this.working) if (order.arrivedAt <= arrivedBy) this.tryFill(order, event, true);
    this.sweep();
  }

  /** Cancels every working order (the data ended): each gets a `canceled` report with `reason`. */
  cancelAll(reason: string): void {
    const time = this.options.clock.now();
    for (const order of this.working) this.close(order, 'canceled', reason, time);
    this.sweep();
  }

  private refuse(request: PlaceOrderRequest): string | undefined {
    if (request.symbol !== this.options.symbol) return `unknown symbol ${request.symbol}`;
    if (request.style === 'stop-limit') return 'stop-limit orders are not simulated by the backtest venue';
    if (request.quantity === undefined && request.quoteQuantity === undefined)
      return 'neither quantity nor quoteQuantity';
    if (request.style !== 'market' && request.quantity === undefined) return 'quoteQuantity sizes market orders only';
    if ((request.style === 'limit' || request.style === 'limit-maker') && request.price === undefined)
      return 'a limit order needs a price';
    if (request.style === 'stop' && request.stopPrice === undefined) return 'a stop order needs a stop price';
    return undefined;
  }

  private tryFill(order: Working, event: PriceEvent, useRange: boolean): void {
    if (order.status !== 'new') return;
    const { request } = order;
    const side = request.side;
    const model = this.options.model;
    const range = useRange ? event.range : undefined;
    if (request.style === 'market') {
      if (!event.market) return;
      const t = side === 'BUY' ? event.ask : event.bid;
      if (request.quantity !== undefined) {
        const qty = dec(request.quantity);
        this.execute(order, qty, takerPrice(side, t, qty, event.volume, model), 'taker', event.time);
      } else {
        const sized = quoteSizedQty(side, dec(request.quoteQuantity!), this.cash(), t, event.volume, model);
        if (!sized.qty.isPositive())
          return this.close(order, 'expired', 'the cash available buys less than one lot', event.time);
        this.execute(order, sized.qty, sized.price, 'taker', event.time);
      }
      return;
    }
    const qty = dec(request.quantity!);
    if (request.style === 'stop') {
      const stop = dec(request.stopPrice!);
      const at =
        range !== undefined ? stopTrigger(side, stop, range) : stopTrigger(side, stop, touchRange(side, event));
      if (at === undefined) return;
      const q = range !== undefined ? quoteAround(at, model) : { bid: at, ask: at };
      this.execute(
        order,
        qty,
        takerPrice(side, side === 'BUY' ? q.ask : q.bid, qty, event.volume, model),
        'taker',
        event.time,
      );
      return;
    }
    const limit = dec(request.price!);
    const at = limitFill(side, limit, range ?? touchRange(side, event));
    if (at === undefined) return;
    // Filled at its own price, it rested on the book (maker); filled at a better price, the market
    // was already through it when it met the order, which then took liquidity (taker).
    this.execute(order, qty, onTick(side, at, model.tick), at.eq(limit) ? 'maker' : 'taker', event.time);
  }

  /** Executes one whole fill in the matching engine and reports it. */
  private execute(order: Working, qty: Decimal, price: Decimal, liquidity: 'maker' | 'taker', time: number): void {
    const { request } = order;
    const model = this.options.model;
    const fee = commission(qty, price, liquidity === 'maker' ? model.makerFee : model.takerFee);
    const notional = qty.times(price);
    if (request.side === 'BUY') {
      if (this.cash().lt(notional.plus(fee))) {
        return this.close(
          order,
          'expired',
          `needs ${notional.plus(fee).toString()} ${this.quoteAsset}, ${this.cash().toString()} is free`,
          time,
        );
      }
      this.engine.deposit(LIQUIDITY, this.base, qty.toString());
      this.cross(order, 'SELL', qty, price);
      const repay = Decimal.min(this.borrowed, qty);
      if (repay.isPositive()) {
        this.engine.withdraw(TRADER, this.base, repay.toString());
        this.borrowed = this.borrowed.minus(repay);
      }
    } else {
      const held = dec(this.engine.getBalance(TRADER, this.base).free);
      const shortfall = qty.minus(held);
      if (shortfall.isPositive()) {
        if (!this.options.allowShort) {
          return this.close(
            order,
            'expired',
            `sells ${qty.toString()} ${this.base}, ${held.toString()} is held (long-only)`,
            time,
          );
        }
        // A short is backed by the cash: what is borrowed, valued at this price, must not exceed it.
        if (this.cash().lt(this.borrowed.plus(shortfall).times(price).plus(fee))) {
          return this.close(order, 'expired', `a short of ${qty.toString()} ${this.base} exceeds the cash`, time);
        }
        this.engine.deposit(TRADER, this.base, shortfall.toString());
        this.borrowed = this.borrowed.plus(shortfall);
      }
      this.engine.deposit(LIQUIDITY, this.quoteAsset, notional.toString());
      this.cross(order, 'BUY', qty, price);
    }
    if (fee.isPositive()) this.engine.withdraw(TRADER, this.quoteAsset, fee.toString());
    this.feesPaid = this.feesPaid.plus(fee);
    order.filled = qty;
    order.quote = notional;
    order.status = 'filled';
    order.updatedAt = time;
    const fillId = String(this.nextFillId++);
    const fill = FillEvent.parse({
      v: 1,
      type: 'fill',
      eventId: `${this.options.venue}:fill:${this.options.venueSymbol}:${fillId}`,
      venue: this.options.venue,
      venueFillId: fillId,
      clientOrderId: request.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrument: this.options.symbol,
      side: request.side,
      qty: qty.toString(),
      price: price.toString(),
      fee: fee.toString(),
      feeAsset: this.quoteAsset,
      liquidity,
      venueTime: time,
    });
    this.reports.push({ update: this.statusUpdate(order, undefined), fill });
  }

  /** The liquidity account offers exactly `qty` at `price`; the trader's market order takes it. */
  private cross(order: Working, lpSide: Side, qty: Decimal, price: Decimal): void {
    const symbol = this.options.venueSymbol;
    const q = qty.toString();
    this.engine.placeOrderFast({
      accountId: LIQUIDITY,
      symbol,
      side: lpSide,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: q,
      price: price.toString(),
    });
    this.engine.placeOrderFast({
      accountId: TRADER,
      symbol,
      side: order.request.side,
      type: 'MARKET',
      quantity: q,
      newClientOrderId: order.request.clientOrderId,
    });
  }

  private close(order: Working, status: 'expired' | 'canceled', reason: string, time: number): void {
    order.status = status;
    order.updatedAt = time;
    this.reports.push({ update: this.statusUpdate(order, reason), fill: undefined });
  }

  /** Drops orders that are done from the working list (kept for queries). */
  private sweep(): void {
    let j = 0;
    for (let i = 0; i < this.working.length; i++) {
      const order = this.working[i]!;
      if (order.status === 'new') this.working[j++] = order;
    }
    this.working.length = j;
  }

  private statusUpdate(order: Working, reason: string | undefined): OrderStatusUpdate {
    const filled = order.filled.isPositive();
    return OrderStatusUpdate.parse({
      v: 1,
      type: 'order-status',
      eventId: `${this.options.venue}:exec:${this.options.venueSymbol}:${order.request.clientOrderId}:${this.eventSeq++}`,
      venue: this.options.venue,
      instrument: this.options.symbol,
      clientOrderId: order.request.clientOrderId,
      venueOrderId: order.venueOrderId,
      status: order.status,
      filledQty: order.filled.toString(),
      cumulativeQuoteQty: order.quote.toString(),
      ...(filled ? { avgPrice: order.quote.div(order.filled, 12, 'half-even').toString() } : {}),
      venueTime: order.updatedAt,
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  private view(order: Working): VenueOrder {
    const r = order.request;
    return {
      symbol: r.symbol,
      clientOrderId: r.clientOrderId,
      venueOrderId: order.venueOrderId as VenueOrder['venueOrderId'],
      side: r.side,
      style: r.style,
      timeInForce: r.timeInForce,
      status: order.status,
      venueStatus: order.status.toUpperCase(),
      price: r.price ?? '0',
      stopPrice: r.stopPrice,
      quantity: r.quantity ?? order.filled.toString(),
      cumulativeQuantity: order.filled.toString(),
      cumulativeQuote: order.quote.toString(),
      createdAt: order.arrivedAt,
      updatedAt: order.updatedAt,
    };
  }
}

/** Without a bar, the touch is the whole range a resting order can meet. */
function touchRange(side: Side, event: PriceEvent): BarRange {
  const t = side === 'BUY' ? event.ask : event.bid;
  return { open: t, high: t, low: t };
}

/** The largest quantity the engine's integer lots allow (below 2^53 lots). */
function maxQtyFor(lot: Decimal): string {
  return lot.times(dec('9000000000000000')).toString();
}
