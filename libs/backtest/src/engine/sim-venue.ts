import { FillEvent, OrderStatusUpdate, type OrderStatus, type Side } from '@bourse/contracts';
import { Decimal, ZERO, dec } from '@bourse/domain';
import { MatchingEngine, formatUnits, isMatchingError, type NewOrderRequest, type OrderView } from '@bourse/matching';
import type { PlaceOrderOutcome, PlaceOrderRequest, QueryOrderRequest, VenueOrder } from '@bourse/venues';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import type { ExecutionModel } from './execution.js';
import { SyntheticLiquidity, barPath, hasSlippage, takerLevel, type BarRange } from './liquidity.js';
import { commission, quoteAround, quoteSizedQty } from './pricing.js';
import type { VirtualClock } from './virtual-clock.js';

export type { BarRange } from './liquidity.js';

/** A moment of the data: the touch, the volume for slippage, and for a bar its range. */
export interface PriceEvent {
  readonly time: number;
  readonly bid: Decimal;
  readonly ask: Decimal;
  /** Bar volume, or the displayed size / trade size of a tick; 0 when unknown. */
  readonly volume: number;
  /** A bar's open, high and low (and close, for the path's direction): its path through the book. */
  readonly range?: BarRange;
  /** Whether the market is open at this moment: orders reach the book and market orders trade. */
  readonly market: boolean;
  /**
   * With `range`: the bar's open time. Only orders on the book by then meet the path (an order
   * arriving mid-bar cannot know which part of the range came after it: it waits for the next open).
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
  /** Its order id in the matching engine while on the book (or its stop book). */
  engineId: number | undefined;
  /** Base borrowed to back this sell while it rests (a short to be), given back if it does not fill. */
  borrowed: Decimal;
}

const TRADER = 'trader';
const LIQUIDITY = 'liquidity';
const TWO = dec('2');
/** How the engine writes a zero balance. */
/**
 * One balance as the Decimal its printed form parses to, parsed again only when the engine's units
 * change: cash and position are read on every market event (equity, the curve, the risk gate's
 * balances) and change only on fills, so printing and parsing them each time was most of a tick's cost.
 */
class ParsedUnits {
  private units: bigint | undefined;
  private value: Decimal = ZERO;
  of(units: bigint): Decimal {
    if (units !== this.units) {
      this.units = units;
      this.value = dec(formatUnits(units));
    }
    return this.value;
  }
}
/** The liquidity account's funds, in whole units of each asset: more than any level it offers locks. */
const BOTTOMLESS = `1${'0'.repeat(40)}`;
/** Lots of a deep level, and the largest order: far below 2^53 lots even with both on one level. */
const MAX_LOTS = dec('1000000000000000');
/** Account trades the engine keeps for us; a single step of the venue makes far fewer. */
const TRADES_KEPT = 64;

/**
 * The backtest venue: `@bourse/matching` — the price-time engine and stop book the exchange simulator
 * runs — behind the two calls the OMS core makes (placeOrder, queryOrder), fed from the data:
 *
 * - a quote or a bar's open (or its close with `--fill close`) is a moment the market is open: the
 *   liquidity account rests the touch (bid, ask) in the book, stops trigger on it (a buy stop at the
 *   ask, a sell stop at the bid), and orders that have arrived reach the book, oldest first. A jump
 *   (the data has no prices in between) fills our resting limit orders it went through at the new
 *   touch, as an opening auction would: they re-enter the book after it and take it;
 * - a bar's range is its path (liquidity.ts `barPath`): the market moves through the book from the open
 *   to each extreme, trading our resting limit orders at their own prices (maker) and printing at each
 *   stop price it passes, which triggers the stop in the engine; it then takes the touch around that
 *   price. Fills are stamped the bar's last millisecond, so none tells the strategy where the bar went
 *   before it is over;
 * - an order arriving while the market is closed (between a bar's open and its close, or after the
 *   close with `--fill next-open`) waits at the venue until the next open moment.
 *
 * Spread is where the touch stands around a bar price; slippage is where the liquidity a taker meets
 * stands for its size (`takerLevel`): a market order or a triggered stop meets levels the data offers
 * it alone. Commission is charged in the quote asset on the traded value, maker or taker as the engine
 * says (the engine's own fee rates are 0: it would take them from the bought asset). A short is a sale
 * of borrowed base, repaid by later buys; funds an order locks in the engine are locked as on a spot
 * exchange.
 */
