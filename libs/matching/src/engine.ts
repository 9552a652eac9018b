import type { EngineContext } from './context.js';
import { UNIT, formatUnits, parseUnits } from './decimal.js';
import { MatchingError, isMatchingError } from './errors.js';
import { Ledger } from './ledger.js';
import { SymbolMarket, clientKey } from './market.js';
import type { OrderList } from './order-list.js';
import type { PriceLevel } from './order-book.js';
import { isOpen, type Order } from './order.js';
import { placeOcoList, placeOto, placeOtoco } from './list-placement.js';
import { placeOco, placeOrder } from './placement.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import { compileSymbol, formatPrice, formatQty } from './symbol-spec.js';
import { lastN } from './trade-record.js';
import type {
  AccountTrade,
  Balance,
  BookTicker,
  CancelOrderRequest,
  CancelReplaceOutcome,
  CancelReplaceRequest,
  CancelReplaceResult,
  Clock,
  DepthView,
  EngineEvent,
  EngineListener,
  EngineOptions,
  EngineSnapshot,
  FeeRates,
  NewOcoListRequest,
  NewOcoRequest,
  NewOrderRequest,
  NewOtoRequest,
  NewOtocoRequest,
  OcoResult,
  OrderListRef,
  OrderListView,
  OrderRef,
  OrderView,
  PlaceOrderResult,
  PublicTrade,
  SelfTradePreventionMode,
  SymbolConfig,
} from './types.js';
import { checkAccountId, checkClientId, parsePrice, parseStp } from './validate.js';
import { accountTradeView, orderListView, orderView, publicTradeView } from './views.js';

const ASSET = /^[A-Z0-9]{1,20}$/;
const ZERO = '0.00000000';
/** What `balanceUnits` gives for an asset the account never held. */
const NO_UNITS: BalanceUnits = { free: 0n, locked: 0n };

/** A balance in units of 10^-18 (`formatUnits` prints them as `getBalance` does). */
export interface BalanceUnits {
  readonly free: bigint;
  readonly locked: bigint;
}

function limitOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MatchingError('INVALID_PARAMETER', `${name} must be a whole number ≥ 0`, value);
  }
  return value;
}

function choice<T extends string>(name: string, value: T | undefined, allowed: readonly [T, ...T[]]): T {
  if (value === undefined) return allowed[0];
  if (!allowed.includes(value)) {
    throw new MatchingError('INVALID_PARAMETER', `${name} must be one of ${allowed.join(', ')}`, value);
  }
  return value;
}

/**
 * Deterministic price-time priority matching engine for many symbols and accounts, speaking
 * Binance Spot semantics. Every call is synchronous; events of a call reach the listener when
 * the call has finished. Rejections throw `MatchingError` before anything changes.
 */
export class MatchingEngine {
  private readonly ctx: EngineContext;
  private readonly clock: Clock;
  private readonly defaultStp: SelfTradePreventionMode;
  private readonly markets = new Map<string, SymbolMarket>();

  constructor(options: EngineOptions) {
    if (typeof options.clock?.now !== 'function') {
      throw new MatchingError('INVALID_PARAMETER', 'options.clock must have now()', options.clock);
    }
    this.clock = options.clock;
    this.defaultStp = parseStp(options.defaultSelfTradePreventionMode, 'EXPIRE_MAKER');
    const ledger = new Ledger();
    this.ctx = {
      ledger,
      listener: undefined,
      events: [],
      now: 0,
      feeAccountId: checkAccountId(options.feeAccountId ?? 'FEES'),
      maxClosedOrders: limitOption('maxClosedOrdersPerSymbol', options.maxClosedOrdersPerSymbol, 10_000),
      maxAccountTrades: limitOption('maxAccountTradesPerSymbol', options.maxAccountTradesPerSymbol, 1_000),
      maxRecentTrades: limitOption('maxRecentTrades', options.maxRecentTrades, 1_000),
      marketDataTriggers: choice('stopTriggers', options.stopTriggers, ['trades', 'market-data']) === 'market-data',
      triggerReachedStops:
        choice('stopAlreadyReached', options.stopAlreadyReached, ['reject', 'trigger']) === 'trigger',
    };
    this.setListener(options.onEvent);
  }

