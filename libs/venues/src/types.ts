// The port every venue adapter implements. Services (market-data, order-manager, reconciler) take
// these interfaces in their constructors; only a service's main.ts wires a concrete adapter, so a
// second venue is another folder beside `binance/`, not a rewrite.
import type {
  BookDelta,
  BookSnapshot,
  ClientOrderId,
  DecimalString,
  FeedStatus,
  FillEvent,
  InstrumentSymbol,
  Liquidity,
  OrderListStatus,
  OrderStatus,
  OrderStatusUpdate,
  OrderStyle,
  Quote,
  Side,
  TimeInForce,
  Trade,
  VenueFillId,
  VenueId,
  VenueOrderId,
} from '@bourse/contracts';
import type { InstrumentSpec } from '@bourse/domain';
import type { VenueError } from './errors.js';

/** The one time source, declared in @bourse/domain (the venue adapters' name for it). */
export type { Clock as VenueClock } from '@bourse/domain';

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

export interface PlaceOrderRequest {
  clientOrderId: ClientOrderId;
  symbol: InstrumentSymbol;
  side: Side;
  style: OrderStyle;
  /**
   * The size: `quantity` in the base asset, or `quoteQuantity` in the quote asset (market orders
   * only; the venue turns it into a quantity at the fill price, as Binance's quoteOrderQty does).
   * Exactly one is given.
   */
  quantity?: DecimalString;
  quoteQuantity?: DecimalString;
  /** Required for limit, limit-maker and stop-limit. */
  price?: DecimalString;
  /** Required for stop and stop-limit, unless the order trails (`trailingDelta`). */
  stopPrice?: DecimalString;
  /**
   * Stop and stop-limit only: a trailing stop, in BIPS (Binance's `trailingDelta`, within the symbol's
   * TRAILING_DELTA filter). With a stopPrice it starts tracking once that price is reached; without, at once.
   */
  trailingDelta?: number;
  /** Required for limit and stop-limit; ignored otherwise. */
  timeInForce?: TimeInForce;
  /**
   * Local clock ms at or after which the order must not reach the venue (its decision's shelf life,
   * DESIGN 13). The adapter does not send it after that (a local, non-retryable VenueError, code
   * VENUE_REQUEST_EXPIRED) and, where the venue can, asks it to refuse a late arrival (Binance:
   * a `recvWindow` that ends there).
   */
  notAfter?: number;
}

/** The venue's view of one order. */
export interface VenueOrder {
  symbol: InstrumentSymbol;
  clientOrderId: ClientOrderId;
  venueOrderId: VenueOrderId;
  side: Side;
  style: OrderStyle;
  timeInForce: TimeInForce | undefined;
  status: OrderStatus;
  /** The venue's status text, kept for logs and reconciliation reports. */
  venueStatus: string;
  price: DecimalString;
  stopPrice: DecimalString | undefined;
  quantity: DecimalString;
  cumulativeQuantity: DecimalString;
  cumulativeQuote: DecimalString;
  /** Order creation time at the venue (ms). */
  createdAt: number;
  /** Last change at the venue (ms). */
  updatedAt: number;
}

/**
 * What became of an order placement. A timeout is an unknown, not a failure: `unknown` means the
 * adapter could not learn the outcome even after querying by client order id. The caller must
 * reconcile before any resubmission.
 */
export type PlaceOrderOutcome =
  | { outcome: 'accepted'; order: VenueOrder; via: OrderPath; resolvedByQuery: boolean }
  | { outcome: 'rejected'; error: VenueError; via: OrderPath }
  | {
      outcome: 'unknown';
      clientOrderId: ClientOrderId;
      /** `not-found`: the venue did not know the id when queried; `query-failed`: the query failed too. */
      query: 'not-found' | 'query-failed';
      error: VenueError;
      via: OrderPath;
    };

/** `ws-api` is the low-latency path, `rest` the fallback. */
export type OrderPath = 'ws-api' | 'rest';

export interface CancelOrderRequest {
  symbol: InstrumentSymbol;
  clientOrderId: ClientOrderId;
  /** A fresh id for the cancel request itself, when the caller tracks it. */
  cancelClientOrderId?: ClientOrderId;
}

export type CancelOrderOutcome =
  | { outcome: 'canceled'; order: VenueOrder; via: OrderPath }
  /** Too late (already filled or unknown to the venue). */
  | { outcome: 'rejected'; error: VenueError; via: OrderPath }
  | { outcome: 'unknown'; clientOrderId: ClientOrderId; error: VenueError; via: OrderPath };

export interface QueryOrderRequest {
  symbol: InstrumentSymbol;
  clientOrderId: ClientOrderId;
}

/** One execution of one of our orders, as a fill query returns it. */
export interface VenueTrade {
  symbol: InstrumentSymbol;
  venueFillId: VenueFillId;
  venueOrderId: VenueOrderId;
  side: Side;
  price: DecimalString;
  quantity: DecimalString;
  quoteQuantity: DecimalString;
  commission: DecimalString;
  commissionAsset: string;
  liquidity: Liquidity;
  time: number;
}