export class SimVenue {
  private readonly engine: MatchingEngine;
  private readonly liquidity: SyntheticLiquidity;
  private readonly orders = new Map<string, Working>();
  private readonly byEngineId = new Map<number, Working>();
  /** Arrived while the market was closed: they reach the book at the next open moment. */
  private readonly waiting: Working[] = [];
  /** On the engine's book or stop book. */
  private readonly resting: Working[] = [];
  private readonly reports: VenueReport[] = [];
  private readonly base: string;
  private readonly quoteAsset: string;
  private readonly depth: string;
  private readonly slips: boolean;
  private current: PriceEvent | undefined;
  /** Whether the book holds the current event's touch (it is laid lazily, when an order needs it). */
  private synced = false;
  /** Base borrowed: by the short position, and by resting sells (their `borrowed`). */
  private borrowed = ZERO;
  /** Commission not yet taken from the cash: a triggered stop may spend all of it first. */
  private feeOwed = ZERO;
  private lastTradeId = 0;
  private nextOrderId = 1;
  private nextFillId = 1;
  private eventSeq = 1;
  feesPaid = ZERO;
  private readonly quoteFree = new ParsedUnits();
  private readonly quoteLocked = new ParsedUnits();
  private readonly baseFree = new ParsedUnits();
  private readonly baseLocked = new ParsedUnits();

  constructor(private readonly options: SimVenueOptions) {
    const [base = '', quote = ''] = options.symbol.split('/');
    this.base = base;
    this.quoteAsset = quote;
    const lot = options.model.lot;
    this.depth = lot.times(MAX_LOTS).toString();
    this.slips = hasSlippage(options.model);
    this.engine = new MatchingEngine({
      clock: options.clock,
      maxClosedOrdersPerSymbol: 16,
      maxAccountTradesPerSymbol: TRADES_KEPT,
      maxRecentTrades: 0,
      // The data is the market: stops trigger on its prices, not on our fills against the liquidity
      // account; a stop the market is already through when it arrives triggers at once.
      stopTriggers: 'market-data',
      stopAlreadyReached: 'trigger',
    });
    this.engine.addSymbol({
      symbol: options.venueSymbol,
      baseAsset: base,
      quoteAsset: quote,
      tickSize: options.model.tick.toString(),
      stepSize: lot.toString(),
      minQty: lot.toString(),
      maxQty: this.depth,
      minNotional: '0',
      makerFeeRate: '0',
      takerFeeRate: '0',
    });
    this.engine.deposit(TRADER, quote, options.cash);
    this.engine.deposit(LIQUIDITY, base, BOTTOMLESS);
    this.engine.deposit(LIQUIDITY, quote, BOTTOMLESS);
    this.liquidity = new SyntheticLiquidity(this.engine, LIQUIDITY, options.venueSymbol, this.depth);
  }

  /** Cash in the quote asset: free, plus what resting buys lock, less commission still owed. */
  cash(): Decimal {
    const b = this.engine.balanceUnits(TRADER, this.quoteAsset);
    // Read on every bar (equity, the curve, the risk gate's balances): no arithmetic on zeros.
    const free = this.quoteFree.of(b.free);
    const cash = b.locked === 0n ? free : free.plus(this.quoteLocked.of(b.locked));
    return this.feeOwed.isZero() ? cash : cash.minus(this.feeOwed);
  }

  /** Signed position in base units: what is held less what is borrowed. */
  position(): Decimal {
    const b = this.engine.balanceUnits(TRADER, this.base);
    const free = this.baseFree.of(b.free);
    const held = b.locked === 0n ? free : free.plus(this.baseLocked.of(b.locked));
    return this.borrowed.isZero() ? held : held.minus(this.borrowed);
  }

  /** Cash plus the position marked at `mark`. */
  equity(mark: Decimal): Decimal {
    return this.cash().plus(this.position().times(mark));
  }

  /** How many reports `drain()` would return now. */
  get reportCount(): number {
    return this.reports.length;
  }

  /** Reports made since the last call, in order. */
  drain(): VenueReport[] {
    return this.reports.splice(0, this.reports.length);
  }

