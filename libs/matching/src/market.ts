import type { EngineContext } from './context.js';
import { UNIT, formatUnits } from './decimal.js';
import type { BalanceEntry } from './ledger.js';
import { BookSide, type PriceLevel } from './order-book.js';
import type { OrderList } from './order-list.js';
import type { Order } from './order.js';
import { isContingent, isMarketType, isOpen } from './order.js';
import { StopBook } from './stop-book.js';
import { startTrailing } from './trailing.js';
import { formatPrice, formatQty, notional, type SymbolSpec } from './symbol-spec.js';
import { TradeRecord, pushBounded } from './trade-record.js';
import type { ExecutionType, ExpiryReason, Fill, OrderStatus } from './types.js';
import { orderListView, orderView } from './views.js';

const ZERO = '0.00000000';

function isStopLoss(o: Order): boolean {
  return o.type === 'STOP_LOSS' || o.type === 'STOP_LOSS_LIMIT';
}

export function clientKey(accountId: string, clientOrderId: string): string {
  return `${accountId}\u0001${clientOrderId}`;
}

/** Engine-generated client ids: `auto-<symbol>-<orderId>`, never stored, parsed back on lookup. */
export function autoPrefix(symbol: string): string {
  return `auto-${symbol}-`;
}

/**
 * One symbol's market: its book, its stop orders and the matching rules. Callers (the engine)
 * validate requests and lock funds first; everything here is then infallible and deterministic.
 */
export class SymbolMarket {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  readonly stops = new StopBook();
  /** Open orders and the most recent closed ones. */
  readonly orders = new Map<number, Order>();
  /** Latest order of each account's own client ids (generated ids are resolved from the order id). */
  readonly byClientId = new Map<string, Map<string, Order>>();
  readonly autoPrefix: string;
  /** Closed order ids, oldest first, for bounded retention. */
  closedIds: number[] = [];
  readonly lists = new Map<number, OrderList>();
  readonly listsByClientId = new Map<string, OrderList>();
  tape: TradeRecord[] = [];
  readonly accountTrades = new Map<string, TradeRecord[]>();
  nextOrderId = 1;
  nextTradeId = 1;
  nextOrderListId = 1;
  nextPreventedMatchId = 1;
  /** Increases by one on every change of a price level. */
  updateId = 0;
  /** Last trade price in ticks; 0 before the first trade. */
  lastTicks = 0;
  /**
   * Where stops trigger: rising ones at `riseTicks`, falling ones at `fallTicks`. Both are the last
   * trade price, except after a quote applied from outside (its ask and bid); 0 before any.
   */
  riseTicks = 0;
  fallTicks = 0;
  /** The order whose fills the running call returns, and those fills. */
  fillsOf: Order | null = null;
  fills: Fill[] = [];
  private triggering = false;
  /** OTO/OTOCO lists whose working leg has just filled: their pending legs go to the book next. */
  private toActivate: OrderList[] = [];
  private readonly feeBase: BalanceEntry;
  private readonly feeQuote: BalanceEntry;

  constructor(
    readonly spec: SymbolSpec,
    private readonly ctx: EngineContext,
  ) {
    this.autoPrefix = autoPrefix(spec.symbol);
    this.feeBase = ctx.ledger.entry(ctx.feeAccountId, spec.baseAsset);
    this.feeQuote = ctx.ledger.entry(ctx.feeAccountId, spec.quoteAsset);
  }

  register(order: Order): void {
    this.orders.set(order.orderId, order);
    const id = order.customClientId;
    if (id === null) return;
    let own = this.byClientId.get(order.accountId);
    if (own === undefined) {
      own = new Map();
      this.byClientId.set(order.accountId, own);
    }
    own.set(id, order);
  }

  /** The latest order of the account with this client id, generated or its own. */
  findByClientId(accountId: string, clientOrderId: string): Order | undefined {
    const own = this.byClientId.get(accountId)?.get(clientOrderId);
    if (own !== undefined) return own;
    if (!clientOrderId.startsWith(this.autoPrefix)) return undefined;
    const digits = clientOrderId.slice(this.autoPrefix.length);
    if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
    const o = this.orders.get(Number(digits));
    return o !== undefined && o.customClientId === null && o.accountId === accountId ? o : undefined;
  }

