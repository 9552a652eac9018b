import type { EngineContext } from './context.js';
import { MatchingError } from './errors.js';
import { clientKey, type SymbolMarket } from './market.js';
import { OrderList } from './order-list.js';
import type { Order } from './order.js';
import { insufficient, newOrder, orderLock, rejectCrossingMaker, rejectDuplicate } from './placement.js';
import { StopBook } from './stop-book.js';
import { notional } from './symbol-spec.js';
import type {
  NewOcoListRequest,
  NewOtoRequest,
  NewOtocoRequest,
  OcoResult,
  OrderListLegRequest,
  OrderSide,
  SelfTradePreventionMode,
} from './types.js';
import { checkAccountId, checkClientId, parseOrder, parseSide, parseStp, type ParsedOrder } from './validate.js';
import { orderListView, orderView } from './views.js';

// Binance's order lists: orderList/oco (above/below legs), orderList/oto and orderList/otoco. Every
// check runs before anything changes; the lists then live in SymbolMarket (acceptList, activate).

const isStopLoss = (p: ParsedOrder): boolean => p.type === 'STOP_LOSS' || p.type === 'STOP_LOSS_LIMIT';
const PAIR_OTHER = new Set(['LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

function parseLeg(
  market: SymbolMarket,
  leg: OrderListLegRequest,
  side: OrderSide,
  quantity: string,
  stp: SelfTradePreventionMode,
): ParsedOrder {
  if (leg === null || typeof leg !== 'object') throw new MatchingError('INVALID_PARAMETER', 'a leg is required', leg);
  return parseOrder(
    market.spec,
    {
      accountId: '-',
      symbol: market.spec.symbol,
      side,
      type: leg.type,
      quantity,
      ...(leg.timeInForce !== undefined ? { timeInForce: leg.timeInForce } : {}),
      ...(leg.price !== undefined ? { price: leg.price } : {}),
      ...(leg.stopPrice !== undefined ? { stopPrice: leg.stopPrice } : {}),
      ...(leg.trailingDelta !== undefined ? { trailingDelta: leg.trailingDelta } : {}),
      ...(leg.clientOrderId !== undefined ? { newClientOrderId: leg.clientOrderId } : {}),
    },
    stp,
  );
}

/** The pair's price reference on the take-profit side: the limit price, or a TAKE_PROFIT's stop price. */
function profitTicks(p: ParsedOrder): number {
  return p.priceTicks > 0 ? p.priceTicks : p.stopTicks;
}

/**
 * An OCO pair: one STOP_LOSS(_LIMIT) leg and one LIMIT_MAKER / TAKE_PROFIT(_LIMIT) leg. With `last`
 * (a pair placed now), Binance's price relationship around the last price: SELL profit > last > stop,
 * BUY profit < last < stop. A trailing stop-loss without a stop price has no side of the last price to keep.
 */
function checkPair(a: ParsedOrder, b: ParsedOrder, last: number): [ParsedOrder, ParsedOrder] {
  const stop = isStopLoss(a) ? a : isStopLoss(b) ? b : undefined;
  const other = stop === a ? b : a;
  if (stop === undefined || isStopLoss(other) || !PAIR_OTHER.has(other.type)) {
    throw new MatchingError(
      'OCO_ORDER_TYPE',
      'an OCO needs one STOP_LOSS(_LIMIT) and one LIMIT_MAKER or TAKE_PROFIT(_LIMIT) leg',
      [a.type, b.type],
    );
  }
  const buy = stop.side === 'BUY';
  const profit = profitTicks(other);
  const stopAt = stop.stopTicks;
  const ordered = (lo: number, hi: number): boolean => lo === 0 || hi === 0 || lo < hi;
  const ok = buy
    ? ordered(profit, stopAt) && ordered(profit, last) && ordered(last, stopAt)
    : ordered(stopAt, profit) && ordered(last, profit) && ordered(stopAt, last);
  if (!ok) {
    throw new MatchingError('OCO_PRICES', `OCO ${stop.side} prices are not ordered around the last price`, {
      profit,
      stop: stopAt,
    });
  }
  return [stop, other];
}

function checkListId(
  market: SymbolMarket,
  accountId: string,
  listClientOrderId: string | undefined,
): string | undefined {
  const id = checkClientId('listClientOrderId', listClientOrderId);
  if (id !== undefined) {
    const prev = market.listsByClientId.get(clientKey(accountId, id));
    if (prev !== undefined && prev.listOrderStatus === 'EXECUTING') {
      throw new MatchingError('DUPLICATE_ORDER', `an executing order list already uses ${id}`, id);
    }
  }
  return id;
}

function checkLegIds(market: SymbolMarket, accountId: string, legs: ParsedOrder[]): void {
  const seen = new Set<string>();
  for (const p of legs) {
    const id = p.clientOrderId;
    if (id === undefined) continue;
    if (seen.has(id)) throw new MatchingError('DUPLICATE_ORDER', 'the legs need distinct client order ids', id);
    seen.add(id);
    rejectDuplicate(market, accountId, id);
  }
}

/** The lock of an OCO pair: a sell its quantity; a buy its quantity at the higher of its prices. */
function pairLock(market: SymbolMarket, stop: ParsedOrder, other: ParsedOrder): bigint {
  const spec = market.spec;
  if (stop.side === 'SELL') return BigInt(stop.qtyLots) * spec.stepUnits;
  const ref = (p: ParsedOrder): number =>
    p.priceTicks > 0 ? p.priceTicks : p.stopTicks > 0 ? p.stopTicks : market.riseTicks;
  return notional(spec, Math.max(ref(stop), ref(other)), stop.qtyLots);
}

function result(market: SymbolMarket, list: OrderList, legs: Order[], fills: OcoResult['fills']): OcoResult {
  return {
    orderList: orderListView(market.spec, list, legs),
    orderReports: legs.map((o) => orderView(market.spec, o)),
    fills,
  };
}

function listClientId(market: SymbolMarket, id: string | undefined, listId: number): string {
  return id ?? `list-${market.spec.symbol}-${listId}`;
}

/** POST /api/v3/orderList/oco: the stop-loss leg is listed first; the other leg holds the pair's lock. */
export function placeOcoList(
  ctx: EngineContext,
  market: SymbolMarket,
  req: NewOcoListRequest,
  defaultStp: SelfTradePreventionMode,
): OcoResult {
  const accountId = checkAccountId(req.accountId);
  const side = parseSide(req.side);
  const stp = parseStp(req.selfTradePreventionMode, defaultStp);
  const above = parseLeg(market, req.above, side, req.quantity, stp);
  const below = parseLeg(market, req.below, side, req.quantity, stp);
  const [stop, other] = checkPair(above, below, market.lastTicks);
  const listId = checkListId(market, accountId, req.listClientOrderId);
  checkLegIds(market, accountId, [stop, other]);
  for (const p of [stop, other]) {
    if (p.type === 'LIMIT_MAKER') rejectCrossingMaker(market, p.side, p.priceTicks, p.priceTicks);
    if (p.stopTicks > 0 && !ctx.triggerReachedStops && StopBook.reached(p, market.riseTicks, market.fallTicks)) {
      throw new MatchingError('WOULD_TRIGGER', 'a leg would trigger immediately', p.stopTicks);
    }
  }
  const lock = pairLock(market, stop, other);
  const spend = ctx.ledger.entry(accountId, side === 'BUY' ? market.spec.quoteAsset : market.spec.baseAsset);
  if (lock > spend.free) insufficient(accountId, spend.asset, lock);

  const orderListId = market.nextOrderListId++;
  const stopLeg = newOrder(ctx, market, accountId, stop, market.nextOrderId++);
  const otherLeg = newOrder(ctx, market, accountId, other, market.nextOrderId++);
  stopLeg.orderListId = otherLeg.orderListId = orderListId;
  ctx.ledger.lock(spend, lock);
  otherLeg.locked = lock;
  const ids = [stopLeg.orderId, otherLeg.orderId];
  const list = new OrderList(
    accountId,
    orderListId,
    listClientId(market, listId, orderListId),
    'OCO',
    ids,
    ctx.now,
    -1,
    ids,
  );
  market.acceptList(list, [stopLeg, otherLeg]);
  return result(market, list, [stopLeg, otherLeg], []);
}

function parseWorking(
  market: SymbolMarket,
  req: NewOtoRequest | NewOtocoRequest,
  stp: SelfTradePreventionMode,
): ParsedOrder {
  const w = req.working;
  if (w === null || typeof w !== 'object') throw new MatchingError('INVALID_PARAMETER', 'working is required', w);
  if (w.type !== 'LIMIT' && w.type !== 'LIMIT_MAKER') {
    throw new MatchingError('INVALID_ORDER_TYPE', 'the working order is LIMIT or LIMIT_MAKER', w.type);
  }
  const p = parseLeg(market, w, parseSide(w.side), w.quantity, stp);
  if (p.type === 'LIMIT_MAKER') rejectCrossingMaker(market, p.side, p.priceTicks, w.price);
  return p;
}

/** Places the working leg (funds locked) and the pending legs (PENDING_NEW, nothing locked yet). */
function placeWorkingList(
  ctx: EngineContext,
  market: SymbolMarket,
  accountId: string,
  listId: string | undefined,
  working: ParsedOrder,
  pending: ParsedOrder[],
  ocoPending: boolean,
): OcoResult {
  const lock = orderLock(market, working);
  const spend = ctx.ledger.entry(accountId, working.side === 'BUY' ? market.spec.quoteAsset : market.spec.baseAsset);
  if (lock > spend.free) insufficient(accountId, spend.asset, lock);
  const orderListId = market.nextOrderListId++;
  const legs = [working, ...pending].map((p) => newOrder(ctx, market, accountId, p, market.nextOrderId++));
  const workingLeg = legs[0] as Order;
  for (const o of legs) {
    o.orderListId = orderListId;
    if (o !== workingLeg) o.status = 'PENDING_NEW';
  }
  ctx.ledger.lock(spend, lock);
  workingLeg.locked = lock;
  const ids = legs.map((o) => o.orderId);
  const list = new OrderList(
    accountId,
    orderListId,
    listClientId(market, listId, orderListId),
    'OTO',
    ids,
    ctx.now,
    workingLeg.orderId,
    ocoPending ? ids.slice(1) : [],
  );
  market.fillsOf = workingLeg;
  market.fills = [];
  try {
    market.acceptList(list, legs);
  } finally {
    market.fillsOf = null;
  }
  return result(market, list, legs, market.fills);
}

/** POST /api/v3/orderList/oto. */
export function placeOto(
  ctx: EngineContext,
  market: SymbolMarket,
  req: NewOtoRequest,
  defaultStp: SelfTradePreventionMode,
): OcoResult {
  const accountId = checkAccountId(req.accountId);
  const stp = parseStp(req.selfTradePreventionMode, defaultStp);
  const working = parseWorking(market, req, stp);
  const pr = req.pending;
  if (pr === null || typeof pr !== 'object') throw new MatchingError('INVALID_PARAMETER', 'pending is required', pr);
  const pending = parseLeg(market, pr, parseSide(pr.side), pr.quantity, stp);
  const listId = checkListId(market, accountId, req.listClientOrderId);
  checkLegIds(market, accountId, [working, pending]);
  return placeWorkingList(ctx, market, accountId, listId, working, [pending], false);
}

/** POST /api/v3/orderList/otoco: the pending pair is listed stop-loss first, as an OCO. */
export function placeOtoco(
  ctx: EngineContext,
  market: SymbolMarket,
  req: NewOtocoRequest,
  defaultStp: SelfTradePreventionMode,
): OcoResult {
  const accountId = checkAccountId(req.accountId);
  const stp = parseStp(req.selfTradePreventionMode, defaultStp);
  const working = parseWorking(market, req, stp);
  const side = parseSide(req.pendingSide);
  const above = parseLeg(market, req.pendingAbove, side, req.pendingQuantity, stp);
  const below = parseLeg(market, req.pendingBelow, side, req.pendingQuantity, stp);
  // The pair goes to the book later: its legs keep their order, the last price is checked then.
  const [stop, other] = checkPair(above, below, 0);
  const listId = checkListId(market, accountId, req.listClientOrderId);
  checkLegIds(market, accountId, [working, stop, other]);
  return placeWorkingList(ctx, market, accountId, listId, working, [stop, other], true);
}