  /** Orders that have arrived and are still working (waiting for the book, or on it). */
  get workingCount(): number {
    return this.waiting.length + this.resting.length;
  }

  /** The quantity a quote-sized market order would get now, against the cash now free (pricing.ts). */
  sizeQuoteOrder(side: Side, quoteQty: Decimal): Decimal {
    const event = this.current;
    if (event === undefined) return ZERO;
    const t = side === 'BUY' ? event.ask : event.bid;
    return quoteSizedQty(side, quoteQty, this.freeCash(), t, event.volume, this.options.model).qty;
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
    return quoteSizedQty(side, budget, this.freeCash(), t, event.volume, this.options.model).qty;
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
      engineId: undefined,
      borrowed: ZERO,
    };
    const ack = this.view(order);
    this.orders.set(request.clientOrderId, order);
    // An order reaching the venue while the market is open reaches the book at once.
    if (this.current !== undefined && this.current.market && this.current.time === now) this.reach([order]);
    else this.waiting.push(order);
    return { outcome: 'accepted', order: ack, via: 'rest', resolvedByQuery: false };
  }

  async queryOrder(request: QueryOrderRequest): Promise<VenueOrder | undefined> {
    const order = this.orders.get(request.clientOrderId);
    return order === undefined ? undefined : this.view(order);
  }

  /** A moment of the data: the market opens at it (`market`), or a bar's path runs through the book. */
  onPrice(event: PriceEvent): void {
    if (event.range === undefined) {
      this.current = event;
      this.synced = false;
      if (!event.market) return;
      // Nothing waiting and nothing on the book the touch can meet: it is laid when an order needs it.
      if (this.waiting.length === 0 && !this.resting.some((o) => this.meets(o, event.bid, event.ask))) return;
      this.jump(event.bid, event.ask, event.volume);
      if (this.waiting.length > 0) this.reach(this.waiting.splice(0, this.waiting.length));
      return;
    }
    if (this.resting.length === 0) return;
    this.walk(event.range, event.volume);
    // The book now stands where the path ended; an order meets the next open moment's touch.
    this.synced = false;
  }

  /** Cancels every working order (the data ended): each gets a `canceled` report with `reason`. */
  cancelAll(reason: string): void {
    const time = this.options.clock.now();
    for (const order of this.waiting.splice(0, this.waiting.length)) this.close(order, 'canceled', reason, time);
    for (const order of [...this.resting]) {
      this.engine.cancelOrder({ accountId: TRADER, symbol: this.options.venueSymbol, orderId: order.engineId! });
      this.close(order, 'canceled', reason, time);
    }
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
    if (request.quantity !== undefined && dec(request.quantity).gt(dec(this.depth)))
      return `quantity above the venue's largest, ${this.depth}`;
    return undefined;
  }

  // ---- the data into the book --------------------------------------------------------------------

  /** Lays the current event's touch in the book and tells the engine where the market is. */
  private sync(): void {
    if (this.synced || this.current === undefined) return;
    const { bid, ask } = this.current;
    this.liquidity.quote(this.onGrid(bid, 'floor'), this.onGrid(ask, 'ceil'));
    this.applyQuote(bid, ask);
    this.synced = true;
  }

  /**
   * The market jumps to a new touch (no prices in between): our resting limit orders it went through
   * leave the book and re-enter after it, taking it at the new price (an opening auction's fill);
   * those exactly at it trade with it as makers; stops it reaches trigger and take it.
   */
  private jump(bid: Decimal, ask: Decimal, volume: number): void {
    const through: Working[] = [];
    for (const order of this.resting) {
      const r = order.request;
      if (r.style !== 'limit' && r.style !== 'limit-maker') continue;
      const limit = dec(r.price!);
      if (r.side === 'BUY' ? limit.gt(ask) : limit.lt(bid)) through.push(order);
    }
    for (const order of through) this.lift(order);
    this.liquidity.quote(this.onGrid(bid, 'floor'), this.onGrid(ask, 'ceil'));
    this.synced = true;
    this.reconcile();
    // A locked touch rests its ask first: our sells exactly at the bid meet it once the bid is laid.
    if (this.resting.some((o) => o.request.side === 'SELL' && o.request.style !== 'stop')) {
      this.liquidity.serve('SELL');
      this.reconcile();
    }
    // Stops, one side at a time, each taking the liquidity the data offers its side.
    for (const side of ['BUY', 'SELL'] as const) {
      const stops = this.resting.filter((o) => o.request.style === 'stop' && o.request.side === side);
      if (stops.length === 0) continue;
      this.liquidity.serve(side);
      this.withTakerLevels(stops, bid, ask, volume, () =>
        this.engine.applyMarketQuote(
          this.options.venueSymbol,
          side === 'SELL' ? this.onGrid(bid, 'ceil').toString() : undefined,
          side === 'BUY' ? this.onGrid(ask, 'floor').toString() : undefined,
        ),
      );
      this.reconcile();
    }
    this.applyQuote(bid, ask);
    if (through.length > 0) this.reach(through, true);
  }

  /**
   * Whether a touch can meet a resting order: a limit at or through it, a stop it reaches. Only lets the
   * venue skip laying a touch the engine would do nothing with; the engine decides what happens.
   */
  private meets(order: Working, bid: Decimal, ask: Decimal): boolean {
    const r = order.request;
    if (r.style === 'stop') {
      const stop = dec(r.stopPrice!);
      return r.side === 'BUY' ? this.onGrid(ask, 'floor').gte(stop) : this.onGrid(bid, 'ceil').lte(stop);
    }
    const limit = dec(r.price!);
    return r.side === 'BUY' ? this.onGrid(ask, 'ceil').lte(limit) : this.onGrid(bid, 'floor').gte(limit);
  }

  /**
   * A bar's path through the book (see `barPath`), from the open, stopping at every price where an
   * order of ours waits on the side the move reaches.
   */
  private walk(range: BarRange, volume: number): void {
    const model = this.options.model;
    // The open as a trade: with a spread, a limit between the open and the open's touch, which the
    // touch did not reach, is gone through by the open's own price.
    if (!model.halfSpread.isZero()) this.jump(range.open, range.open, volume);
    this.liquidity.clear();
    const path = barPath(range);
    for (let i = 1; i < path.length && this.resting.length > 0; i++) {
      const from = path[i - 1]!;
      const to = path[i]!;
      if (!to.eq(from)) this.move(from, to, volume);
    }
  }

  /** The market moves from `from` to `to` (a leg of a bar's path), stopping where our orders wait. */
  private move(from: Decimal, to: Decimal, volume: number): void {
    const up = to.gt(from);
    const prices: Decimal[] = [];
    for (const order of this.resting) {
      const at = meetsOnMove(order.request, up);
      if (at === undefined) continue;
      const price = dec(at);
      const within = up ? price.gt(from) && price.lte(to) : price.lt(from) && price.gte(to);
      if (within && !prices.some((p) => p.eq(price))) prices.push(price);
    }
    prices.sort((a, b) => (up ? a.cmp(b) : b.cmp(a)));
    for (const price of prices) this.stepTo(price, up, volume);
  }

  /** One stop on a bar's path: our limit orders at `price` trade there; our stops there trigger. */
  private stepTo(price: Decimal, up: boolean, volume: number): void {
    const moving: Side = up ? 'SELL' : 'BUY';
    const atPrice = (o: Working, style: string, side: Side) =>
      o.request.style === style && o.request.side === side && dec(o.request.price ?? o.request.stopPrice!).eq(price);
    if (this.resting.some((o) => atPrice(o, 'limit', moving) || atPrice(o, 'limit-maker', moving))) {
      this.liquidity.sweep(up ? 'BUY' : 'SELL', price);
      this.reconcile();
    }
    const stops = this.resting.filter((o) => atPrice(o, 'stop', up ? 'BUY' : 'SELL'));
    if (stops.length > 0) {
      const q = quoteAround(price, this.options.model);
      this.liquidity.quote(this.onGrid(q.bid, 'floor'), this.onGrid(q.ask, 'ceil'));
      this.liquidity.serve(up ? 'BUY' : 'SELL');
      this.withTakerLevels(stops, q.bid, q.ask, volume, () =>
        this.engine.applyMarketTrade(this.options.venueSymbol, price.toString()),
      );
      this.reconcile();
    }
  }

  /**
   * Runs `fn` with the liquidity a taker meets in place of the touch on its side: one level per taker
   * at `takerLevel` for its size (nothing changes without slippage). The touch is laid again after.
   */
  private withTakerLevels(takers: readonly Working[], bid: Decimal, ask: Decimal, volume: number, fn: () => void) {
    if (!this.slips) return fn();
    const model = this.options.model;
    const levels = (side: Side) =>
      takers
        .filter((o) => o.request.side === side)
        .map((o) => {
          const qty = dec(o.request.quantity!).minus(o.filled);
          return { price: takerLevel(side, side === 'BUY' ? ask : bid, qty, volume, model), qty: qty.toString() };
        });
    const buys = levels('BUY');
    const sells = levels('SELL');
    if (buys.length > 0) this.liquidity.offer('SELL', buys);
    if (sells.length > 0) this.liquidity.offer('BUY', sells);
    fn();
    this.liquidity.quote(this.onGrid(bid, 'floor'), this.onGrid(ask, 'ceil'));
  }

  /** Lays the current touch again after levels offered to one taker. */
  private relay(): void {
    const { bid, ask } = this.current!;
    this.liquidity.quote(this.onGrid(bid, 'floor'), this.onGrid(ask, 'ceil'));
  }

  private applyQuote(bid: Decimal, ask: Decimal): void {
    // Stops trigger on the touch as the data gives it: a buy stop when the ask reaches it, a sell stop
    // when the bid does. On the grid, that is the ask rounded down and the bid rounded up.
    this.engine.applyMarketQuote(
      this.options.venueSymbol,
      this.onGrid(bid, 'ceil').toString(),
      this.onGrid(ask, 'floor').toString(),
    );
  }

  // ---- our orders into the book ------------------------------------------------------------------

  /**
   * Orders reach the book, in this order, at the current moment's touch; `reentering`: limit orders a
   * jump went through, back on the book as plain GTC limits (a post-only one was accepted as such).
   */
  private reach(orders: readonly Working[], reentering = false): void {
    this.sync();
    for (const order of orders) {
      if (order.status !== 'new') continue;
      this.liquidity.serve(order.request.side);
      if (order.request.style === 'market') this.enterMarket(order);
      else this.enterResting(order, reentering);
    }
  }

  private enterMarket(order: Working): void {
    const event = this.current!;
    const { request } = order;
    const side = request.side;
    const model = this.options.model;
    const time = event.time;
    const t = side === 'BUY' ? event.ask : event.bid;
    let qty: Decimal;
    if (request.quantity !== undefined) qty = dec(request.quantity);
    else {
      qty = quoteSizedQty(side, dec(request.quoteQuantity!), this.freeCash(), t, event.volume, model).qty;
      if (!qty.isPositive()) return this.close(order, 'expired', 'the cash available buys less than one lot', time);
    }
    const level = takerLevel(side, t, qty, event.volume, model);
    const refusal = this.fund(order, qty, level, commission(qty, level, model.takerFee));
    if (refusal !== undefined) return this.close(order, 'expired', refusal, time);
    const touch = this.onGrid(t, side === 'BUY' ? 'ceil' : 'floor');
    const offered = !level.eq(touch);
    if (offered) this.liquidity.offer(side === 'BUY' ? 'SELL' : 'BUY', [{ price: level, qty: qty.toString() }]);
    this.submit(order, { type: 'MARKET', quantity: qty.toString() });
    if (offered) this.relay();
  }

  private enterResting(order: Working, reentering: boolean): void {
    const { request } = order;
    const qty = dec(request.quantity!);
    const price = dec(request.style === 'stop' ? request.stopPrice! : request.price!);
    const model = this.options.model;
    // A stop takes liquidity once triggered; a limit is backed as if it rested (it may take instead).
    const fee = commission(qty, price, request.style === 'stop' ? model.takerFee : model.makerFee);
    const refusal = this.fund(order, qty, price, fee);
    if (refusal !== undefined) return this.close(order, 'expired', refusal, this.options.clock.now());
    if (request.style === 'stop') {
      // A stop the market is already through triggers at once and takes what the data offers a taker.
      const event = this.current!;
      this.withTakerLevels([order], event.bid, event.ask, event.volume, () =>
        this.submit(order, { type: 'STOP_LOSS', quantity: qty.toString(), stopPrice: price.toString() }),
      );
      return;
    }
    const maker = request.style === 'limit-maker' && !reentering;
    this.submit(order, {
      type: maker ? 'LIMIT_MAKER' : 'LIMIT',
      ...(maker ? {} : { timeInForce: reentering ? 'GTC' : (request.timeInForce ?? 'GTC') }),
      quantity: qty.toString(),
      price: price.toString(),
    });
  }

  /**
   * Whether the account can back the order at `price`, and for a short sale the base it borrows; a
   * reason to expire it otherwise. A buy needs its notional and commission in free cash; a sell needs
   * the base, held or (with shorts) borrowed against the cash.
   */
  private fund(order: Working, qty: Decimal, price: Decimal, fee: Decimal): string | undefined {
    const notional = qty.times(price);
    if (order.request.side === 'BUY') {
      const free = this.freeCash();
      if (free.lt(notional.plus(fee))) {
        return `needs ${notional.plus(fee).toString()} ${this.quoteAsset}, ${free.toString()} is free`;
      }
      return undefined;
    }
    const held = this.baseFree.of(this.engine.balanceUnits(TRADER, this.base).free);
    const shortfall = qty.minus(held);
    if (!shortfall.isPositive()) return undefined;
    if (!this.options.allowShort) return `sells ${qty.toString()} ${this.base}, ${held.toString()} is held (long-only)`;
    // A short is backed by the cash: what is borrowed, valued at this price, must not exceed it.
    if (this.freeCash().lt(this.borrowed.plus(shortfall).times(price).plus(fee))) {
      return `a short of ${qty.toString()} ${this.base} exceeds the cash`;
    }
    this.engine.deposit(TRADER, this.base, shortfall.toString());
    this.borrowed = this.borrowed.plus(shortfall);
    order.borrowed = shortfall;
    return undefined;
  }

  /** Places the order in the engine; what it did there (trades, rests, expires) is read back at once. */
  private submit(
    order: Working,
    shape: Pick<NewOrderRequest, 'type' | 'timeInForce' | 'quantity' | 'price' | 'stopPrice'>,
  ) {
    const { request } = order;
    let placed: OrderView;
    try {
      placed = this.engine.placeOrderFast({
        accountId: TRADER,
        symbol: this.options.venueSymbol,
        side: request.side,
        newClientOrderId: request.clientOrderId,
        ...shape,
      }).order;
    } catch (err) {
      if (!isMatchingError(err)) throw err;
      this.giveBack(order);
      return this.close(order, 'expired', err.message, this.options.clock.now());
    }
    order.engineId = placed.orderId;
    this.byEngineId.set(placed.orderId, order);
    this.resting.push(order);
    this.reconcile();
  }

  /** Takes a resting order off the book (it re-enters later): the engine unlocks what it held. */
  private lift(order: Working): void {
    this.engine.cancelOrder({ accountId: TRADER, symbol: this.options.venueSymbol, orderId: order.engineId! });
    this.byEngineId.delete(order.engineId!);
    order.engineId = undefined;
    this.resting.splice(this.resting.indexOf(order), 1);
    this.giveBack(order);
  }

  // ---- the engine's results as reports -----------------------------------------------------------

  /** Reads our new trades and the orders the engine closed, and reports them. */
  private reconcile(): void {
    const fresh = this.engine.getMyTrades(TRADER, this.options.venueSymbol, TRADES_KEPT, this.lastTradeId + 1);
    if (fresh.length > 0 && fresh[0]!.id !== this.lastTradeId + 1) {
      throw new Error('backtest venue: more trades in one step than the engine keeps');
    }
    for (const t of fresh) {
      this.lastTradeId = t.id;
      const order = this.byEngineId.get(t.orderId);
      if (order === undefined) throw new Error(`backtest venue: trade ${t.id} of an order it does not know`);
      this.fill(order, dec(t.qty), dec(t.price), t.isMaker ? 'maker' : 'taker');
    }
    for (let i = this.resting.length - 1; i >= 0; i--) {
      const order = this.resting[i]!;
      const view = this.engine.getOrder({
        accountId: TRADER,
        symbol: this.options.venueSymbol,
        orderId: order.engineId!,
      });
      if (view.status === 'NEW' || view.status === 'PARTIALLY_FILLED') continue;
      this.resting.splice(i, 1);
      this.byEngineId.delete(order.engineId!);
      if (view.status === 'FILLED') continue;
      this.giveBack(order);
      const reason =
        view.status === 'EXPIRED_IN_MATCH'
          ? 'it met an order of ours (self-trade prevention)'
          : order.request.style === 'limit-maker'
            ? 'a limit-maker order that would take liquidity'
            : 'the engine expired it';
      this.close(order, view.status === 'CANCELED' ? 'canceled' : 'expired', reason, this.options.clock.now());
    }
  }

  /** One trade of ours: commission, a short's repayment, the order's totals and its reports. */
  private fill(order: Working, qty: Decimal, price: Decimal, liquidity: 'maker' | 'taker'): void {
    const { request } = order;
    const model = this.options.model;
    const time = this.options.clock.now();
    const fee = commission(qty, price, liquidity === 'maker' ? model.makerFee : model.takerFee);
    if (request.side === 'BUY') {
      // Base borrowed for the short position (not for sells still resting) is repaid by buys.
      const reserved = this.resting.reduce((sum, o) => sum.plus(o.borrowed), ZERO);
      const repay = Decimal.min(this.borrowed.minus(reserved), qty);
      if (repay.isPositive()) {
        this.engine.withdraw(TRADER, this.base, repay.toString());
        this.borrowed = this.borrowed.minus(repay);
      }
    } else if (order.borrowed.isPositive()) {
      // What it borrowed is sold: the short position owes it now.
      order.borrowed = Decimal.max(ZERO, order.borrowed.minus(qty));
    }
    this.charge(fee);
    order.filled = order.filled.plus(qty);
    order.quote = order.quote.plus(qty.times(price));
    order.status = order.filled.gte(dec(request.quantity ?? order.filled.toString())) ? 'filled' : 'partially-filled';
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

  /** Commission from the cash; what the free cash cannot cover now is owed and taken first later. */
  private charge(fee: Decimal): void {
    this.feesPaid = this.feesPaid.plus(fee);
    const due = this.feeOwed.plus(fee);
    if (!due.isPositive()) return;
    const take = Decimal.min(due, this.quoteFree.of(this.engine.balanceUnits(TRADER, this.quoteAsset).free));
    if (take.isPositive()) this.engine.withdraw(TRADER, this.quoteAsset, take.toString());
    this.feeOwed = due.minus(take);
  }

  /** Returns the base an unfilled sell borrowed. */
  private giveBack(order: Working): void {
    if (!order.borrowed.isPositive()) return;
    const free = this.baseFree.of(this.engine.balanceUnits(TRADER, this.base).free);
    const back = Decimal.min(order.borrowed, free);
    if (back.isPositive()) this.engine.withdraw(TRADER, this.base, back.toString());
    this.borrowed = this.borrowed.minus(back);
    order.borrowed = ZERO;
  }

  /** Free cash: what an order can be backed with now. */
  private freeCash(): Decimal {
    const free = this.quoteFree.of(this.engine.balanceUnits(TRADER, this.quoteAsset).free);
    return this.feeOwed.isZero() ? free : free.minus(this.feeOwed);
  }

  private onGrid(price: Decimal, mode: 'ceil' | 'floor'): Decimal {
    return price.roundToMultiple(this.options.model.tick, mode);
  }

  private close(order: Working, status: 'expired' | 'canceled', reason: string, time: number): void {
    const w = this.waiting.indexOf(order);
    if (w >= 0) this.waiting.splice(w, 1);
    const r = this.resting.indexOf(order);
    if (r >= 0) this.resting.splice(r, 1);
    if (order.engineId !== undefined) this.byEngineId.delete(order.engineId);
    this.giveBack(order);
    order.status = status;
    order.updatedAt = time;
    this.reports.push({ update: this.statusUpdate(order, reason), fill: undefined });
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

/**
 * The price at which a resting order meets a market moving up (`up`) or down, if it does: a sell
 * limit or a buy stop on the way up, a buy limit or a sell stop on the way down.
 */
function meetsOnMove(request: PlaceOrderRequest, up: boolean): string | undefined {
  const limit = request.style === 'limit' || request.style === 'limit-maker';
  if (limit) return (request.side === 'SELL') === up ? request.price : undefined;
  if (request.style === 'stop') return (request.side === 'BUY') === up ? request.stopPrice : undefined;
  return undefined;
}