  /** Takes a validated order whose funds are locked: reports it, then books, triggers or matches it. */
  accept(order: Order): void {
    this.register(order);
    if (isContingent(order)) {
      this.primeTrailing(order);
      this.report(order, 'NEW');
      this.stops.add(order);
      // Placement let it in although the market reaches it (stopAlreadyReached: 'trigger'): fire it now.
      if (this.ctx.triggerReachedStops) this.runTriggers();
      return;
    }
    this.report(order, 'NEW');
    this.startWorking(order);
    this.execute(order);
    this.runTriggers();
  }

  /** A trailing stop without a stop price tracks from the market's price at once (before it is reported). */
  private primeTrailing(order: Order): void {
    if (order.trailingDelta > 0 && order.stopTicks === 0) {
      const ref = order.side === 'SELL' ? this.fallTicks : this.riseTicks;
      if (ref > 0) startTrailing(order, ref, this.ctx.now);
    }
  }

  /**
   * Takes a validated order list whose lock is in place (an OCO's on its non-stop-loss leg, an OTO's on
   * its working leg): reports every leg NEW (pending legs as PENDING_NEW), the list EXEC_STARTED, then
   * puts the working legs to work.
   */
  acceptList(list: OrderList, legs: Order[]): void {
    this.lists.set(list.orderListId, list);
    this.listsByClientId.set(clientKey(list.accountId, list.listClientOrderId), list);
    for (const leg of legs) {
      this.register(leg);
      if (leg.status === 'PENDING_NEW') this.report(leg, 'NEW');
      else if (isContingent(leg)) {
        this.primeTrailing(leg);
        this.report(leg, 'NEW');
      } else {
        this.startWorking(leg);
        this.report(leg, 'NEW');
      }
    }
    this.listEvent(list);
    for (const leg of legs) {
      if (leg.status === 'PENDING_NEW') continue;
      if (isContingent(leg)) this.stops.add(leg);
      else this.execute(leg);
    }
    this.runTriggers();
  }

  /** Takes an OCO whose limit leg holds the list's lock. */
  acceptOco(list: OrderList, stopLeg: Order, limitLeg: Order): void {
    this.lists.set(list.orderListId, list);
    this.listsByClientId.set(clientKey(list.accountId, list.listClientOrderId), list);
    this.register(stopLeg);
    this.register(limitLeg);
    this.report(stopLeg, 'NEW');
    this.startWorking(limitLeg);
    this.report(limitLeg, 'NEW');
    this.stops.add(stopLeg);
    this.rest(limitLeg);
    this.listEvent(list);
  }

  cancel(order: Order, cancelClientOrderId: string | undefined): void {
    if (order.orderListId >= 0) {
      const list = this.lists.get(order.orderListId);
      // Cancelling one leg of a working OCO cancels the list, as on Binance.
      if (list !== undefined && list.listOrderStatus === 'EXECUTING') {
        this.endList(list, -1, 'CANCELED', cancelClientOrderId);
        return;
      }
    }
    this.unrest(order);
    this.finish(order, 'CANCELED', 'CANCELED', cancelClientOrderId);
  }

  cancelList(list: OrderList, cancelClientOrderId: string | undefined): void {
    this.endList(list, -1, 'CANCELED', cancelClientOrderId);
  }

  /** Cost of taking `lots` (or of spending / receiving `quoteUnits`) from the book as it stands. */
  sweepCost(buy: boolean, lots: number, quoteUnits: bigint): { lots: number; quote: bigint } {
    const side = buy ? this.asks : this.bids;
    const qf = this.spec.quoteFactor;
    let takenLots = 0;
    let quote = 0n;
    for (let i = side.levels.length - 1; i >= 0; i--) {
      const level = side.levels[i] as PriceLevel;
      const lotCost = BigInt(level.priceTicks) * qf;
      let take = level.totalLots;
      if (lots > 0 && take > lots - takenLots) take = lots - takenLots;
      if (quoteUnits > 0n) {
        const cap = (quoteUnits - quote) / lotCost;
        if (cap < BigInt(take)) take = Number(cap);
      }
      takenLots += take;
      quote += BigInt(take) * lotCost;
      if ((lots > 0 && takenLots >= lots) || take < level.totalLots) break;
    }
    return { lots: takenLots, quote };
  }

  private startWorking(order: Order): void {
    order.isWorking = true;
    order.workingTime = this.ctx.now;
  }