  /** A new engine holding exactly the state `snapshot()` wrote. */
  static restore(snapshot: EngineSnapshot, options: EngineOptions): MatchingEngine {
    const engine = new MatchingEngine({ ...options, onEvent: undefined });
    readSnapshot(snapshot, engine.ctx, engine.markets, (spec) => new SymbolMarket(spec, engine.ctx));
    engine.setListener(options.onEvent);
    return engine;
  }

  /** The whole state as plain JSON-safe data. */
  snapshot(): EngineSnapshot {
    return writeSnapshot(this.ctx, this.markets);
  }

  setListener(listener: EngineListener | undefined): void {
    this.ctx.listener = listener;
    this.ctx.ledger.tracking = listener !== undefined;
  }

  get feeAccountId(): string {
    return this.ctx.feeAccountId;
  }

  // ---- symbols and accounts ---------------------------------------------------------------------

  addSymbol(config: SymbolConfig): void {
    const spec = compileSymbol(config);
    if (this.markets.has(spec.symbol)) {
      throw new MatchingError('INVALID_SYMBOL_CONFIG', `symbol ${spec.symbol} already exists`, spec.symbol);
    }
    this.markets.set(spec.symbol, new SymbolMarket(spec, this.ctx));
  }

  getSymbol(symbol: string): SymbolConfig {
    return { ...this.market(symbol).spec.config };
  }

  listSymbols(): SymbolConfig[] {
    return [...this.markets.values()].map((m) => ({ ...m.spec.config }));
  }

  /** Credits an account (a deposit, or funding a test account). */
  deposit(accountId: string, asset: string, amount: string): Balance {
    return this.call(() => {
      const e = this.ctx.ledger.entry(checkAccountId(accountId), this.asset(asset));
      this.ctx.ledger.credit(e, this.amount(amount));
      return e.view();
    });
  }

  withdraw(accountId: string, asset: string, amount: string): Balance {
    return this.call(() => {
      const e = this.ctx.ledger.entry(checkAccountId(accountId), this.asset(asset));
      this.ctx.ledger.debit(e, this.amount(amount));
      return e.view();
    });
  }

  /** Commission rates for one account's future orders; undefined restores the symbol defaults. */
  setFeeRates(accountId: string, rates: FeeRates | undefined): void {
    const acct = this.ctx.ledger.account(checkAccountId(accountId));
    if (rates === undefined) {
      acct.makerFee = acct.takerFee = undefined;
      return;
    }
    acct.makerFee = this.rate('makerFeeRate', rates.makerFeeRate);
    acct.takerFee = this.rate('takerFeeRate', rates.takerFeeRate);
  }

  getBalance(accountId: string, asset: string): Balance {
    const e = this.ctx.ledger.accounts.get(accountId)?.balances.get(asset);
    return e === undefined ? { asset, free: ZERO, locked: ZERO } : e.view();
  }

  /**
   * The balance as units of 10^-18, unformatted and without allocating: for a reader that polls it
   * on every market event (the backtest's venue) and parses it again only when it changed.
   */
  balanceUnits(accountId: string, asset: string): BalanceUnits {
    return this.ctx.ledger.accounts.get(accountId)?.balances.get(asset) ?? NO_UNITS;
  }

  /** Every asset the account has held, by asset name. */
  getBalances(accountId: string): Balance[] {
    const acct = this.ctx.ledger.accounts.get(accountId);
    if (acct === undefined) return [];
    return [...acct.balances.values()].sort((a, b) => (a.asset < b.asset ? -1 : 1)).map((e) => e.view());
  }

  listAccounts(): string[] {
    return [...this.ctx.ledger.accounts.keys()].sort();
  }

  // ---- orders -----------------------------------------------------------------------------------

  /** Validates a new order exactly as placeOrder would, without placing it (Binance's order/test). */
  testOrder(req: NewOrderRequest): void {
    const engine = MatchingEngine.restore(this.snapshot(), { clock: { now: () => this.clock.now() } });
    engine.placeOrder(req);
  }

  placeOrder(req: NewOrderRequest): PlaceOrderResult {
    return this.call(() => placeOrder(this.ctx, this.market(req.symbol), req, this.defaultStp, true));
  }

