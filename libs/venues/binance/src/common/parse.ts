import {
  listStatusFromEvent,
  BookDelta,
  BookSnapshot,
  ClientOrderId,
  decodeMessage,
  EventId,
  FeedStatus,
  FillEvent,
  OrderStatusUpdate,
  Quote,
  Trade,
  VenueFillId,
  VenueOrderId,
  type DecimalString,
  type FeedState,
  type InstrumentSymbol,
  type OrderStatus,
  type OrderStyle,
  type Side,
  type TimeInForce,
  type VenueId,
} from '@bourse/contracts';
import { binanceSymbolToInstrument, dec, Decimal, type InstrumentRegistry, type InstrumentSpec } from '@bourse/domain';
import {
  VenueError,
  VenueErrorCode,
  type Balance,
  type UserDataEvent,
  type VenueOrder,
  type VenueTrade,
} from '@bourse/venues';
import type {
  AccountInfo,
  AccountTrade,
  BookTickerEvent,
  CanceledOrder,
  DepthSnapshot,
  DepthUpdateEvent,
  ExchangeInfo,
  ExecutionReport,
  OrderResponse,
  QueriedOrder,
  TradeEvent,
  UserDataStreamEvent,
} from './models.js';
import { SymbolInfo } from './models.js';

// Venue → Bourse conversion. One table per enum; an unknown venue value is a typed error, never
// a silent default. Contract messages are checked against their schema before they leave here.

function malformed(message: string, cause?: unknown): VenueError {
  return new VenueError('non-retryable', VenueErrorCode.MALFORMED_RESPONSE, message, { cause });
}

/** Venue symbol → internal symbol through the registry; a symbol not in exchangeInfo is a malformed payload. */
export function internalSymbol(registry: InstrumentRegistry, venueSymbol: string): InstrumentSymbol {
  const spec = registry.byVenueSymbol(venueSymbol);
  if (spec === undefined) throw malformed(`venue symbol ${venueSymbol} is not in exchangeInfo`);
  return spec.symbol;
}

/** Internal symbol → venue symbol; an unknown instrument is the caller's mistake. */
export function venueSymbol(registry: InstrumentRegistry, symbol: InstrumentSymbol): string {
  const spec = registry.get(symbol);
  if (spec === undefined) {
    throw new VenueError(
      'non-retryable',
      VenueErrorCode.INVALID_REQUEST,
      `unknown instrument ${symbol} (not in exchangeInfo)`,
    );
  }
  return spec.venueSymbol;
}

function contract<T>(name: string, schema: { safeParse(v: unknown): { success: boolean } }, value: T): T {
  try {
    decodeMessage(name, schema as never, value);
  } catch (err) {
    throw malformed(`the venue's payload does not make a valid ${name}`, err);
  }
  return value;
}

const ORDER_STATUS: Readonly<Record<string, OrderStatus>> = {
  PENDING_NEW: 'pending-new',
  NEW: 'new',
  PARTIALLY_FILLED: 'partially-filled',
  FILLED: 'filled',
  PENDING_CANCEL: 'pending-cancel',
  CANCELED: 'canceled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  // Expired by self-trade prevention: terminal, like EXPIRED.
  EXPIRED_IN_MATCH: 'expired',
};

export function mapOrderStatus(venueStatus: string): OrderStatus {
  const status = ORDER_STATUS[venueStatus];
  if (status === undefined) throw malformed(`unknown Binance order status ${venueStatus}`);
  return status;
}

const STYLE_TO_TYPE: Readonly<Record<OrderStyle, string>> = {
  market: 'MARKET',
  limit: 'LIMIT',
  'limit-maker': 'LIMIT_MAKER',
  stop: 'STOP_LOSS',
  'stop-limit': 'STOP_LOSS_LIMIT',
};

const TYPE_TO_STYLE: Readonly<Record<string, OrderStyle>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit-maker',
  STOP_LOSS: 'stop',
  STOP_LOSS_LIMIT: 'stop-limit',
  // Placed outside Bourse (Bourse never sends these): both trigger on stopPrice like a stop, so
  // reconciliation still sees them instead of failing on them.
  TAKE_PROFIT: 'stop',
  TAKE_PROFIT_LIMIT: 'stop-limit',
};