  private execute(taker: Order): void {
    if (taker.type === 'LIMIT_MAKER') {
      this.rest(taker);
      return;
    }
    const market = isMarketType(taker.type);
    if (taker.timeInForce === 'FOK' && !market && !this.canFillFully(taker)) {
      this.finish(taker, 'EXPIRED', 'EXPIRED', undefined, 'UNFILLED_FOK_ORDER_EXPIRED');
      return;
    }
    this.match(taker);
    if (!isOpen(taker)) return;
    if (!market && taker.timeInForce === 'GTC') {
      this.rest(taker);
      return;
    }
    if (taker.quoteOrderQty > 0n) taker.qtyLots = taker.filledLots;
    this.finish(
      taker,
      'EXPIRED',
      'EXPIRED',
      undefined,
      market ? 'INSUFFICIENT_LIQUIDITY' : 'UNFILLED_IOC_QUANTITY_EXPIRED',
    );
  }

  private match(taker: Order): void {
    const buy = taker.side === 'BUY';
    const book = buy ? this.asks : this.bids;
    const market = isMarketType(taker.type);
    const limit = taker.priceTicks;
    const qf = this.spec.quoteFactor;
    while (isOpen(taker) && taker.remainingLots > 0) {
      const level = book.best();
      if (level === undefined) break;
      const price = level.priceTicks;
      if (!market && (buy ? price > limit : price < limit)) break;
      const maker = level.head as Order;
      if (maker.accountId === taker.accountId && taker.stp !== 'NONE') {
        this.preventMatch(taker, maker, book);
        continue;
      }
      let lots = taker.remainingLots < maker.remainingLots ? taker.remainingLots : maker.remainingLots;
      if (market) {
        // A market order can only spend what it holds, and a quote-sized one only its quote amount.
        const lotCost = BigInt(price) * qf;
        let cap = buy ? taker.locked / lotCost : taker.locked / this.spec.stepUnits;
        if (taker.quoteOrderQty > 0n) {
          const byQuote = (taker.quoteOrderQty - taker.cumQuote) / lotCost;
          if (byQuote < cap) cap = byQuote;
        }
        if (cap < BigInt(lots)) lots = Number(cap);
        if (lots === 0) break;
      }
      this.trade(taker, maker, level, book, lots);
    }
  }

  /** FOK pre-check: could the whole remaining quantity trade, given self-trade prevention? */
  private canFillFully(taker: Order): boolean {
    const buy = taker.side === 'BUY';
    const side = buy ? this.asks : this.bids;
    let need = taker.remainingLots;
    for (let i = side.levels.length - 1; i >= 0; i--) {
      const level = side.levels[i] as PriceLevel;
      if (buy ? level.priceTicks > taker.priceTicks : level.priceTicks < taker.priceTicks) return false;
      for (let o = level.head; o !== null; o = o.next) {
        if (o.accountId === taker.accountId && taker.stp !== 'NONE') {
          if (taker.stp !== 'EXPIRE_MAKER') return false;
          continue;
        }
        need -= o.remainingLots;
        if (need <= 0) return true;
      }
    }
    return false;
  }

