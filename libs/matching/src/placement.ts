import type { EngineContext } from './context.js';
import { MatchingError } from './errors.js';
import { clientKey, type SymbolMarket } from './market.js';
import { OrderList } from './order-list.js';
import { Order, isOpen } from './order.js';
import { StopBook } from './stop-book.js';
import { notional } from './symbol-spec.js';
import type {
  Fill,
  NewOcoRequest,
  NewOrderRequest,
  OcoResult,
  OrderSide,
  PlaceOrderResult,
  SelfTradePreventionMode,
} from './types.js';
import {
  type ParsedOrder,
  checkAccountId,
  checkClientId,
  checkNotional,
  parseOrder,
  parsePrice,
  parseQuantity,
  parseSide,
  parseStp,
  parseTimeInForce,
} from './validate.js';
import { orderListView, orderView } from './views.js';

const NO_FILLS: Fill[] = [];

export function rejectDuplicate(market: SymbolMarket, accountId: string, clientOrderId: string | undefined): void {
  if (clientOrderId === undefined) return;
  const prev = market.findByClientId(accountId, clientOrderId);
  if (prev !== undefined && isOpen(prev)) {
    throw new MatchingError(
      'DUPLICATE_ORDER',
      `an open order already uses clientOrderId ${clientOrderId}`,
      clientOrderId,
    );
  }
}

export function rejectCrossingMaker(market: SymbolMarket, side: OrderSide, priceTicks: number, price: unknown): void {
  const best = side === 'BUY' ? market.asks.best() : market.bids.best();
  if (best !== undefined && (side === 'BUY' ? best.priceTicks <= priceTicks : best.priceTicks >= priceTicks)) {
    throw new MatchingError('WOULD_MATCH', `LIMIT_MAKER at ${String(price)} would take liquidity`, price);
  }
}

export function insufficient(accountId: string, asset: string, need: bigint): never {
  throw new MatchingError('INSUFFICIENT_BALANCE', `account ${accountId} has not enough free ${asset}`, need.toString());
}

/** What an order locks when it is accepted (quote units for a buy, base units for a sell). */
export function orderLock(market: SymbolMarket, p: ParsedOrder): bigint {
  const spec = market.spec;
  const buy = p.side === 'BUY';
  if (p.type === 'MARKET') {
    // What the book offers now bounds what a market order can spend, so that is what it locks.
    if (buy) return p.quoteOrderQty > 0n ? p.quoteOrderQty : market.sweepCost(true, p.qtyLots, 0n).quote;
    return BigInt(p.qtyLots > 0 ? p.qtyLots : market.sweepCost(false, 0, p.quoteOrderQty).lots) * spec.stepUnits;
  }
  if (!buy) return BigInt(p.qtyLots) * spec.stepUnits;
  // A stop-market buy locks at its stop price (a trailing one without, at the market's price);
  // once triggered it may spend what is free.
  const ref = p.priceTicks > 0 ? p.priceTicks : p.stopTicks > 0 ? p.stopTicks : market.riseTicks;
  return notional(spec, ref, p.qtyLots);
}

/** A new engine order from a parsed request, with the account's fee rates; nothing locked yet. */
export function newOrder(
  ctx: EngineContext,
  market: SymbolMarket,
  accountId: string,
  p: ParsedOrder,
  orderId: number,
): Order {
  const spec = market.spec;
  const buy = p.side === 'BUY';
  const ledger = ctx.ledger;
  const order = new Order(
    accountId,
    orderId,
    p.clientOrderId ?? null,
    market.autoPrefix,
    p.side,
    p.type,
    p.timeInForce,
    p.priceTicks,
    p.stopTicks,
    p.quoteOrderQty > 0n ? Number.MAX_SAFE_INTEGER : p.qtyLots,
    p.quoteOrderQty,
    p.stp,
    ctx.now,
    ledger.entry(accountId, buy ? spec.quoteAsset : spec.baseAsset),
    ledger.entry(accountId, buy ? spec.baseAsset : spec.quoteAsset),
  );
  const acct = ledger.account(accountId);
  order.makerFee = acct.makerFee ?? spec.makerFee;
  order.takerFee = acct.takerFee ?? spec.takerFee;
  order.trailingDelta = p.trailingDelta;
  return order;
}

/** Validates, locks funds, and hands the order to the symbol's market. Throws before any change. */
export function placeOrder(
  ctx: EngineContext,
  market: SymbolMarket,
  req: NewOrderRequest,
  defaultStp: SelfTradePreventionMode,
  collectFills: boolean,
): PlaceOrderResult {
  const spec = market.spec;
  const accountId = checkAccountId(req.accountId);
  const p = parseOrder(spec, req, defaultStp);
  rejectDuplicate(market, accountId, p.clientOrderId);
  const buy = p.side === 'BUY';
  if (p.type === 'LIMIT_MAKER') rejectCrossingMaker(market, p.side, p.priceTicks, req.price);
  const ledger = ctx.ledger;
  const spend = ledger.entry(accountId, buy ? spec.quoteAsset : spec.baseAsset);

  const lock = orderLock(market, p);
  if (p.stopTicks > 0 && !ctx.triggerReachedStops && StopBook.reached(p, market.riseTicks, market.fallTicks)) {
    throw new MatchingError(
      'WOULD_TRIGGER',
      `stopPrice ${String(req.stopPrice)} would trigger immediately`,
      req.stopPrice,
    );
  }
  if (lock > spend.free) insufficient(accountId, spend.asset, lock);

  const order = newOrder(ctx, market, accountId, p, market.nextOrderId++);
  ledger.lock(spend, lock);
  order.locked = lock;

  if (!collectFills) {
    market.accept(order);
    return { order: orderView(spec, order), fills: NO_FILLS };
  }
  market.fillsOf = order;
  market.fills = [];
  try {
    market.accept(order);
  } finally {
    market.fillsOf = null;
  }
  return { order: orderView(spec, order), fills: market.fills };
}