  /** placeOrder without the fills list, for backtests that read fills from events or balances. */
  placeOrderFast(req: NewOrderRequest): PlaceOrderResult {
    return this.call(() => placeOrder(this.ctx, this.market(req.symbol), req, this.defaultStp, false));
  }

  cancelOrder(req: CancelOrderRequest): OrderView {
    return this.call(() => {
      const market = this.market(req.symbol);
      const order = this.openOrder(market, req);
      market.cancel(order, checkClientId('newClientOrderId', req.newClientOrderId));
      return orderView(market.spec, order);
    });
  }

  /** Cancels every open order (and OCO) of the account on the symbol; returns them by order id. */
  cancelOpenOrders(accountId: string, symbol: string): OrderView[] {
    return this.call(() => {
      const market = this.market(symbol);
      const open = this.accountOrders(market, accountId).filter(isOpen);
      for (const o of open) if (isOpen(o)) market.cancel(o, undefined);
      return open.map((o) => orderView(market.spec, o));
    });
  }

  /** Binance's order/cancelReplace: never throws a rejection; the outcome of each step is in the result. */
  cancelReplace(req: CancelReplaceRequest): CancelReplaceResult {
    return this.call(() => {
      const market = this.market(req.symbol);
      if (req.cancelReplaceMode !== 'STOP_ON_FAILURE' && req.cancelReplaceMode !== 'ALLOW_FAILURE') {
        throw new MatchingError(
          'INVALID_PARAMETER',
          'cancelReplaceMode must be STOP_ON_FAILURE or ALLOW_FAILURE',
          req.cancelReplaceMode,
        );
      }
      const result: CancelReplaceResult = { cancelResult: 'SUCCESS', newOrderResult: 'NOT_ATTEMPTED' };
      try {
        const order = this.openOrder(market, {
          accountId: req.accountId,
          symbol: req.symbol,
          orderId: req.cancelOrderId,
          origClientOrderId: req.cancelOrigClientOrderId,
        });
        market.cancel(order, checkClientId('cancelNewClientOrderId', req.cancelNewClientOrderId));
        result.cancelResponse = orderView(market.spec, order);
      } catch (err) {
        if (!isMatchingError(err)) throw err;
        result.cancelResult = 'FAILURE';
        result.cancelError = err;
        if (req.cancelReplaceMode === 'STOP_ON_FAILURE') return result;
      }
      let outcome: CancelReplaceOutcome = 'SUCCESS';
      try {
        const {
          cancelReplaceMode: _m,
          cancelOrderId: _i,
          cancelOrigClientOrderId: _c,
          cancelNewClientOrderId: _n,
          ...order
        } = req;
        result.newOrderResponse = placeOrder(this.ctx, market, order, this.defaultStp, true);
      } catch (err) {
        if (!isMatchingError(err)) throw err;
        outcome = 'FAILURE';
        result.newOrderError = err;
      }
      result.newOrderResult = outcome;
      return result;
    });
  }

  placeOco(req: NewOcoRequest): OcoResult {
    return this.call(() => placeOco(this.ctx, this.market(req.symbol), req, this.defaultStp));
  }

  /** Binance's orderList/oco: above and below legs, one STOP_LOSS(_LIMIT), the other LIMIT_MAKER or TAKE_PROFIT(_LIMIT). */
  placeOcoList(req: NewOcoListRequest): OcoResult {
    return this.call(() => placeOcoList(this.ctx, this.market(req.symbol), req, this.defaultStp));
  }

  /** Binance's orderList/oto: the pending leg is placed once the working leg has fully filled. */
  placeOto(req: NewOtoRequest): OcoResult {
    return this.call(() => placeOto(this.ctx, this.market(req.symbol), req, this.defaultStp));
  }

  /** Binance's orderList/otoco: a working leg, then an OCO pair once it has fully filled. */
  placeOtoco(req: NewOtocoRequest): OcoResult {
    return this.call(() => placeOtoco(this.ctx, this.market(req.symbol), req, this.defaultStp));
  }