  private trade(taker: Order, maker: Order, level: PriceLevel, book: BookSide, lots: number): void {
    const spec = this.spec;
    const ledger = this.ctx.ledger;
    const now = this.ctx.now;
    const price = level.priceTicks;
    const bl = BigInt(lots);
    const quote = BigInt(price) * bl * spec.quoteFactor;
    const base = bl * spec.stepUnits;
    const takerBuys = taker.side === 'BUY';
    const buyer = takerBuys ? taker : maker;
    const seller = takerBuys ? maker : taker;
    // Commission comes out of what each side receives: base for the buyer, quote for the seller.
    const buyerFee = (base * (takerBuys ? taker.takerFee : maker.makerFee)) / UNIT;
    const sellerFee = (quote * (takerBuys ? maker.makerFee : taker.takerFee)) / UNIT;
    // A limit buyer locked its own price; the difference to the trade price goes back to free.
    const release = isMarketType(buyer.type) ? quote : BigInt(buyer.priceTicks) * bl * spec.quoteFactor;
    const bq = buyer.spendBal;
    buyer.locked -= release;
    bq.locked -= release;
    bq.free += release - quote;
    buyer.receiveBal.free += base - buyerFee;
    seller.locked -= base;
    seller.spendBal.locked -= base;
    seller.receiveBal.free += quote - sellerFee;
    this.feeBase.free += buyerFee;
    this.feeQuote.free += sellerFee;
    if (ledger.tracking) {
      ledger.touch(bq);
      ledger.touch(buyer.receiveBal);
      ledger.touch(seller.spendBal);
      ledger.touch(seller.receiveBal);
      ledger.touch(this.feeBase);
      ledger.touch(this.feeQuote);
    }

    maker.filledLots += lots;
    maker.cumQuote += quote;
    maker.updateTime = now;
    taker.filledLots += lots;
    taker.cumQuote += quote;
    taker.updateTime = now;
    level.totalLots -= lots;
    this.lastTicks = price;
    if (!this.ctx.marketDataTriggers) this.riseTicks = this.fallTicks = price;
    const tradeId = this.nextTradeId++;

    const makerDone = maker.filledLots === maker.qtyLots;
    maker.status = makerDone ? 'FILLED' : 'PARTIALLY_FILLED';
    if (makerDone) book.unlink(maker);
    if (taker.quoteOrderQty > 0n) {
      // Done once the rest of the quote amount cannot pay for one more lot at the next price.
      const next = book.best();
      const left = taker.quoteOrderQty - taker.cumQuote;
      if (next !== undefined && left < BigInt(next.priceTicks) * spec.quoteFactor) taker.qtyLots = taker.filledLots;
    }
    taker.status = taker.filledLots === taker.qtyLots ? 'FILLED' : 'PARTIALLY_FILLED';

    const ctx = this.ctx;
    if (ctx.maxRecentTrades > 0 || ctx.maxAccountTrades > 0) {
      const rec = new TradeRecord(
        tradeId,
        price,
        lots,
        quote,
        now,
        buyer.accountId,
        seller.accountId,
        buyer.orderId,
        seller.orderId,
        buyer.orderListId,
        seller.orderListId,
        buyerFee,
        sellerFee,
        !takerBuys,
      );
      if (ctx.maxRecentTrades > 0) pushBounded(this.tape, rec, ctx.maxRecentTrades);
      if (ctx.maxAccountTrades > 0) {
        this.recordAccountTrade(buyer.accountId, rec);
        if (seller.accountId !== buyer.accountId) this.recordAccountTrade(seller.accountId, rec);
      }
    }
    if (this.fillsOf === taker) {
      this.fills.push({
        price: formatPrice(spec, price),
        qty: formatQty(spec, lots),
        commission: formatUnits(takerBuys ? buyerFee : sellerFee),
        commissionAsset: takerBuys ? spec.baseAsset : spec.quoteAsset,
        tradeId,
      });
    }
    if (ctx.listener !== undefined) {
      const priceText = formatPrice(spec, price);
      const qtyText = formatQty(spec, lots);
      const quoteText = formatUnits(quote);
      ctx.events.push({
        type: 'trade',
        eventTime: now,
        symbol: spec.symbol,
        tradeId,
        price: priceText,
        qty: qtyText,
        quoteQty: quoteText,
        buyerOrderId: buyer.orderId,
        sellerOrderId: seller.orderId,
        isBuyerMaker: !takerBuys,
        tradeTime: now,
      });
      for (const o of [maker, taker]) {
        const isBuyer = o === buyer;
        ctx.events.push({
          type: 'executionReport',
          eventTime: now,
          accountId: o.accountId,
          order: orderView(spec, o),
          execType: 'TRADE',
          lastExecutedQty: qtyText,
          lastExecutedPrice: priceText,
          lastQuoteQty: quoteText,
          commission: formatUnits(isBuyer ? buyerFee : sellerFee),
          commissionAsset: isBuyer ? spec.baseAsset : spec.quoteAsset,
          tradeId,
          isMaker: o === maker,
          transactionTime: now,
        });
      }
    }
    this.levelChanged(book, level);
    if (makerDone) this.retire(maker);
    if (!isOpen(taker)) this.retire(taker);
    if (maker.orderListId >= 0) this.listLegTraded(maker);
    if (taker.orderListId >= 0) this.listLegTraded(taker);
  }

  private recordAccountTrade(accountId: string, rec: TradeRecord): void {
    let list = this.accountTrades.get(accountId);
    if (list === undefined) {
      list = [];
      this.accountTrades.set(accountId, list);
    }
    pushBounded(list, rec, this.ctx.maxAccountTrades);
  }