export function orderStyleToBinance(style: OrderStyle): string {
  return STYLE_TO_TYPE[style];
}

export function mapOrderType(venueType: string): OrderStyle {
  const style = TYPE_TO_STYLE[venueType];
  if (style === undefined) throw malformed(`unknown Binance order type ${venueType}`);
  return style;
}

/** Binance reports time-in-force on every order; it only means something for limit styles. */
export function mapTimeInForce(venueTif: string, style: OrderStyle): TimeInForce | undefined {
  if (style !== 'limit' && style !== 'stop-limit') return undefined;
  if (venueTif === 'GTC' || venueTif === 'IOC' || venueTif === 'FOK') return venueTif;
  throw malformed(`unknown Binance time in force ${venueTif}`);
}

export function mapSide(venueSide: string): Side {
  if (venueSide === 'BUY' || venueSide === 'SELL') return venueSide;
  throw malformed(`unknown Binance side ${venueSide}`);
}

function clientOrderId(value: string): ClientOrderId {
  const parsed = ClientOrderId.safeParse(value);
  if (!parsed.success) throw malformed(`client order id ${JSON.stringify(value)} is not a valid ClientOrderId`);
  return parsed.data;
}

const toVenueOrderId = (id: number): VenueOrderId => VenueOrderId.parse(String(id));
/** Binance trade ids are unique per symbol only. */
const toVenueFillId = (venueSym: string, id: number): VenueFillId => VenueFillId.parse(`${venueSym}:${id}`);

/** "0.10000000" → "0.1": contract schemas accept either, the canonical form compares cheaply. */
function canonical(value: string): DecimalString {
  return Decimal.parse(value).normalize().toString();
}

// ------------------------------------------------------------------ instruments

export interface ParsedInstruments {
  specs: InstrumentSpec[];
  /** Symbols left out, with why (malformed filter, assets that do not form BASE/QUOTE). */
  skipped: { venueSymbol: string; reason: string }[];
}