  cancelOrderList(ref: OrderListRef & { newClientOrderId?: string }): OcoResult {
    return this.call(() => {
      const market = this.market(ref.symbol);
      const list = this.findList(market, ref);
      if (list.listOrderStatus !== 'EXECUTING') {
        throw new MatchingError(
          'UNKNOWN_ORDER_LIST',
          `order list ${list.orderListId} is no longer executing`,
          list.orderListId,
        );
      }
      market.cancelList(list, checkClientId('newClientOrderId', ref.newClientOrderId));
      return this.listResult(market, list);
    });
  }

  getOrder(ref: OrderRef): OrderView {
    const market = this.market(ref.symbol);
    return orderView(market.spec, this.findOrder(market, ref));
  }

  getOpenOrders(accountId: string, symbol?: string): OrderView[] {
    const markets = symbol === undefined ? [...this.markets.values()] : [this.market(symbol)];
    return markets.flatMap((m) =>
      this.accountOrders(m, accountId)
        .filter(isOpen)
        .map((o) => orderView(m.spec, o)),
    );
  }

  /**
   * Forgets the closed orders `accept` picks, on every symbol: a venue's retention rule (Binance archives
   * orders canceled without a fill after 90 days) or orders no one can query. Open orders are never
   * offered. Emits no events; returns how many were forgotten.
   */
  forgetClosedOrders(accept: (order: OrderView) => boolean): number {
    let n = 0;
    for (const m of this.markets.values()) n += m.forgetClosed((o) => accept(orderView(m.spec, o)));
    return n;
  }

  /** Forgets an account's trade records (`getMyTrades`) on every symbol; the public tape keeps its trades. */
  forgetAccountTrades(accountId: string): number {
    let n = 0;
    for (const m of this.markets.values()) n += m.forgetAccountTrades(accountId);
    return n;
  }

  /** Open orders and the retained closed ones, by order id. */
  getAllOrders(accountId: string, symbol: string): OrderView[] {
    const market = this.market(symbol);
    return this.accountOrders(market, accountId).map((o) => orderView(market.spec, o));
  }

  getOrderList(ref: OrderListRef): OrderListView {
    const market = this.market(ref.symbol);
    const list = this.findList(market, ref);
    return orderListView(market.spec, list, market.listLegs(list));
  }

  /** The account's executing order lists, on one symbol or all, by symbol then list id. */
  getOpenOrderLists(accountId: string, symbol?: string): OrderListView[] {
    const markets = symbol === undefined ? [...this.markets.values()] : [this.market(symbol)];
    const out: OrderListView[] = [];
    for (const m of markets) {
      for (const list of m.lists.values()) {
        if (list.accountId === accountId && list.listOrderStatus === 'EXECUTING') {
          out.push(orderListView(m.spec, list, m.listLegs(list)));
        }
      }
    }
    return out;
  }

  /**
   * An order list of the account on any symbol (Binance's GET /api/v3/orderList takes no symbol). List
   * ids count per symbol here, so an id may name lists on several symbols: the first symbol added wins.
   */
  findOrderList(ref: Omit<OrderListRef, 'symbol'>): OrderListView {
    for (const m of this.markets.values()) {
      try {
        const list = this.findList(m, { ...ref, symbol: m.spec.symbol });
        return orderListView(m.spec, list, m.listLegs(list));
      } catch (err) {
        if (!isMatchingError(err) || err.code !== 'UNKNOWN_ORDER_LIST') throw err;
      }
    }
    throw new MatchingError(
      'UNKNOWN_ORDER_LIST',
      'order list does not exist',
      ref.orderListId ?? ref.listClientOrderId,
    );
  }

  /**
   * The account's retained trades on the symbol, oldest first (at most `limit`, the latest); with
   * `fromId` (Binance's myTrades `fromId`), only those with that trade id or later.
   */
  getMyTrades(accountId: string, symbol: string, limit = 500, fromId?: number): AccountTrade[] {
    const market = this.market(symbol);
    const out: AccountTrade[] = [];
    for (const t of market.accountTrades.get(accountId) ?? []) {
      if (fromId !== undefined && t.id < fromId) continue;
      if (t.buyerAccountId === accountId) out.push(accountTradeView(market.spec, t, true));
      if (t.sellerAccountId === accountId) out.push(accountTradeView(market.spec, t, false));
    }
    return lastN(out, Math.min(limit, this.ctx.maxAccountTrades * 2));
  }

