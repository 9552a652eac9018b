import type { Clock } from '@bourse/domain';
import type { MatchingError } from './errors.js';

// Public types of the matching engine. The vocabulary is Binance Spot's on purpose: the exchange
// simulator maps these shapes 1:1 onto Binance's REST and WebSocket JSON, so names and values
// (status strings, `cummulativeQuoteQty` with its historical spelling, -1 for "none") follow it.

/** Decimal numbers cross the engine boundary as plain strings: "30000.01", "0.00100000". */
export type Decimal = string;

/** The one time source, declared in @bourse/domain. */
export type { Clock };

export type OrderSide = 'BUY' | 'SELL';
export type OrderType =
  'MARKET' | 'LIMIT' | 'LIMIT_MAKER' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** `PENDING_NEW`: a pending leg of an OTO/OTOCO list, not on the book until its working leg has filled. */
export type OrderStatus =
  'PENDING_NEW' | 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';
export type SelfTradePreventionMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';
/** `REPLACED` is part of Binance's vocabulary but, as on Binance, a cancel-replace reports CANCELED then NEW. */
export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'EXPIRED' | 'TRADE_PREVENTION';
export type BookSide = 'BID' | 'ASK';

/** One tradable pair. Every decimal is a string; tick and step sizes define the integer grids. */
export interface SymbolConfig {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: Decimal;
  stepSize: Decimal;
  minQty: Decimal;
  maxQty: Decimal;
  /** Minimum price × quantity of an order (Binance's NOTIONAL / MIN_NOTIONAL filter). "0" disables it. */
  minNotional: Decimal;
  /** Default commission rates, e.g. "0.001" for 0.1 %. Accounts may override them. */
  makerFeeRate: Decimal;
  takerFeeRate: Decimal;
}

export interface EngineOptions {
  clock: Clock;
  /** Account that receives every commission, so that asset totals are conserved. */
  feeAccountId?: string;
  /** STP mode of orders that do not name one (Binance's exchangeInfo `defaultSelfTradePreventionMode`). */
  defaultSelfTradePreventionMode?: SelfTradePreventionMode;
  /** Closed orders kept per symbol for queries; the oldest are forgotten beyond this (bounded memory). */
  maxClosedOrdersPerSymbol?: number;
  /** Account trades kept per account and symbol for `myTrades`. */
  maxAccountTradesPerSymbol?: number;
  /** Public trades kept per symbol for `recentTrades`. */
  maxRecentTrades?: number;
  /**
   * What stop orders trigger on. `trades` (default, Binance): the engine's own last trade price (and
   * market data applied with `applyMarketTrade` / `applyMarketQuote`). `market-data`: only market data
   * applied from outside — for a replay (a backtest) whose book holds synthetic liquidity, where the
   * engine's own trades against it are not the market's price.
   */
  stopTriggers?: 'trades' | 'market-data';
  /**
   * A stop order whose trigger the market has already reached when it is placed: `reject` (default,
   * Binance's `WOULD_TRIGGER`) or `trigger` (accepted and triggered at once, as many venues do).
   */
  stopAlreadyReached?: 'reject' | 'trigger';
  /** Receives every state change, synchronously, in order. Leave unset in backtests that need raw speed. */
  onEvent?: EngineListener;
}

export type EngineListener = (event: EngineEvent) => void;

export interface NewOrderRequest {
  accountId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  timeInForce?: TimeInForce;
  quantity?: Decimal;
  /** MARKET only: spend (BUY) or receive (SELL) this much quote asset instead of a base quantity. */
  quoteOrderQty?: Decimal;
  price?: Decimal;
  stopPrice?: Decimal;
  /**
   * Trailing stop distance in BIPS (STOP_LOSS(_LIMIT), TAKE_PROFIT(_LIMIT) only). With a stopPrice the
   * order starts tracking once the stop price is reached; without, at once from the last price.
   */
  trailingDelta?: number;
  /** Generated deterministically from the order id when absent. */
  newClientOrderId?: string;
  selfTradePreventionMode?: SelfTradePreventionMode;
}

/** Identifies one order of an account: by `orderId`, or by `origClientOrderId` (among open orders first). */
export interface OrderRef {
  accountId: string;
  symbol: string;
  orderId?: number;
  origClientOrderId?: string;
}

export interface CancelOrderRequest extends OrderRef {
  /** Client id of the cancel itself, reported as the order's `clientOrderId` in the CANCELED report. */
  newClientOrderId?: string;
}