  private preventMatch(taker: Order, maker: Order, book: BookSide): void {
    const id = this.nextPreventedMatchId++;
    const mode = taker.stp;
    if (mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH') {
      maker.preventedMatchId = id;
      maker.preventedLots += maker.remainingLots;
      this.removeResting(maker, book);
      this.finish(maker, 'EXPIRED_IN_MATCH', 'TRADE_PREVENTION', undefined);
      if (maker.orderListId >= 0 && this.isOcoLeg(maker)) this.endListOf(maker, 'EXPIRED', 'OCO_TRIGGER');
    }
    if (mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH') {
      taker.preventedMatchId = id;
      if (taker.quoteOrderQty > 0n) taker.qtyLots = taker.filledLots;
      else taker.preventedLots += taker.remainingLots;
      this.finish(taker, 'EXPIRED_IN_MATCH', 'TRADE_PREVENTION', undefined);
    }
  }

  /** Market data from outside: new trigger references (and, for a trade, the last price); fires stops. */
  applyMarket(riseTicks: number, fallTicks: number, trade: boolean): void {
    if (trade) this.lastTicks = riseTicks;
    this.riseTicks = riseTicks;
    this.fallTicks = fallTicks;
    this.runTriggers();
  }

  private runTriggers(): void {
    if (this.triggering || (this.stops.size === 0 && this.toActivate.length === 0)) return;
    this.triggering = true;
    try {
      for (;;) {
        const list = this.toActivate.shift();
        if (list !== undefined) {
          this.activate(list);
          continue;
        }
        const fired = this.stops.takeTriggered(this.riseTicks, this.fallTicks, this.ctx.now);
        if (fired === undefined) break;
        for (const o of fired) if (isOpen(o) && !o.isWorking) this.trigger(o);
      }
    } finally {
      this.triggering = false;
    }
  }

  /** Whether the order is one of an executing list's legs that cancel each other. */
  private isOcoLeg(order: Order): boolean {
    const list = this.lists.get(order.orderListId);
    return list !== undefined && list.listOrderStatus === 'EXECUTING' && list.ocoIds.includes(order.orderId);
  }

  /** A list leg traded: an OCO leg ends its pair; a working leg that has filled releases the pending legs. */
  private listLegTraded(order: Order): void {
    const list = this.lists.get(order.orderListId);
    if (list === undefined || list.listOrderStatus !== 'EXECUTING') return;
    if (list.ocoIds.includes(order.orderId)) this.endList(list, order.orderId, 'EXPIRED', undefined, 'OCO_TRIGGER');
    else if (order.orderId === list.workingId && order.status === 'FILLED') this.toActivate.push(list);
  }

  /** What a leg (or an OCO pair, `legs` of one side and quantity) locks once it is on the book. */
  private lockFor(legs: Order[]): bigint {
    const first = legs[0] as Order;
    if (first.side === 'SELL') return BigInt(first.qtyLots) * this.spec.stepUnits;
    if (legs.length === 1 && first.type === 'MARKET') return this.sweepCost(true, first.qtyLots, 0n).quote;
    let ref = 0;
    for (const o of legs)
      ref = Math.max(ref, o.priceTicks > 0 ? o.priceTicks : o.stopTicks > 0 ? o.stopTicks : this.riseTicks);
    return notional(this.spec, ref, first.qtyLots);
  }

