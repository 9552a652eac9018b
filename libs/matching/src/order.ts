import type { BalanceEntry } from './ledger.js';
import type { OrderSide, OrderStatus, OrderType, SelfTradePreventionMode, TimeInForce } from './types.js';
import type { PriceLevel } from './order-book.js';

/**
 * The engine's mutable order. Prices in ticks, quantities in lots, money in units (bigint).
 * A class so every order has one hidden shape; book links make cancel O(1).
 */
export class Order {
  orderListId = -1;
  filledLots = 0;
  cumQuote = 0n;
  /** Funds this order still holds locked (quote units for buys, base units for sells). */
  locked = 0n;
  status: OrderStatus = 'NEW';
  updateTime: number;
  workingTime = -1;
  isWorking = false;
  preventedMatchId = -1;
  preventedLots = 0;
  /** Trailing stop distance in BIPS; 0 for an ordinary order. */
  trailingDelta = 0;
  /** When the trailing stop started tracking the price (Binance's `trailingTime`); -1 before. */
  trailingTime = -1;
  /** Best price in ticks since tracking started (highest for a sell, lowest for a buy); 0 before. */
  trailBestTicks = 0;
  /** Commission rates (units, 10^-18 = 1) fixed when the order is accepted. */
  makerFee = 0n;
  takerFee = 0n;
  /** Time-priority links inside the price level while resting on the book. */
  prev: Order | null = null;
  next: Order | null = null;
  level: PriceLevel | null = null;

  constructor(
    readonly accountId: string,
    readonly orderId: number,
    /** The client's own id; null when the engine names the order (`autoPrefix` + orderId). */
    readonly customClientId: string | null,
    /** Shared per symbol, so a generated id costs no string until someone reads it. */
    readonly autoPrefix: string,
    readonly side: OrderSide,
    readonly type: OrderType,
    readonly timeInForce: TimeInForce,
    /** Limit price in ticks; 0 for market-style orders. */
    readonly priceTicks: number,
    /** Trigger price in ticks; 0 when not a stop. */
    readonly stopTicks: number,
    /** Base quantity in lots. A MARKET order by quoteOrderQty starts unbounded and ends at what it executed. */
    public qtyLots: number,
    /** MARKET by quote amount, in units; 0n otherwise. */
    readonly quoteOrderQty: bigint,
    readonly stp: SelfTradePreventionMode,
    readonly time: number,
    /** The balance this order spends (quote for buys, base for sells) and the one it receives. */
    readonly spendBal: BalanceEntry,
    readonly receiveBal: BalanceEntry,
  ) {
    this.updateTime = time;
  }

  get clientOrderId(): string {
    return this.customClientId ?? this.autoPrefix + this.orderId;
  }

  get remainingLots(): number {
    return this.qtyLots - this.filledLots;
  }
}

const OPEN: Record<OrderStatus, boolean> = {
  PENDING_NEW: true,
  NEW: true,
  PARTIALLY_FILLED: true,
  FILLED: false,
  CANCELED: false,
  REJECTED: false,
  EXPIRED: false,
  EXPIRED_IN_MATCH: false,
};

export function isOpen(order: Order): boolean {
  return OPEN[order.status];
}

export function isStopType(type: OrderType): boolean {
  return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT';
}

/** Waits for a trigger: a stop price, a trailing delta, or both. */
export function isContingent(order: Pick<Order, 'stopTicks' | 'trailingDelta'>): boolean {
  return order.stopTicks > 0 || order.trailingDelta > 0;
}

/** Market-style: executes against whatever the book offers (MARKET, and STOP_LOSS / TAKE_PROFIT once triggered). */
export function isMarketType(type: OrderType): boolean {
  return type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
}