export interface TradesQuery {
  symbol: InstrumentSymbol;
  /**
   * Only the trades of this venue order (Binance's `orderId`): how an order the venue reports
   * filled gets its fills when the user-data stream lost them. Not combined with a time range.
   */
  orderId?: string;
  /** Only trades with an id at or above this venue trade id. */
  fromId?: string;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

export interface Balance {
  asset: string;
  free: DecimalString;
  locked: DecimalString;
}

// ---------------------------------------------------------------------------------------------
// Market data
// ---------------------------------------------------------------------------------------------

export type MarketDataChannel = 'trades' | 'quotes' | 'book';

/** `[price, quantity]`, best first. */
export type BookLevel = readonly [price: DecimalString, quantity: DecimalString];

export interface MarketDataSubscription {
  symbol: InstrumentSymbol;
  channel: MarketDataChannel;
}

/**
 * What a market-data feed emits: Bourse's contract messages, ready to publish.
 * - `book-snapshot`: the local book right after a (re)sync, top levels only;
 * - `book-delta`: one applied diff, consistent with the snapshot before it;
 * - `feed-status`: `reset` on a sequence gap or lost connection (drop the book), `live` once rebuilt.
 */
export type MarketDataMessage =
  | { kind: 'trade'; trade: Trade }
  | { kind: 'quote'; quote: Quote }
  | { kind: 'book-snapshot'; snapshot: BookSnapshot }
  | { kind: 'book-delta'; delta: BookDelta }
  | { kind: 'feed-status'; status: FeedStatus };

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStateChange {
  kind: 'connection';
  state: ConnectionState;
  /** Why it changed (server close code, error message, planned rotation). */
  reason?: string;
  time: number;
}

export type MarketDataEvent = MarketDataMessage | ConnectionStateChange;

export type Unsubscribe = () => void;

/**
 * What a feed received, before any decoding, with its receive time: for recording and replay.
 * - `frame`: one text frame of stream connection `connection` (a number per socket, rising, so
 *   the overlap of a planned rotation shows as two connections);
 * - `depth-snapshot`: the body of a REST order-book snapshot fetched for `venueSymbol`;
 * - `connection`: the feed's connection state changed.
 * Decoding these again, in order, with the adapter's decoder yields the feed's events exactly.
 */
export type RawMarketFrame =
  | { readonly kind: 'frame'; readonly receivedAt: number; readonly connection: number; readonly text: string }
  | {
      readonly kind: 'depth-snapshot';
      readonly receivedAt: number;
      readonly venueSymbol: string;
      readonly text: string;
    }
  | {
      readonly kind: 'connection';
      readonly receivedAt: number;
      readonly state: ConnectionState;
      readonly reason: string;
    };

/** Bar intervals a klines request may ask for (Binance's spellings). */
export type KlineInterval = '1s' | '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '6h' | '8h' | '12h' | '1d';

/** One candle from the venue's history. Decimal strings; `closeTime` is the last ms of the window. */
export interface Kline {
  readonly symbol: InstrumentSymbol;
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: DecimalString;
  readonly high: DecimalString;
  readonly low: DecimalString;
  readonly close: DecimalString;
  readonly volume: DecimalString;
  readonly trades: number;
}

export interface MarketDataFeed {
  subscribe(subscriptions: readonly MarketDataSubscription[]): Promise<void>;
  unsubscribe(subscriptions: readonly MarketDataSubscription[]): Promise<void>;
  on(listener: (event: MarketDataEvent) => void): Unsubscribe;
  readonly state: ConnectionState;
  /** The current local book of a `book` subscription, best first; undefined while it is being rebuilt. */
  book(
    symbol: InstrumentSymbol,
    levels: number,
  ): { bids: BookLevel[]; asks: BookLevel[]; updateId: number } | undefined;
  /**
   * Every raw frame, before decoding, in receive order (absent when the adapter cannot expose
   * them). Listeners run synchronously and must not throw or block.
   */
  onRawFrame?(listener: (frame: RawMarketFrame) => void): Unsubscribe;
  /**
   * The venue's most recent `limit` candles of `interval`, oldest first; the last one may still be
   * forming (its closeTime is in the future). Absent when the venue has no history endpoint.
   */
  klines?(symbol: InstrumentSymbol, interval: KlineInterval, limit: number): Promise<Kline[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// User data
// ---------------------------------------------------------------------------------------------

export type UserDataEvent =
  /**
   * An order changed at the venue. `fill` is set when the change is an execution: fills (and only
   * fills) move positions. `executionType` is the venue's (NEW, TRADE, CANCELED, EXPIRED…).
   */
  | {
      kind: 'order';
      update: OrderStatusUpdate;
      fill: FillEvent | undefined;
      executionType: string;
      /** Why an EXPIRED order expired, when the venue says (Binance's `eR`, e.g. OCO_TRIGGER for a bracket's other leg). */
      expiryReason?: string;
    }
  /** Absolute balances of the assets that changed. */
  | { kind: 'balances'; balances: readonly Balance[]; time: number }
  /** A deposit, withdrawal or transfer moved one asset's free balance by `delta`. */
  | { kind: 'balance-delta'; asset: string; delta: DecimalString; time: number }
  /** An order list started or ended (Binance's `listStatus`); its legs' changes arrive as `order` events. */
  | { kind: 'list-status'; list: OrderListStatus; time: number }
  | ConnectionStateChange;

export interface UserDataFeed {
  /** Resolves once the venue confirmed the subscription; re-subscribes on its own after every reconnect. */
  start(): Promise<void>;
  on(listener: (event: UserDataEvent) => void): Unsubscribe;
  readonly state: ConnectionState;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface VenueClient {
  readonly venue: VenueId;
  /** Loads (or reloads) the venue's instruments and trading rules, for the domain's InstrumentRegistry. */
  fetchInstruments(): Promise<InstrumentSpec[]>;
  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderOutcome>;
  cancelOrder(request: CancelOrderRequest): Promise<CancelOrderOutcome>;
  /** Undefined when the venue does not know the order. */
  queryOrder(request: QueryOrderRequest): Promise<VenueOrder | undefined>;
  openOrders(symbol?: InstrumentSymbol): Promise<VenueOrder[]>;
  trades(query: TradesQuery): Promise<VenueTrade[]>;
  balances(): Promise<Balance[]>;
  marketData(): MarketDataFeed;
  userData(): UserDataFeed;
  close(): Promise<void>;
}
