import { ListStatusEvent, OrderListStatus } from '@bourse/contracts';
import { z } from 'zod';

// Raw Binance Spot payloads as documented. Objects strip unknown fields instead of failing, so a
// field Binance adds tomorrow does not stop trading; a missing or mistyped field we rely on does.
// Decimals stay strings; ids arrive as JSON numbers and are turned into strings in parse.ts.

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal string' });
const Id = z.number().int();
const Ms = z.number().int().nonnegative();
const Level = z.tuple([Dec, Dec]).rest(z.unknown());

export const BinanceErrorBody = z.object({ code: z.number().int(), msg: z.string() });
export type BinanceErrorBody = z.infer<typeof BinanceErrorBody>;

export const ServerTime = z.object({ serverTime: Ms });

export const RateLimitInterval = z.enum(['SECOND', 'MINUTE', 'HOUR', 'DAY']);
export type RateLimitInterval = z.infer<typeof RateLimitInterval>;

export const RateLimitRule = z.object({
  rateLimitType: z.enum(['REQUEST_WEIGHT', 'ORDERS', 'RAW_REQUESTS', 'CONNECTIONS']),
  interval: RateLimitInterval,
  intervalNum: z.number().int().positive(),
  limit: z.number().int().positive(),
  /** Present in WS-API responses: usage in the current window. */
  count: z.number().int().nonnegative().optional(),
});
export type RateLimitRule = z.infer<typeof RateLimitRule>;

/** A filter as published; known ones are read in parse.ts, unknown ones are kept as they are. */
export const SymbolFilter = z.looseObject({ filterType: z.string() });
export type SymbolFilter = z.infer<typeof SymbolFilter>;

export const SymbolInfo = z.object({
  symbol: z.string().min(1),
  status: z.string(),
  baseAsset: z.string().min(1),
  baseAssetPrecision: z.number().int().optional(),
  quoteAsset: z.string().min(1),
  quoteAssetPrecision: z.number().int().optional(),
  orderTypes: z.array(z.string()),
  isSpotTradingAllowed: z.boolean().optional(),
  filters: z.array(SymbolFilter),
  permissions: z.array(z.string()).optional(),
});
export type SymbolInfo = z.infer<typeof SymbolInfo>;

export const ExchangeInfo = z.object({
  timezone: z.string().optional(),
  serverTime: Ms.optional(),
  rateLimits: z.array(RateLimitRule),
  exchangeFilters: z.array(SymbolFilter).default([]),
  // Checked one by one in parse.ts: one odd symbol must not hide the others.
  symbols: z.array(z.looseObject({ symbol: z.string() })),
});
export type ExchangeInfo = z.infer<typeof ExchangeInfo>;

export const DepthSnapshot = z.object({
  lastUpdateId: Id,
  bids: z.array(Level),
  asks: z.array(Level),
});
export type DepthSnapshot = z.infer<typeof DepthSnapshot>;

export const DepthUpdateEvent = z.object({
  e: z.literal('depthUpdate'),
  E: Ms,
  s: z.string(),
  U: Id,
  u: Id,
  b: z.array(Level),
  a: z.array(Level),
});
export type DepthUpdateEvent = z.infer<typeof DepthUpdateEvent>;

export const TradeEvent = z.object({
  e: z.literal('trade'),
  E: Ms,
  s: z.string(),
  t: Id,
  p: Dec,
  q: Dec,
  T: Ms,
  /** Buyer is the maker, i.e. the taker sold. */
  m: z.boolean(),
});
export type TradeEvent = z.infer<typeof TradeEvent>;

export const BookTickerEvent = z.object({
  u: Id,
  s: z.string(),
  b: Dec,
  B: Dec,
  a: Dec,
  A: Dec,
});
export type BookTickerEvent = z.infer<typeof BookTickerEvent>;

/** `{ stream, data }` as the combined-stream endpoint wraps every event. */
export const CombinedStreamFrame = z.object({ stream: z.string(), data: z.unknown() });

export const OrderFill = z.object({
  price: Dec,
  qty: Dec,
  commission: Dec,
  commissionAsset: z.string(),
  tradeId: Id,
});

/** POST /api/v3/order and `order.place` with newOrderRespType RESULT or FULL. */
export const OrderResponse = z.object({
  symbol: z.string(),
  orderId: Id,
  clientOrderId: z.string(),
  transactTime: Ms,
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  cummulativeQuoteQty: Dec,
  status: z.string(),
  timeInForce: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: Dec.optional(),
  workingTime: z.number().int().optional(),
  fills: z.array(OrderFill).optional(),
});
export type OrderResponse = z.infer<typeof OrderResponse>;

/** GET /api/v3/order, GET /api/v3/openOrders and `order.status`. */
export const QueriedOrder = z.object({
  symbol: z.string(),
  orderId: Id,
  clientOrderId: z.string(),
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  cummulativeQuoteQty: Dec,
  status: z.string(),
  timeInForce: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: Dec.optional(),
  time: Ms,
  updateTime: Ms,
  isWorking: z.boolean().optional(),
});
export type QueriedOrder = z.infer<typeof QueriedOrder>;