  /**
   * The working leg of an OTO/OTOCO has filled: its pending legs go to the book, as if placed now. A leg
   * the venue would refuse now (funds, a LIMIT_MAKER that would take) expires with the list, as Binance
   * expires a pending order the matching engine rejects. An OTO is then done; an OTOCO's pair goes on.
   */
  private activate(list: OrderList): void {
    if (list.listOrderStatus !== 'EXECUTING') return;
    const legs: Order[] = [];
    for (const id of list.pendingIds) {
      const o = this.orders.get(id);
      if (o !== undefined && o.status === 'PENDING_NEW') legs.push(o);
    }
    if (legs.length === 0) return;
    const first = legs[0] as Order;
    const need = this.lockFor(legs);
    const crossing = legs.some((o) => {
      if (o.type !== 'LIMIT_MAKER') return false;
      const best = o.side === 'BUY' ? this.asks.best() : this.bids.best();
      return (
        best !== undefined && (o.side === 'BUY' ? best.priceTicks <= o.priceTicks : best.priceTicks >= o.priceTicks)
      );
    });
    if (need > first.spendBal.free || crossing) {
      this.endList(list, -1, 'EXPIRED', undefined, 'REJECTED');
      return;
    }
    const holder = legs.find((o) => o.type === 'LIMIT_MAKER') ?? legs.find((o) => !isStopLoss(o)) ?? first;
    this.ctx.ledger.lock(holder.spendBal, need);
    holder.locked = need;
    const pair = list.ocoIds.length > 0;
    if (!pair) {
      list.listStatusType = 'ALL_DONE';
      list.listOrderStatus = 'ALL_DONE';
      list.transactionTime = this.ctx.now;
    }
    for (const o of legs) {
      o.status = 'NEW';
      o.updateTime = this.ctx.now;
      if (isContingent(o)) this.primeTrailing(o);
      else this.startWorking(o);
      this.report(o, 'NEW');
    }
    if (!pair) this.listEvent(list);
    for (const o of legs) {
      if (isContingent(o)) this.stops.add(o);
      else this.execute(o);
    }
  }

  private trigger(order: Order): void {
    const ledger = this.ctx.ledger;
    if (order.orderListId >= 0 && this.isOcoLeg(order)) {
      // One leg holds the pair's lock; ending the pair frees it, and this leg then locks what it needs.
      if (order.locked > 0n) {
        ledger.unlock(order.spendBal, order.locked);
        order.locked = 0n;
      }
      this.endListOf(order, 'EXPIRED', 'OCO_TRIGGER');
      const need =
        order.side === 'SELL'
          ? BigInt(order.qtyLots) * this.spec.stepUnits
          : isMarketType(order.type)
            ? 0n
            : notional(this.spec, order.priceTicks, order.qtyLots);
      if (need > order.spendBal.free) {
        this.finish(order, 'EXPIRED', 'EXPIRED', undefined, 'REJECTED');
        return;
      }
      ledger.lock(order.spendBal, need);
      order.locked += need;
    }
    if (order.side === 'BUY' && isMarketType(order.type)) {
      // A market buy's price is unknown until it runs: it may spend what the account has free.
      const extra = order.spendBal.free;
      ledger.lock(order.spendBal, extra);
      order.locked += extra;
    }
    this.startWorking(order);
    order.updateTime = this.ctx.now;
    this.report(order, 'NEW');
    this.execute(order);
  }

  private endListOf(leg: Order, status: 'EXPIRED' | 'CANCELED', reason?: ExpiryReason): void {
    const list = this.lists.get(leg.orderListId);
    if (list !== undefined) this.endList(list, leg.orderId, status, undefined, reason);
  }

  /** Ends an executing OCO: every open leg except `keepOrderId` gets `status`. */
  private endList(
    list: OrderList,
    keepOrderId: number,
    status: 'EXPIRED' | 'CANCELED',
    cancelId?: string,
    reason?: ExpiryReason,
  ): void {
    if (list.listOrderStatus !== 'EXECUTING') return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    list.transactionTime = this.ctx.now;
    for (const id of list.orderIds) {
      if (id === keepOrderId) continue;
      const leg = this.orders.get(id);
      if (leg === undefined || !isOpen(leg)) continue;
      this.unrest(leg);
      this.finish(leg, status, status, cancelId, reason);
    }
    this.listEvent(list);
  }

  /** Takes an open order off the book or out of the stop list. */
  private unrest(order: Order): void {
    if (order.level !== null) this.removeResting(order, order.side === 'BUY' ? this.bids : this.asks);
    else if (!order.isWorking) this.stops.remove(order);
  }

  private removeResting(order: Order, book: BookSide): void {
    const level = order.level as PriceLevel;
    level.totalLots -= order.remainingLots;
    book.unlink(order);
    this.levelChanged(book, level);
  }

  private rest(order: Order): void {
    const book = order.side === 'BUY' ? this.bids : this.asks;
    this.levelChanged(book, book.add(order));
  }

  private levelChanged(book: BookSide, level: PriceLevel): void {
    const updateId = ++this.updateId;
    const ctx = this.ctx;
    if (ctx.listener === undefined) return;
    ctx.events.push({
      type: 'bookLevel',
      eventTime: ctx.now,
      symbol: this.spec.symbol,
      updateId,
      side: book.isBid ? 'BID' : 'ASK',
      price: formatPrice(this.spec, level.priceTicks),
      qty: formatQty(this.spec, level.totalLots),
    });
  }

