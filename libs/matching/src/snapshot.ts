import type { EngineContext } from './context.js';
import { formatUnits, parseUnits } from './decimal.js';
import { MatchingError } from './errors.js';
import { clientKey, type SymbolMarket } from './market.js';
import { OrderList } from './order-list.js';
import type { PriceLevel } from './order-book.js';
import { Order, isOpen } from './order.js';
import { compileSymbol, type SymbolSpec } from './symbol-spec.js';
import { TradeRecord } from './trade-record.js';
import type {
  AccountSnapshot,
  EngineSnapshot,
  OrderListRecord,
  OrderRecord,
  SymbolSnapshot,
  TradeRecordJson,
} from './types.js';

function orderRecord(o: Order, place: OrderRecord['place']): OrderRecord {
  return {
    place,
    accountId: o.accountId,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    priceTicks: o.priceTicks,
    stopTicks: o.stopTicks,
    qtyLots: o.qtyLots,
    filledLots: o.filledLots,
    quoteOrderQty: o.quoteOrderQty.toString(),
    cumQuote: o.cumQuote.toString(),
    locked: o.locked.toString(),
    makerFee: o.makerFee.toString(),
    takerFee: o.takerFee.toString(),
    status: o.status,
    time: o.time,
    updateTime: o.updateTime,
    workingTime: o.workingTime,
    isWorking: o.isWorking,
    stp: o.stp,
    preventedMatchId: o.preventedMatchId,
    preventedLots: o.preventedLots,
    ...(o.trailingDelta > 0
      ? { trailingDelta: o.trailingDelta, trailingTime: o.trailingTime, trailBestTicks: o.trailBestTicks }
      : {}),
  };
}

function tradeJson(t: TradeRecord): TradeRecordJson {
  return {
    ...t,
    quote: t.quote.toString(),
    buyerCommission: t.buyerCommission.toString(),
    sellerCommission: t.sellerCommission.toString(),
  };
}

function tradeFromJson(j: TradeRecordJson): TradeRecord {
  return new TradeRecord(
    j.id,
    j.priceTicks,
    j.qtyLots,
    BigInt(j.quote),
    j.time,
    j.buyerAccountId,
    j.sellerAccountId,
    j.buyerOrderId,
    j.sellerOrderId,
    j.buyerOrderListId,
    j.sellerOrderListId,
    BigInt(j.buyerCommission),
    BigInt(j.sellerCommission),
    j.isBuyerMaker,
  );
}

function symbolSnapshot(m: SymbolMarket): SymbolSnapshot {
  const orders: OrderRecord[] = [];
  // Resting orders best level first, oldest first within a level: restoring in this order rebuilds priority.
  for (const side of [m.bids, m.asks]) {
    for (let i = side.levels.length - 1; i >= 0; i--) {
      for (let o = (side.levels[i] as PriceLevel).head; o !== null; o = o.next) orders.push(orderRecord(o, 'BOOK'));
    }
  }
  for (const o of m.stops.all()) orders.push(orderRecord(o, 'STOP'));
  for (const o of m.orders.values()) if (o.status === 'PENDING_NEW') orders.push(orderRecord(o, 'PENDING'));
  for (const id of m.closedIds) {
    const o = m.orders.get(id);
    if (o !== undefined && !isOpen(o)) orders.push(orderRecord(o, 'DONE'));
  }
  const lists: OrderListRecord[] = [...m.lists.values()].map((l) => ({
    accountId: l.accountId,
    orderListId: l.orderListId,
    listClientOrderId: l.listClientOrderId,
    orderIds: [...l.orderIds],
    contingencyType: l.contingencyType,
    workingId: l.workingId,
    ocoIds: [...l.ocoIds],
    listStatusType: l.listStatusType,
    listOrderStatus: l.listOrderStatus,
    transactionTime: l.transactionTime,
  }));
  const accountTrades: Record<string, TradeRecordJson[]> = {};
  for (const [accountId, trades] of m.accountTrades) accountTrades[accountId] = trades.map(tradeJson);
  return {
    config: { ...m.spec.config },
    nextOrderId: m.nextOrderId,
    nextTradeId: m.nextTradeId,
    nextOrderListId: m.nextOrderListId,
    nextPreventedMatchId: m.nextPreventedMatchId,
    updateId: m.updateId,
    lastTicks: m.lastTicks,
    closedIds: [...m.closedIds],
    orders,
    orderLists: lists,
    trades: m.tape.map(tradeJson),
    accountTrades,
  };
}

export function writeSnapshot(ctx: EngineContext, markets: Map<string, SymbolMarket>): EngineSnapshot {
  const accounts: AccountSnapshot[] = [];
  for (const acct of ctx.ledger.accounts.values()) {
    const balances: Record<string, [string, string]> = {};
    for (const e of acct.balances.values()) balances[e.asset] = [e.free.toString(), e.locked.toString()];
    const snap: AccountSnapshot = { accountId: acct.accountId, balances };
    if (acct.makerFee !== undefined && acct.takerFee !== undefined) {
      snap.feeRates = { makerFeeRate: formatUnits(acct.makerFee, 0), takerFeeRate: formatUnits(acct.takerFee, 0) };
    }
    accounts.push(snap);
  }
  return { version: 1, accounts, symbols: [...markets.values()].map(symbolSnapshot) };
}