/** DELETE /api/v3/order and `order.cancel`. */
export const CanceledOrder = z.object({
  symbol: z.string(),
  origClientOrderId: z.string(),
  orderId: Id,
  clientOrderId: z.string(),
  transactTime: Ms.optional(),
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  cummulativeQuoteQty: Dec,
  status: z.string(),
  timeInForce: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: Dec.optional(),
});
export type CanceledOrder = z.infer<typeof CanceledOrder>;

/** GET /api/v3/myTrades. */
export const AccountTrade = z.object({
  symbol: z.string(),
  id: Id,
  orderId: Id,
  price: Dec,
  qty: Dec,
  quoteQty: Dec,
  commission: Dec,
  commissionAsset: z.string(),
  time: Ms,
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});
export type AccountTrade = z.infer<typeof AccountTrade>;

export const AccountInfo = z.object({
  canTrade: z.boolean().optional(),
  updateTime: Ms.optional(),
  balances: z.array(z.object({ asset: z.string(), free: Dec, locked: Dec })),
});
export type AccountInfo = z.infer<typeof AccountInfo>;

export const ListenKey = z.object({ listenKey: z.string().min(1) });

// ------------------------------------------------------------------ user data stream events

export const ExecutionReport = z.object({
  e: z.literal('executionReport'),
  E: Ms,
  /** Expiry reason, on EXPIRED reports (OCO_TRIGGER, OTO_PHASE_ONE_EXPIRED, UNFILLED_IOC_QUANTITY_EXPIRED, …). */
  eR: z.string().optional(),
  s: z.string(),
  /** Client order id; for a cancel, the id of the cancel request. */
  c: z.string(),
  S: z.string(),
  o: z.string(),
  f: z.string(),
  q: Dec,
  p: Dec,
  P: Dec,
  x: z.string(),
  X: z.string(),
  r: z.string(),
  i: Id,
  l: Dec,
  z: Dec,
  L: Dec,
  n: Dec,
  N: z.string().nullable(),
  T: Ms,
  /** -1 when the event is not a trade. */
  t: Id,
  m: z.boolean(),
  O: Ms,
  Z: Dec,
  /** Original client order id: set on cancels, empty otherwise. */
  C: z.string().optional(),
});
export type ExecutionReport = z.infer<typeof ExecutionReport>;

export const OutboundAccountPosition = z.object({
  e: z.literal('outboundAccountPosition'),
  E: Ms,
  u: Ms,
  B: z.array(z.object({ a: z.string(), f: Dec, l: Dec })),
});
export type OutboundAccountPosition = z.infer<typeof OutboundAccountPosition>;

export const BalanceUpdate = z.object({
  e: z.literal('balanceUpdate'),
  E: Ms,
  a: z.string(),
  d: Dec,
  T: Ms,
});
export type BalanceUpdate = z.infer<typeof BalanceUpdate>;

export const EventStreamTerminated = z.object({ e: z.literal('eventStreamTerminated'), E: Ms });
export const ListenKeyExpired = z.object({ e: z.literal('listenKeyExpired'), E: Ms });

/** Order list responses (place, cancel): the list, as `@bourse/contracts` defines it, with the legs' reports. */
export const ListOrderReport = z.looseObject({
  symbol: z.string(),
  orderId: z.number().int(),
  orderListId: z.number().int(),
  clientOrderId: z.string(),
  status: z.string(),
  type: z.string(),
  side: z.string(),
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  stopPrice: Dec.optional(),
  trailingDelta: z.number().int().optional(),
});
export type ListOrderReport = z.infer<typeof ListOrderReport>;

export const OrderListResponse = OrderListStatus.extend({ orderReports: z.array(ListOrderReport) });
export type OrderListResponse = z.infer<typeof OrderListResponse>;

export const UserDataStreamEvent = z.discriminatedUnion('e', [
  ExecutionReport,
  ListStatusEvent,
  OutboundAccountPosition,
  BalanceUpdate,
  EventStreamTerminated,
  ListenKeyExpired,
]);
export type UserDataStreamEvent = z.infer<typeof UserDataStreamEvent>;

// ------------------------------------------------------------------ WebSocket API envelopes

export const WsApiResponse = z.object({
  id: z.union([z.string(), z.number()]).nullable(),
  status: z.number().int(),
  result: z.unknown().optional(),
  error: z.looseObject({ code: z.number().int(), msg: z.string() }).optional(),
  rateLimits: z.array(RateLimitRule).optional(),
});
export type WsApiResponse = z.infer<typeof WsApiResponse>;

/** A pushed user-data event on a WS-API connection: `{ subscriptionId, event }`. */
export const WsApiEventFrame = z.object({
  subscriptionId: z.number().int().optional(),
  event: z.looseObject({ e: z.string() }),
});