  // ---- market data ------------------------------------------------------------------------------

  /**
   * A trade that happened outside this engine (market data replayed into it, e.g. a backtest's trade
   * tick or a point of a bar's path): it becomes the last price and triggers the stops it reaches,
   * which then run against the book as it stands. No balance moves and no trade is recorded.
   */
  applyMarketTrade(symbol: string, price: string): void {
    this.call(() => {
      const market = this.market(symbol);
      const ticks = parsePrice(market.spec, 'price', price);
      market.applyMarket(ticks, ticks, true);
    });
  }

  /**
   * A quote from outside this engine: stops trigger on its touch, rising ones (STOP_LOSS buy,
   * TAKE_PROFIT sell) when the ask reaches them, falling ones when the bid does, and run against the
   * book as it stands. A side left undefined triggers nothing (a replay may let each side's stops take
   * their own liquidity in turn). The last price is unchanged (a quote is not a trade); the touch stays
   * the trigger reference until the next trade or quote.
   */
  applyMarketQuote(symbol: string, bidPrice: string | undefined, askPrice: string | undefined): void {
    this.call(() => {
      const market = this.market(symbol);
      const bid = bidPrice === undefined ? 0 : parsePrice(market.spec, 'bidPrice', bidPrice);
      const ask = askPrice === undefined ? 0 : parsePrice(market.spec, 'askPrice', askPrice);
      market.applyMarket(ask, bid, false);
    });
  }

  depth(symbol: string, limit = 100): DepthView {
    const market = this.market(symbol);
    const side = (levels: PriceLevel[]): [string, string][] => {
      const out: [string, string][] = [];
      for (let i = levels.length - 1; i >= 0 && out.length < limit; i--) {
        const l = levels[i] as PriceLevel;
        out.push([formatPrice(market.spec, l.priceTicks), formatQty(market.spec, l.totalLots)]);
      }
      return out;
    };
    return { lastUpdateId: market.updateId, bids: side(market.bids.levels), asks: side(market.asks.levels) };
  }

  bookTicker(symbol: string): BookTicker {
    const market = this.market(symbol);
    const bid = market.bids.best();
    const ask = market.asks.best();
    const spec = market.spec;
    return {
      symbol: spec.symbol,
      bidPrice: bid === undefined ? ZERO : formatPrice(spec, bid.priceTicks),
      bidQty: bid === undefined ? ZERO : formatQty(spec, bid.totalLots),
      askPrice: ask === undefined ? ZERO : formatPrice(spec, ask.priceTicks),
      askQty: ask === undefined ? ZERO : formatQty(spec, ask.totalLots),
    };
  }

  /** Last trade price, or null before the first trade. */
  lastPrice(symbol: string): string | null {
    const market = this.market(symbol);
    return market.lastTicks > 0 ? formatPrice(market.spec, market.lastTicks) : null;
  }

  /** The latest public trades, oldest first. */
  recentTrades(symbol: string, limit = 500): PublicTrade[] {
    const market = this.market(symbol);
    return lastN(market.tape, Math.min(limit, this.ctx.maxRecentTrades)).map((t) => publicTradeView(market.spec, t));
  }

  // ---- internals --------------------------------------------------------------------------------

  /** Runs one public mutation: one clock reading, then the call's events to the listener. */
  private call<T>(body: () => T): T {
    const ctx = this.ctx;
    ctx.now = this.clock.now();
    let result: T;
    try {
      result = body();
    } finally {
      if (ctx.listener !== undefined) this.deliver(ctx.listener);
    }
    return result;
  }

  private deliver(listener: EngineListener): void {
    const ctx = this.ctx;
    const changed = ctx.ledger.changed;
    for (const e of changed) {
      e.dirty = false;
      const b = e.view();
      ctx.events.push({
        type: 'balance',
        eventTime: ctx.now,
        accountId: e.accountId,
        asset: e.asset,
        free: b.free,
        locked: b.locked,
      });
    }
    changed.length = 0;
    if (ctx.events.length === 0) return;
    const events: EngineEvent[] = ctx.events;
    ctx.events = [];
    let failure: unknown;
    for (const event of events) {
      try {
        listener(event);
      } catch (err) {
        // Later events still go out; the first failure is reported once they have.
        failure ??= err;
      }
    }
    if (failure !== undefined) {
      throw new MatchingError('LISTENER_FAILED', 'the event listener threw; the engine state is complete', undefined, {
        cause: failure,
      });
    }
  }