/** Binance's legacy OCO: a STOP_LOSS(_LIMIT) leg and a LIMIT_MAKER leg sharing one lock. */
export function placeOco(
  ctx: EngineContext,
  market: SymbolMarket,
  req: NewOcoRequest,
  defaultStp: SelfTradePreventionMode,
): OcoResult {
  const spec = market.spec;
  const accountId = checkAccountId(req.accountId);
  const side = parseSide(req.side);
  const buy = side === 'BUY';
  const qtyLots = parseQuantity(spec, 'quantity', req.quantity);
  const priceTicks = parsePrice(spec, 'price', req.price);
  const stopTicks = parsePrice(spec, 'stopPrice', req.stopPrice);
  const stopLimitTicks = req.stopLimitPrice === undefined ? 0 : parsePrice(spec, 'stopLimitPrice', req.stopLimitPrice);
  if (stopLimitTicks === 0 && req.stopLimitTimeInForce !== undefined) {
    throw new MatchingError('INVALID_PARAMETER', 'stopLimitTimeInForce needs stopLimitPrice', req.stopLimitTimeInForce);
  }
  const stopTif = stopLimitTicks > 0 ? parseTimeInForce('stopLimitTimeInForce', req.stopLimitTimeInForce) : 'GTC';
  checkNotional(spec, priceTicks, qtyLots);
  checkNotional(spec, stopLimitTicks > 0 ? stopLimitTicks : stopTicks, qtyLots);
  const stp = parseStp(req.selfTradePreventionMode, defaultStp);
  const limitClientId = checkClientId('limitClientOrderId', req.limitClientOrderId);
  const stopClientId = checkClientId('stopClientOrderId', req.stopClientOrderId);
  const listClientId = checkClientId('listClientOrderId', req.listClientOrderId);
  if (limitClientId !== undefined && limitClientId === stopClientId) {
    throw new MatchingError('DUPLICATE_ORDER', 'limitClientOrderId and stopClientOrderId must differ', limitClientId);
  }
  rejectDuplicate(market, accountId, limitClientId);
  rejectDuplicate(market, accountId, stopClientId);
  if (listClientId !== undefined) {
    const prev = market.listsByClientId.get(clientKey(accountId, listClientId));
    if (prev !== undefined && prev.listOrderStatus === 'EXECUTING') {
      throw new MatchingError('DUPLICATE_ORDER', `an executing order list already uses ${listClientId}`, listClientId);
    }
  }
  // SELL: limit above the market, stop below; BUY: the mirror image (Binance's price relationship).
  const last = market.lastTicks;
  const ordered = buy
    ? priceTicks < stopTicks && (last === 0 || (priceTicks < last && last < stopTicks))
    : priceTicks > stopTicks && (last === 0 || (priceTicks > last && last > stopTicks));
  if (!ordered) {
    throw new MatchingError('OCO_PRICES', `OCO ${side} prices are not ordered around the last price`, {
      price: req.price,
      stopPrice: req.stopPrice,
    });
  }
  rejectCrossingMaker(market, side, priceTicks, req.price);

  const ledger = ctx.ledger;
  const spend = ledger.entry(accountId, buy ? spec.quoteAsset : spec.baseAsset);
  const receive = ledger.entry(accountId, buy ? spec.baseAsset : spec.quoteAsset);
  const lock = buy
    ? notional(spec, Math.max(priceTicks, stopLimitTicks > 0 ? stopLimitTicks : stopTicks), qtyLots)
    : BigInt(qtyLots) * spec.stepUnits;
  if (lock > spend.free) insufficient(accountId, spend.asset, lock);

  const now = ctx.now;
  const acct = ledger.account(accountId);
  const listId = market.nextOrderListId++;
  const stopId = market.nextOrderId++;
  const limitId = market.nextOrderId++;
  const stopLeg = new Order(
    accountId,
    stopId,
    stopClientId ?? null,
    market.autoPrefix,
    side,
    stopLimitTicks > 0 ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
    stopTif,
    stopLimitTicks,
    stopTicks,
    qtyLots,
    0n,
    stp,
    now,
    spend,
    receive,
  );
  const limitLeg = new Order(
    accountId,
    limitId,
    limitClientId ?? null,
    market.autoPrefix,
    side,
    'LIMIT_MAKER',
    'GTC',
    priceTicks,
    0,
    qtyLots,
    0n,
    stp,
    now,
    spend,
    receive,
  );
  for (const leg of [stopLeg, limitLeg]) {
    leg.orderListId = listId;
    leg.makerFee = acct.makerFee ?? spec.makerFee;
    leg.takerFee = acct.takerFee ?? spec.takerFee;
  }
  ledger.lock(spend, lock);
  limitLeg.locked = lock;
  const list = new OrderList(
    accountId,
    listId,
    listClientId ?? `list-${spec.symbol}-${listId}`,
    'OCO',
    [stopId, limitId],
    now,
    -1,
    [stopId, limitId],
  );
  market.acceptOco(list, stopLeg, limitLeg);
  return {
    orderList: orderListView(spec, list, [stopLeg, limitLeg]),
    orderReports: [orderView(spec, stopLeg), orderView(spec, limitLeg)],
    fills: [],
  };
}