export type CancelReplaceMode = 'STOP_ON_FAILURE' | 'ALLOW_FAILURE';

export interface CancelReplaceRequest extends Omit<NewOrderRequest, 'accountId' | 'symbol'> {
  accountId: string;
  symbol: string;
  cancelReplaceMode: CancelReplaceMode;
  cancelOrderId?: number;
  cancelOrigClientOrderId?: string;
  cancelNewClientOrderId?: string;
}

/** Binance's legacy OCO: a LIMIT_MAKER leg at `price` and a stop leg at `stopPrice` (limit when `stopLimitPrice`). */
export interface NewOcoRequest {
  accountId: string;
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  price: Decimal;
  stopPrice: Decimal;
  stopLimitPrice?: Decimal;
  stopLimitTimeInForce?: TimeInForce;
  listClientOrderId?: string;
  limitClientOrderId?: string;
  stopClientOrderId?: string;
  selfTradePreventionMode?: SelfTradePreventionMode;
}

/** One leg of an order list: its type and prices; side and quantity come from the list or the leg. */
export interface OrderListLegRequest {
  type: OrderType;
  price?: Decimal;
  stopPrice?: Decimal;
  trailingDelta?: number;
  timeInForce?: TimeInForce;
  clientOrderId?: string;
}

/** A leg with its own side and quantity (OTO legs, the OTOCO working leg). */
export interface SidedLegRequest extends OrderListLegRequest {
  side: OrderSide;
  quantity: Decimal;
}

/**
 * Binance's orderList/oco: an `above` and a `below` leg of one side and quantity; one is STOP_LOSS(_LIMIT),
 * the other LIMIT_MAKER or TAKE_PROFIT(_LIMIT). Which is which is the caller's check (Binance's -1165..-1199).
 */
export interface NewOcoListRequest {
  accountId: string;
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  above: OrderListLegRequest;
  below: OrderListLegRequest;
  listClientOrderId?: string;
  selfTradePreventionMode?: SelfTradePreventionMode;
}

/** Binance's orderList/oto: the pending leg is placed once the working leg (LIMIT / LIMIT_MAKER) has fully filled. */
export interface NewOtoRequest {
  accountId: string;
  symbol: string;
  working: SidedLegRequest;
  pending: SidedLegRequest;
  listClientOrderId?: string;
  selfTradePreventionMode?: SelfTradePreventionMode;
}

/** Binance's orderList/otoco: a working leg, then an OCO pair placed once it has fully filled. */
export interface NewOtocoRequest {
  accountId: string;
  symbol: string;
  working: SidedLegRequest;
  pendingSide: OrderSide;
  pendingQuantity: Decimal;
  pendingAbove: OrderListLegRequest;
  pendingBelow: OrderListLegRequest;
  listClientOrderId?: string;
  selfTradePreventionMode?: SelfTradePreventionMode;
}

export interface OrderListRef {
  accountId: string;
  symbol: string;
  orderListId?: number;
  listClientOrderId?: string;
}

/** An order as Binance's GET /api/v3/order shows it, plus the owning account. */
export interface OrderView {
  accountId: string;
  symbol: string;
  orderId: number;
  /** -1 unless the order belongs to an OCO. */
  orderListId: number;
  clientOrderId: string;
  price: Decimal;
  origQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: OrderStatus;
  timeInForce: TimeInForce;
  type: OrderType;
  side: OrderSide;
  stopPrice: Decimal;
  icebergQty: Decimal;
  time: number;
  updateTime: number;
  /** False for a stop order that has not triggered yet. */
  isWorking: boolean;
  /** When the order started working on the book; -1 while an untriggered stop. */
  workingTime: number;
  origQuoteOrderQty: Decimal;
  selfTradePreventionMode: SelfTradePreventionMode;
  /** Present once the order took part in a prevented self-trade. */
  preventedMatchId?: number;
  preventedQuantity?: Decimal;
  /** Trailing stops only: the delta in BIPS and when tracking started (-1 before). */
  trailingDelta?: number;
  trailingTime?: number;
}

/** One fill of an order, as in Binance's FULL order response. */
export interface Fill {
  price: Decimal;
  qty: Decimal;
  commission: Decimal;
  commissionAsset: string;
  tradeId: number;
}