  private market(symbol: string): SymbolMarket {
    const m = typeof symbol === 'string' ? this.markets.get(symbol) : undefined;
    if (m === undefined) throw new MatchingError('UNKNOWN_SYMBOL', `unknown symbol ${String(symbol)}`, symbol);
    return m;
  }

  private asset(asset: string): string {
    if (typeof asset !== 'string' || !ASSET.test(asset)) {
      throw new MatchingError('INVALID_PARAMETER', 'asset must be 1-20 characters of A-Z0-9', asset);
    }
    return asset;
  }

  private amount(amount: string): bigint {
    const u = typeof amount === 'string' ? parseUnits(amount) : undefined;
    if (u === undefined || u === 0n)
      throw new MatchingError('INVALID_PARAMETER', 'amount must be a positive decimal string', amount);
    return u;
  }

  private rate(name: string, text: string): bigint {
    const u = typeof text === 'string' ? parseUnits(text) : undefined;
    if (u === undefined || u > UNIT)
      throw new MatchingError('INVALID_PARAMETER', `${name} must be a decimal from 0 to 1`, text);
    return u;
  }

  private findOrder(market: SymbolMarket, ref: OrderRef): Order {
    let o: Order | undefined;
    if (ref.orderId !== undefined) o = market.orders.get(ref.orderId);
    else if (ref.origClientOrderId !== undefined) o = market.findByClientId(ref.accountId, ref.origClientOrderId);
    else throw new MatchingError('INVALID_PARAMETER', 'send orderId or origClientOrderId', ref);
    if (o === undefined || o.accountId !== ref.accountId) {
      throw new MatchingError(
        'UNKNOWN_ORDER',
        `order ${String(ref.orderId ?? ref.origClientOrderId)} does not exist`,
        ref.orderId ?? ref.origClientOrderId,
      );
    }
    return o;
  }

  private openOrder(market: SymbolMarket, ref: OrderRef): Order {
    const o = this.findOrder(market, ref);
    if (!isOpen(o))
      throw new MatchingError('UNKNOWN_ORDER', `order ${o.orderId} is no longer open (${o.status})`, o.orderId);
    return o;
  }

  private findList(market: SymbolMarket, ref: OrderListRef): OrderList {
    let list: OrderList | undefined;
    if (ref.orderListId !== undefined) list = market.lists.get(ref.orderListId);
    else if (ref.listClientOrderId !== undefined)
      list = market.listsByClientId.get(clientKey(ref.accountId, ref.listClientOrderId));
    else throw new MatchingError('INVALID_PARAMETER', 'send orderListId or listClientOrderId', ref);
    if (list === undefined || list.accountId !== ref.accountId) {
      throw new MatchingError(
        'UNKNOWN_ORDER_LIST',
        'order list does not exist',
        ref.orderListId ?? ref.listClientOrderId,
      );
    }
    return list;
  }

  private listResult(market: SymbolMarket, list: OrderList): OcoResult {
    const legs = market.listLegs(list);
    return {
      orderList: orderListView(market.spec, list, legs),
      orderReports: legs.map((o) => orderView(market.spec, o)),
      fills: [],
    };
  }

  private accountOrders(market: SymbolMarket, accountId: string): Order[] {
    const out: Order[] = [];
    for (const o of market.orders.values()) if (o.accountId === accountId) out.push(o);
    return out.sort((a, b) => a.orderId - b.orderId);
  }

  /** Sum of free + locked of one asset over every account, fee account included (for audits and tests). */
  totalOf(asset: string): string {
    let sum = 0n;
    for (const acct of this.ctx.ledger.accounts.values()) {
      const e = acct.balances.get(asset);
      if (e !== undefined) sum += e.free + e.locked;
    }
    return formatUnits(sum);
  }
}