/** exchangeInfo → instrument specs via the domain's converter; a bad symbol is skipped, not fatal. */
export function parseExchangeInfoInstruments(info: ExchangeInfo, venue: VenueId): ParsedInstruments {
  const specs: InstrumentSpec[] = [];
  const skipped: ParsedInstruments['skipped'] = [];
  for (const raw of info.symbols) {
    const parsed = SymbolInfo.safeParse(raw);
    if (!parsed.success) {
      skipped.push({
        venueSymbol: raw.symbol,
        reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      continue;
    }
    try {
      specs.push(binanceSymbolToInstrument(parsed.data, venue));
    } catch (err) {
      skipped.push({ venueSymbol: raw.symbol, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { specs, skipped };
}

// ------------------------------------------------------------------ orders

interface OrderFields {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  timeInForce: string;
  type: string;
  side: string;
  stopPrice?: string | undefined;
}

function toVenueOrder(o: OrderFields, createdAt: number, updatedAt: number, registry: InstrumentRegistry): VenueOrder {
  const style = mapOrderType(o.type);
  return {
    symbol: internalSymbol(registry, o.symbol),
    clientOrderId: clientOrderId(o.clientOrderId),
    venueOrderId: toVenueOrderId(o.orderId),
    side: mapSide(o.side),
    style,
    timeInForce: mapTimeInForce(o.timeInForce, style),
    status: mapOrderStatus(o.status),
    venueStatus: o.status,
    price: o.price,
    stopPrice: o.stopPrice === undefined || dec(o.stopPrice).isZero() ? undefined : o.stopPrice,
    quantity: o.origQty,
    cumulativeQuantity: o.executedQty,
    cumulativeQuote: o.cummulativeQuoteQty,
    createdAt,
    updatedAt,
  };
}

export function parseOrderResponse(o: OrderResponse, registry: InstrumentRegistry): VenueOrder {
  return toVenueOrder(o, o.transactTime, o.transactTime, registry);
}

export function parseQueriedOrder(o: QueriedOrder, registry: InstrumentRegistry): VenueOrder {
  return toVenueOrder(o, o.time, o.updateTime, registry);
}

/** A cancel answer names the canceled order by origClientOrderId; clientOrderId is the cancel's own id. */
export function parseCanceledOrder(o: CanceledOrder, registry: InstrumentRegistry, now: number): VenueOrder {
  const at = o.transactTime ?? now;
  return toVenueOrder({ ...o, clientOrderId: o.origClientOrderId }, at, at, registry);
}

export function parseAccountTrade(t: AccountTrade, registry: InstrumentRegistry): VenueTrade {
  return {
    symbol: internalSymbol(registry, t.symbol),
    venueFillId: toVenueFillId(t.symbol, t.id),
    venueOrderId: toVenueOrderId(t.orderId),
    side: t.isBuyer ? 'BUY' : 'SELL',
    price: t.price,
    quantity: t.qty,
    quoteQuantity: t.quoteQty,
    commission: t.commission,
    commissionAsset: t.commissionAsset,
    liquidity: t.isMaker ? 'maker' : 'taker',
    time: t.time,
  };
}

export function parseBalances(account: AccountInfo): Balance[] {
  return account.balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked }));
}

// ------------------------------------------------------------------ market data

export function parseTradeEvent(
  t: TradeEvent,
  registry: InstrumentRegistry,
  venue: VenueId,
  receivedAt: number,
): Trade {
  return contract('Trade', Trade, {
    v: 1 as const,
    venue,
    instrument: internalSymbol(registry, t.s),
    venueTradeId: String(t.t),
    price: canonical(t.p),
    qty: canonical(t.q),
    // The buyer being the maker means the seller took liquidity.
    aggressor: t.m ? ('SELL' as const) : ('BUY' as const),
    venueTime: t.T,
    receivedAt,
  });
}

export function parseBookTicker(
  t: BookTickerEvent,
  registry: InstrumentRegistry,
  venue: VenueId,
  receivedAt: number,
): Quote {
  return contract('Quote', Quote, {
    v: 1 as const,
    venue,
    instrument: internalSymbol(registry, t.s),
    bidPrice: canonical(t.b),
    bidQty: canonical(t.B),
    askPrice: canonical(t.a),
    askQty: canonical(t.A),
    updateId: t.u,
    receivedAt,
  });
}

type Level = readonly [string, string, ...unknown[]];
const levels = (ls: readonly Level[]): [string, string][] => ls.map(([p, q]) => [canonical(p), canonical(q)]);

export function parseDepthDiff(e: DepthUpdateEvent): {
  U: number;
  u: number;
  bids: [string, string][];
  asks: [string, string][];
} {
  return { U: e.U, u: e.u, bids: levels(e.b), asks: levels(e.a) };
}

export function parseDepthSnapshot(s: DepthSnapshot): {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
} {
  return { lastUpdateId: s.lastUpdateId, bids: levels(s.bids), asks: levels(s.asks) };
}

export function toBookDelta(
  e: DepthUpdateEvent,
  instrument: InstrumentSymbol,
  venue: VenueId,
  receivedAt: number,
): BookDelta {
  return contract('BookDelta', BookDelta, {
    v: 1 as const,
    venue,
    instrument,
    firstUpdateId: e.U,
    lastUpdateId: e.u,
    bids: levels(e.b),
    asks: levels(e.a),
    venueTime: e.E,
    receivedAt,
  });
}

export function toBookSnapshot(
  book: {
    updateId: number;
    bids: readonly (readonly [string, string])[];
    asks: readonly (readonly [string, string])[];
  },
  instrument: InstrumentSymbol,
  venue: VenueId,
  receivedAt: number,
): BookSnapshot {
  return contract('BookSnapshot', BookSnapshot, {
    v: 1 as const,
    venue,
    instrument,
    lastUpdateId: book.updateId,
    bids: book.bids.map(([p, q]) => [p, q] as [string, string]),
    asks: book.asks.map(([p, q]) => [p, q] as [string, string]),
    receivedAt,
  });
}

export function toFeedStatus(
  instrument: InstrumentSymbol,
  venue: VenueId,
  state: FeedState,
  reason: string,
  changedAt: number,
): FeedStatus {
  return contract('FeedStatus', FeedStatus, {
    v: 1 as const,
    venue,
    instrument,
    state,
    ...(state !== 'live' ? { reason: reason === '' ? 'unspecified' : reason } : {}),
    changedAt,
  });
}

// ------------------------------------------------------------------ user data

/**
 * executionReport → OrderStatusUpdate, plus a FillEvent when the report is a trade. Figures come
 * straight from the venue and event ids are derived from the report, so a duplicated report
 * yields the same ids and the OMS applies it once.
 */
export function parseExecutionReport(
  r: ExecutionReport,
  registry: InstrumentRegistry,
  venue: VenueId,
): { update: OrderStatusUpdate; fill: FillEvent | undefined; executionType: string; expiryReason?: string } {
  const spec = registry.byVenueSymbol(r.s);
  if (spec === undefined) throw malformed(`venue symbol ${r.s} is not in exchangeInfo`);
  // On a cancel, `c` is the cancel request's id and `C` the order's own id.
  const ownId = clientOrderId(r.C !== undefined && r.C !== '' ? r.C : r.c);
  const filled = !dec(r.z).isZero();
  const reason = r.r !== 'NONE' && r.r !== '' ? r.r : r.x === 'TRADE_PREVENTION' ? 'TRADE_PREVENTION' : undefined;
  const update = contract('OrderStatusUpdate', OrderStatusUpdate, {
    v: 1 as const,
    type: 'order-status' as const,
    eventId: EventId.parse(`${venue}:er:${r.s}:${r.i}:${r.x}:${r.X}:${r.t}:${canonical(r.z)}`),
    venue,
    instrument: spec.symbol,
    clientOrderId: ownId,
    venueOrderId: toVenueOrderId(r.i),
    status: mapOrderStatus(r.X),
    filledQty: canonical(r.z),
    cumulativeQuoteQty: canonical(r.Z),
    ...(filled ? { avgPrice: Decimal.parse(r.Z).div(Decimal.parse(r.z), 12).normalize().toString() } : {}),
    ...(reason !== undefined ? { reason } : {}),
    venueTime: r.T,
  });
  const isTrade = r.x === 'TRADE' && r.t >= 0 && !dec(r.l).isZero();
  const fill = isTrade
    ? contract('FillEvent', FillEvent, {
        v: 1 as const,
        type: 'fill' as const,
        eventId: EventId.parse(`${venue}:fill:${r.s}:${r.t}`),
        venue,
        venueFillId: toVenueFillId(r.s, r.t),
        clientOrderId: ownId,
        venueOrderId: toVenueOrderId(r.i),
        instrument: spec.symbol,
        side: mapSide(r.S),
        qty: canonical(r.l),
        price: canonical(r.L),
        fee: canonical(r.n),
        // Binance sends null when nothing was charged; the fee is then 0 of the quote asset.
        feeAsset: r.N ?? spec.quote,
        liquidity: r.m ? ('maker' as const) : ('taker' as const),
        venueTime: r.T,
      })
    : undefined;
  return { update, fill, executionType: r.x, ...(r.eR !== undefined ? { expiryReason: r.eR } : {}) };
}

/** A user-data event → Bourse's event; undefined for events that carry nothing for Bourse. */
export function parseUserDataEvent(
  e: UserDataStreamEvent,
  registry: InstrumentRegistry,
  venue: VenueId,
): UserDataEvent | undefined {
  switch (e.e) {
    case 'executionReport':
      return { kind: 'order', ...parseExecutionReport(e, registry, venue) };
    case 'outboundAccountPosition':
      return { kind: 'balances', balances: e.B.map((b) => ({ asset: b.a, free: b.f, locked: b.l })), time: e.u };
    case 'balanceUpdate':
      return { kind: 'balance-delta', asset: e.a, delta: e.d, time: e.T };
    case 'listStatus':
      return { kind: 'list-status', list: listStatusFromEvent(e), time: e.E };
    case 'eventStreamTerminated':
    case 'listenKeyExpired':
      return undefined;
  }
}