function invalid(message: string, value: unknown, cause?: unknown): never {
  throw new MatchingError('INVALID_SNAPSHOT', `snapshot: ${message}`, value, { cause });
}

export function readSnapshot(
  snapshot: EngineSnapshot,
  ctx: EngineContext,
  markets: Map<string, SymbolMarket>,
  newMarket: (spec: SymbolSpec) => SymbolMarket,
): void {
  if (snapshot === null || typeof snapshot !== 'object' || snapshot.version !== 1) {
    invalid('expected an object with version 1', (snapshot as { version?: unknown } | null)?.version);
  }
  try {
    const ledger = ctx.ledger;
    for (const a of snapshot.accounts) {
      const acct = ledger.account(a.accountId);
      for (const [asset, [free, locked]] of Object.entries(a.balances)) {
        const e = ledger.entry(a.accountId, asset);
        e.free = BigInt(free);
        e.locked = BigInt(locked);
      }
      if (a.feeRates !== undefined) {
        acct.makerFee = parseRate(a.feeRates.makerFeeRate);
        acct.takerFee = parseRate(a.feeRates.takerFeeRate);
      }
    }
    for (const s of snapshot.symbols) {
      const market = newMarket(compileSymbol(s.config));
      markets.set(market.spec.symbol, market);
      restoreSymbol(market, s, ctx);
    }
  } catch (err) {
    if (err instanceof MatchingError) throw err;
    invalid('malformed content', undefined, err);
  }
}

function parseRate(text: string): bigint {
  const u = parseUnits(text);
  if (u === undefined) invalid('a fee rate is not a decimal string', text);
  return u;
}

function restoreSymbol(m: SymbolMarket, s: SymbolSnapshot, ctx: EngineContext): void {
  const spec = m.spec;
  m.nextOrderId = s.nextOrderId;
  m.nextTradeId = s.nextTradeId;
  m.nextOrderListId = s.nextOrderListId;
  m.nextPreventedMatchId = s.nextPreventedMatchId;
  m.updateId = s.updateId;
  m.lastTicks = s.lastTicks;
  // A snapshot keeps the last trade price only: a quote's touch as trigger reference is not restored.
  m.riseTicks = m.fallTicks = s.lastTicks;
  const ledger = ctx.ledger;
  for (const r of s.orders) {
    const buy = r.side === 'BUY';
    const o = new Order(
      r.accountId,
      r.orderId,
      r.clientOrderId === m.autoPrefix + r.orderId ? null : r.clientOrderId,
      m.autoPrefix,
      r.side,
      r.type,
      r.timeInForce,
      r.priceTicks,
      r.stopTicks,
      r.qtyLots,
      BigInt(r.quoteOrderQty),
      r.stp,
      r.time,
      ledger.entry(r.accountId, buy ? spec.quoteAsset : spec.baseAsset),
      ledger.entry(r.accountId, buy ? spec.baseAsset : spec.quoteAsset),
    );
    o.orderListId = r.orderListId;
    o.filledLots = r.filledLots;
    o.cumQuote = BigInt(r.cumQuote);
    o.locked = BigInt(r.locked);
    o.makerFee = BigInt(r.makerFee);
    o.takerFee = BigInt(r.takerFee);
    o.status = r.status;
    o.updateTime = r.updateTime;
    o.workingTime = r.workingTime;
    o.isWorking = r.isWorking;
    o.preventedMatchId = r.preventedMatchId;
    o.preventedLots = r.preventedLots;
    o.trailingDelta = r.trailingDelta ?? 0;
    o.trailingTime = r.trailingTime ?? -1;
    o.trailBestTicks = r.trailBestTicks ?? 0;
    m.orders.set(o.orderId, o);
    if (r.place === 'BOOK') (buy ? m.bids : m.asks).add(o);
    else if (r.place === 'STOP') m.stops.add(o);
  }
  // The client-id index points at the latest order of each id: rebuild it in order-id order.
  for (const o of [...m.orders.values()].sort((a, b) => a.orderId - b.orderId)) m.register(o);
  m.closedIds = [...s.closedIds];
  for (const l of s.orderLists) {
    if (l.orderIds.length < 2) invalid('an order list needs two order ids', l.orderListId);
    // Older snapshots hold OCOs only: both legs cancel each other.
    const list = new OrderList(
      l.accountId,
      l.orderListId,
      l.listClientOrderId,
      l.contingencyType ?? 'OCO',
      [...l.orderIds],
      l.transactionTime,
      l.workingId ?? -1,
      [...(l.ocoIds ?? l.orderIds)],
    );
    list.listStatusType = l.listStatusType;
    list.listOrderStatus = l.listOrderStatus;
    m.lists.set(list.orderListId, list);
    m.listsByClientId.set(clientKey(list.accountId, list.listClientOrderId), list);
  }
  m.tape = s.trades.map(tradeFromJson);
  // Trades shared by the tape and accounts become separate objects again; nothing compares them by identity.
  for (const [accountId, trades] of Object.entries(s.accountTrades))
    m.accountTrades.set(accountId, trades.map(tradeFromJson));
}
