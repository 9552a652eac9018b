import { MatchingError, type MatchingErrorCode } from './errors.js';
import { parseOnGrid, parseUnits } from './decimal.js';
import { notional, type SymbolSpec } from './symbol-spec.js';
import type { NewOrderRequest, OrderSide, OrderType, SelfTradePreventionMode, TimeInForce } from './types.js';

/** A new-order request checked against the symbol's filters and put on its integer grids. */
export interface ParsedOrder {
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  priceTicks: number;
  stopTicks: number;
  /** Trailing stop distance in BIPS; 0 when the order does not trail. */
  trailingDelta: number;
  qtyLots: number;
  quoteOrderQty: bigint;
  stp: SelfTradePreventionMode;
  clientOrderId: string | undefined;
}

/** Which parameters each order type takes (Binance's "mandatory parameters" table). */
const RULES: Record<OrderType, { tif: boolean; price: boolean; stop: boolean }> = {
  MARKET: { tif: false, price: false, stop: false },
  LIMIT: { tif: true, price: true, stop: false },
  LIMIT_MAKER: { tif: false, price: true, stop: false },
  STOP_LOSS: { tif: false, price: false, stop: true },
  STOP_LOSS_LIMIT: { tif: true, price: true, stop: true },
  TAKE_PROFIT: { tif: false, price: false, stop: true },
  TAKE_PROFIT_LIMIT: { tif: true, price: true, stop: true },
};
const SIDES: readonly string[] = ['BUY', 'SELL'];
const TIFS: readonly string[] = ['GTC', 'IOC', 'FOK'];
const STP_MODES: readonly string[] = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'];
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const ACCOUNT_ID = /^[\w.:@/-]{1,64}$/;

function reject(code: MatchingErrorCode, message: string, value: unknown): never {
  throw new MatchingError(code, message, value);
}

export function checkAccountId(accountId: unknown): string {
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    reject('INVALID_PARAMETER', 'accountId must be 1-64 characters of letters, digits and _.:@/-', accountId);
  }
  return accountId;
}

export function checkClientId(name: string, id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || !CLIENT_ORDER_ID.test(id)) {
    reject('INVALID_PARAMETER', `${name} must be 1-36 characters of .A-Z:/a-z0-9_-`, id);
  }
  return id;
}

export function parseTimeInForce(name: string, tif: unknown): TimeInForce {
  if (typeof tif !== 'string' || !TIFS.includes(tif))
    reject('INVALID_TIME_IN_FORCE', `${name} must be GTC, IOC or FOK`, tif);
  return tif as TimeInForce;
}

export function parseSide(side: unknown): OrderSide {
  if (typeof side !== 'string' || !SIDES.includes(side)) reject('INVALID_PARAMETER', 'side must be BUY or SELL', side);
  return side as OrderSide;
}

export function parseStp(mode: unknown, fallback: SelfTradePreventionMode): SelfTradePreventionMode {
  if (mode === undefined) return fallback;
  if (typeof mode !== 'string' || !STP_MODES.includes(mode)) {
    reject(
      'INVALID_PARAMETER',
      'selfTradePreventionMode must be NONE, EXPIRE_TAKER, EXPIRE_MAKER or EXPIRE_BOTH',
      mode,
    );
  }
  return mode as SelfTradePreventionMode;
}

/** A price on the tick grid, in ticks (PRICE_FILTER). */
export function parsePrice(spec: SymbolSpec, name: string, text: unknown): number {
  if (typeof text !== 'string') reject('INVALID_PARAMETER', `${name} is required as a decimal string`, text);
  const ticks = parseOnGrid(text, spec.tickUnits, spec.priceDecimals);
  if (ticks === undefined) reject('INVALID_PARAMETER', `${name} must be a plain decimal string`, text);
  if (!(ticks > 0) || !Number.isFinite(ticks)) {
    reject('PRICE_FILTER', `${name} ${text} must be positive and a multiple of tickSize ${spec.config.tickSize}`, text);
  }
  return ticks;
}