export interface PlaceOrderResult {
  order: OrderView;
  fills: Fill[];
}

/** An account's own trade, as GET /api/v3/myTrades shows it. */
export interface AccountTrade {
  accountId: string;
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: Decimal;
  qty: Decimal;
  quoteQty: Decimal;
  commission: Decimal;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

/** A public trade, as GET /api/v3/trades shows it. */
export interface PublicTrade {
  id: number;
  price: Decimal;
  qty: Decimal;
  quoteQty: Decimal;
  time: number;
  isBuyerMaker: boolean;
  isBestMatch: boolean;
}

export interface Balance {
  asset: string;
  free: Decimal;
  locked: Decimal;
}

export interface FeeRates {
  makerFeeRate: Decimal;
  takerFeeRate: Decimal;
}

export interface DepthView {
  lastUpdateId: number;
  /** [price, quantity] pairs, best first. */
  bids: [Decimal, Decimal][];
  asks: [Decimal, Decimal][];
}

export interface BookTicker {
  symbol: string;
  bidPrice: Decimal;
  bidQty: Decimal;
  askPrice: Decimal;
  askQty: Decimal;
}

export type ListStatusType = 'RESPONSE' | 'EXEC_STARTED' | 'ALL_DONE';
export type ListOrderStatus = 'EXECUTING' | 'ALL_DONE' | 'REJECT';

/** An OCO is `OCO`; an OTO and an OTOCO are both `OTO`, as Binance reports them. */
export type ContingencyType = 'OCO' | 'OTO';

export interface OrderListView {
  accountId: string;
  orderListId: number;
  contingencyType: ContingencyType;
  listStatusType: ListStatusType;
  listOrderStatus: ListOrderStatus;
  listClientOrderId: string;
  transactionTime: number;
  symbol: string;
  orders: { symbol: string; orderId: number; clientOrderId: string }[];
}

export interface OcoResult {
  orderList: OrderListView;
  orderReports: OrderView[];
  /** Fills of either leg that traded at once (rare: a LIMIT_MAKER never takes, so normally empty). */
  fills: Fill[];
}

export type CancelReplaceOutcome = 'SUCCESS' | 'FAILURE' | 'NOT_ATTEMPTED';

/** The engine's answer to a cancel-replace; the sim maps a FAILURE to Binance's -2021 / -2022 bodies. */
export interface CancelReplaceResult {
  cancelResult: CancelReplaceOutcome;
  newOrderResult: CancelReplaceOutcome;
  cancelResponse?: OrderView;
  cancelError?: MatchingError;
  newOrderResponse?: PlaceOrderResult;
  newOrderError?: MatchingError;
}

// ---- Events -------------------------------------------------------------------------------------

/**
 * Why an order expired (Binance's executionReport `eR`): the other leg of its OCO pair triggered or traded
 * (`OCO_TRIGGER`), its list's working leg ended unfilled (`OTO_PHASE_ONE_EXPIRED`), the engine could not
 * place it when it became due (`REJECTED`: a pending or triggered leg without funds, a LIMIT_MAKER that
 * would take), an IOC or FOK remainder, or a market order the book could not fill.
 */
export type ExpiryReason =
  | 'OCO_TRIGGER'
  | 'OTO_PHASE_ONE_EXPIRED'
  | 'REJECTED'
  | 'UNFILLED_IOC_QUANTITY_EXPIRED'
  | 'UNFILLED_FOK_ORDER_EXPIRED'
  | 'INSUFFICIENT_LIQUIDITY';

/** One change of one order: Binance's `executionReport`. */
export interface ExecutionReportEvent {
  type: 'executionReport';
  eventTime: number;
  accountId: string;
  /** The order after the change (a copy; safe to keep). */
  order: OrderView;
  execType: ExecutionType;
  /** For CANCELED reports: the id of the cancel request, Binance's `c` while `C` is the original id. */
  cancelClientOrderId?: string;
  /** For EXPIRED reports: why (Binance's `eR`). */
  expiryReason?: ExpiryReason;
  lastExecutedQty: Decimal;
  lastExecutedPrice: Decimal;
  lastQuoteQty: Decimal;
  commission: Decimal;
  commissionAsset: string | null;
  /** -1 unless execType is TRADE. */
  tradeId: number;
  isMaker: boolean;
  transactionTime: number;
}

/** A public trade on the tape: Binance's `trade` stream. */
export interface TradeEvent {
  type: 'trade';
  eventTime: number;
  symbol: string;
  tradeId: number;
  price: Decimal;
  qty: Decimal;
  quoteQty: Decimal;
  buyerOrderId: number;
  sellerOrderId: number;
  isBuyerMaker: boolean;
  tradeTime: number;
}

/**
 * One price level changed. `updateId` increases by one per change per symbol, so a consumer can
 * group the levels changed by one engine call into a Binance `depthUpdate` (U = first, u = last).
 * `qty` "0" means the level is gone.
 */
export interface BookLevelEvent {
  type: 'bookLevel';
  eventTime: number;
  symbol: string;
  updateId: number;
  side: BookSide;
  price: Decimal;
  qty: Decimal;
}

/** An account's balance of one asset after a change (Binance's `outboundAccountPosition`, per asset). */
export interface BalanceEvent {
  type: 'balance';
  eventTime: number;
  accountId: string;
  asset: string;
  free: Decimal;
  locked: Decimal;
}

/** An order list started or ended: Binance's `listStatus`. */
export interface ListStatusEvent {
  type: 'listStatus';
  eventTime: number;
  orderList: OrderListView;
}

export type EngineEvent = ExecutionReportEvent | TradeEvent | BookLevelEvent | BalanceEvent | ListStatusEvent;

// ---- Snapshot -----------------------------------------------------------------------------------

/** The whole engine state as plain JSON (every bigint written as a decimal string of its integer). */
export interface EngineSnapshot {
  version: 1;
  symbols: SymbolSnapshot[];
  accounts: AccountSnapshot[];
}

export interface SymbolSnapshot {
  config: SymbolConfig;
  nextOrderId: number;
  nextTradeId: number;
  nextOrderListId: number;
  nextPreventedMatchId: number;
  updateId: number;
  /** Last trade price in ticks; 0 before the first trade. */
  lastTicks: number;
  /** Retained closed orders, oldest first. */
  closedIds: number[];
  /** Resting orders in book priority (bids then asks, best level first), then stops, then closed orders. */
  orders: OrderRecord[];
  orderLists: OrderListRecord[];
  trades: TradeRecordJson[];
  accountTrades: Record<string, TradeRecordJson[]>;
}

export interface AccountSnapshot {
  accountId: string;
  /** asset → [free, locked] in the engine's balance units (10^-18), as integer strings. */
  balances: Record<string, [string, string]>;
  feeRates?: FeeRates;
}

/** Internal order state, for snapshots only. Prices in ticks, quantities in lots, money in units. */
export interface OrderRecord {
  /** PENDING: a list's pending leg waiting for its working leg. */
  place: 'BOOK' | 'STOP' | 'PENDING' | 'DONE';
  accountId: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  priceTicks: number;
  stopTicks: number;
  qtyLots: number;
  filledLots: number;
  quoteOrderQty: string;
  cumQuote: string;
  locked: string;
  makerFee: string;
  takerFee: string;
  status: OrderStatus;
  time: number;
  updateTime: number;
  workingTime: number;
  isWorking: boolean;
  stp: SelfTradePreventionMode;
  preventedMatchId: number;
  preventedLots: number;
  /** Trailing stops (absent in older snapshots: 0 / -1 / 0). */
  trailingDelta?: number;
  trailingTime?: number;
  trailBestTicks?: number;
}

export interface OrderListRecord {
  accountId: string;
  orderListId: number;
  listClientOrderId: string;
  orderIds: number[];
  /** Absent in older snapshots, which hold OCOs only. */
  contingencyType?: ContingencyType;
  /** The OTO/OTOCO working leg; -1 for an OCO. */
  workingId?: number;
  /** The legs that cancel each other (both of an OCO, the pending pair of an OTOCO, none of an OTO). */
  ocoIds?: number[];
  listStatusType: ListStatusType;
  listOrderStatus: ListOrderStatus;
  transactionTime: number;
}

/** A trade as stored in snapshots (money in units, as integer strings). */
export interface TradeRecordJson {
  id: number;
  priceTicks: number;
  qtyLots: number;
  quote: string;
  time: number;
  buyerAccountId: string;
  sellerAccountId: string;
  buyerOrderId: number;
  sellerOrderId: number;
  buyerOrderListId: number;
  sellerOrderListId: number;
  buyerCommission: string;
  sellerCommission: string;
  isBuyerMaker: boolean;
}