  /** Closes an order: final status, funds it still holds go back to free, one report. */
  private finish(
    order: Order,
    status: OrderStatus,
    execType: ExecutionType,
    cancelId: string | undefined,
    reason?: ExpiryReason,
  ): void {
    order.status = status;
    order.updateTime = this.ctx.now;
    this.retire(order);
    this.report(order, execType, cancelId, reason);
    if (order.orderListId >= 0) {
      // A working leg that ends without filling takes its pending legs with it.
      const list = this.lists.get(order.orderListId);
      if (list !== undefined && list.workingId === order.orderId && list.listOrderStatus === 'EXECUTING') {
        this.endList(list, order.orderId, 'EXPIRED', undefined, 'OTO_PHASE_ONE_EXPIRED');
      }
    }
  }

  /** Bookkeeping for a closed order: unlock leftovers, bounded retention. */
  private retire(order: Order): void {
    if (order.locked !== 0n) {
      this.ctx.ledger.unlock(order.spendBal, order.locked);
      order.locked = 0n;
    }
    const max = this.ctx.maxClosedOrders;
    const closed = this.closedIds;
    closed.push(order.orderId);
    if (closed.length > max * 2 + 16) {
      const dropped = closed.splice(0, closed.length - max);
      for (const id of dropped) this.forget(id);
    }
  }

  /** Forgets the closed orders `accept` picks (a venue's retention), keeping the others in order. */
  forgetClosed(accept: (order: Order) => boolean): number {
    const kept: number[] = [];
    let forgotten = 0;
    for (const id of this.closedIds) {
      const o = this.orders.get(id);
      if (o === undefined || isOpen(o)) continue;
      if (accept(o)) {
        this.forget(id);
        forgotten += 1;
      } else kept.push(id);
    }
    this.closedIds = kept;
    return forgotten;
  }

  /** Forgets an account's trade records (the public tape and the counterparties' records keep theirs). */
  forgetAccountTrades(accountId: string): number {
    const n = this.accountTrades.get(accountId)?.length ?? 0;
    this.accountTrades.delete(accountId);
    return n;
  }

  private forget(orderId: number): void {
    const o = this.orders.get(orderId);
    if (o === undefined || isOpen(o)) return;
    this.orders.delete(orderId);
    if (o.customClientId !== null) {
      const own = this.byClientId.get(o.accountId);
      if (own !== undefined && own.get(o.customClientId) === o) own.delete(o.customClientId);
    }
    if (o.orderListId >= 0) {
      const list = this.lists.get(o.orderListId);
      if (list !== undefined && list.listOrderStatus !== 'EXECUTING') {
        this.lists.delete(o.orderListId);
        const lkey = clientKey(list.accountId, list.listClientOrderId);
        if (this.listsByClientId.get(lkey) === list) this.listsByClientId.delete(lkey);
      }
    }
  }

  private report(order: Order, execType: ExecutionType, cancelId?: string, reason?: ExpiryReason): void {
    const ctx = this.ctx;
    if (ctx.listener === undefined) return;
    ctx.events.push({
      type: 'executionReport',
      eventTime: ctx.now,
      accountId: order.accountId,
      order: orderView(this.spec, order),
      execType,
      ...(cancelId !== undefined ? { cancelClientOrderId: cancelId } : {}),
      ...(reason !== undefined ? { expiryReason: reason } : {}),
      lastExecutedQty: ZERO,
      lastExecutedPrice: ZERO,
      lastQuoteQty: ZERO,
      commission: ZERO,
      commissionAsset: null,
      tradeId: -1,
      isMaker: false,
      transactionTime: ctx.now,
    });
  }

  listLegs(list: OrderList): Order[] {
    const legs: Order[] = [];
    for (const id of list.orderIds) {
      const o = this.orders.get(id);
      if (o !== undefined) legs.push(o);
    }
    return legs;
  }

  private listEvent(list: OrderList): void {
    const ctx = this.ctx;
    if (ctx.listener === undefined) return;
    ctx.events.push({
      type: 'listStatus',
      eventTime: ctx.now,
      orderList: orderListView(this.spec, list, this.listLegs(list)),
    });
  }
}