/** A quantity on the step grid within minQty..maxQty, in lots (LOT_SIZE). */
export function parseQuantity(spec: SymbolSpec, name: string, text: unknown): number {
  if (typeof text !== 'string') reject('INVALID_PARAMETER', `${name} is required as a decimal string`, text);
  const lots = parseOnGrid(text, spec.stepUnits, spec.qtyDecimals);
  if (lots === undefined) reject('INVALID_PARAMETER', `${name} must be a plain decimal string`, text);
  if (!(lots > 0) || lots < spec.minQtyLots || lots > spec.maxQtyLots) {
    reject(
      'LOT_SIZE',
      `${name} ${text} must be a multiple of stepSize ${spec.config.stepSize} within ${spec.config.minQty}..${spec.config.maxQty}`,
      text,
    );
  }
  return lots;
}

/** BIPS as Binance takes them: a whole number from 1 to 9999 (the venue's TRAILING_DELTA filter narrows it). */
export function parseTrailingDelta(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value >= 10_000) {
    reject('INVALID_PARAMETER', 'trailingDelta must be a whole number of BIPS from 1 to 9999', value);
  }
  return value;
}

export function checkNotional(spec: SymbolSpec, ticks: number, lots: number): void {
  if (notional(spec, ticks, lots) < spec.minNotionalUnits) {
    reject('NOTIONAL', `price × quantity is below minNotional ${spec.config.minNotional}`, spec.config.minNotional);
  }
}

function notAllowed(name: string, type: string, value: unknown): never {
  return reject('INVALID_PARAMETER', `${name} is not allowed for ${type} orders`, value);
}

export function parseOrder(spec: SymbolSpec, req: NewOrderRequest, defaultStp: SelfTradePreventionMode): ParsedOrder {
  const side = parseSide(req.side);
  const type = req.type;
  const rule = typeof type === 'string' ? RULES[type] : undefined;
  if (rule === undefined) reject('INVALID_ORDER_TYPE', `type must be one of ${Object.keys(RULES).join(', ')}`, type);
  // Binance reports MARKET and LIMIT_MAKER orders as GTC; a timeInForce sent with them is ignored.
  const timeInForce = rule.tif ? parseTimeInForce('timeInForce', req.timeInForce) : 'GTC';
  if (!rule.price && req.price !== undefined) notAllowed('price', type, req.price);
  if (!rule.stop && req.stopPrice !== undefined) notAllowed('stopPrice', type, req.stopPrice);
  if (!rule.stop && req.trailingDelta !== undefined) notAllowed('trailingDelta', type, req.trailingDelta);
  const trailingDelta = req.trailingDelta === undefined ? 0 : parseTrailingDelta(req.trailingDelta);
  const priceTicks = rule.price ? parsePrice(spec, 'price', req.price) : 0;
  // A trailing stop may leave out its stop price: it then tracks the market from the start.
  const stopTicks =
    rule.stop && (trailingDelta === 0 || req.stopPrice !== undefined)
      ? parsePrice(spec, 'stopPrice', req.stopPrice)
      : 0;
  let qtyLots = 0;
  let quoteOrderQty = 0n;
  if (type === 'MARKET' && req.quoteOrderQty !== undefined) {
    if (req.quantity !== undefined)
      reject('INVALID_PARAMETER', 'send either quantity or quoteOrderQty, not both', req.quantity);
    const q = typeof req.quoteOrderQty === 'string' ? parseUnits(req.quoteOrderQty) : undefined;
    if (q === undefined || q === 0n)
      reject('INVALID_PARAMETER', 'quoteOrderQty must be a positive decimal string', req.quoteOrderQty);
    if (q < spec.minNotionalUnits)
      reject('NOTIONAL', `quoteOrderQty is below minNotional ${spec.config.minNotional}`, req.quoteOrderQty);
    quoteOrderQty = q;
  } else {
    if (req.quoteOrderQty !== undefined) notAllowed('quoteOrderQty', type, req.quoteOrderQty);
    qtyLots = parseQuantity(spec, 'quantity', req.quantity);
    const refTicks = priceTicks > 0 ? priceTicks : stopTicks;
    if (refTicks > 0) checkNotional(spec, refTicks, qtyLots);
  }
  return {
    side,
    type,
    timeInForce,
    priceTicks,
    stopTicks,
    trailingDelta,
    qtyLots,
    quoteOrderQty,
    stp: parseStp(req.selfTradePreventionMode, defaultStp),
    clientOrderId: checkClientId('newClientOrderId', req.newClientOrderId),
  };
}
