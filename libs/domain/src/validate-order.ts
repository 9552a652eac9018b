import type { OrderStyle, Side } from '@bourse/contracts';
import type { Decimal } from './decimal.js';
import type { InstrumentSpec } from './instrument.js';
import { quantityStep } from './rounding.js';

// Checks an order against every rule of its instrument and reports all that fail, with the
// numbers involved, so a rejection explains itself in one pass instead of one fix-and-retry per rule.

export interface OrderToValidate {
  readonly side: Side;
  readonly style: OrderStyle;
  /** Base quantity. A market order may give `quoteQuantity` instead (Binance quoteOrderQty). */
  readonly quantity?: Decimal;
  readonly quoteQuantity?: Decimal;
  /** Limit price: required for limit, limit-maker and stop-limit. */
  readonly price?: Decimal;
  /** Trigger price: required for stop and stop-limit. */
  readonly stopPrice?: Decimal;
}

export interface ValidationContext {
  /** The venue's reference (average) price, for market-order notional and the percent-price band. */
  readonly referencePrice?: Decimal;
  /** Orders of this account already open on the instrument (MAX_NUM_ORDERS). */
  readonly openOrders?: number;
  /** Stop orders of this account already open on the instrument (MAX_NUM_ALGO_ORDERS). */
  readonly openAlgoOrders?: number;
}

export type OrderRuleFilter =
  | 'STATUS'
  | 'ORDER'
  | 'PRICE_FILTER'
  | 'LOT_SIZE'
  | 'MARKET_LOT_SIZE'
  | 'NOTIONAL'
  | 'PERCENT_PRICE_BY_SIDE'
  | 'MAX_NUM_ORDERS'
  | 'MAX_NUM_ALGO_ORDERS';

export type OrderRule =
  'not-trading' | 'missing' | 'not-allowed' | 'not-positive' | 'below-min' | 'above-max' | 'off-grid' | 'too-many';

export interface OrderViolation {
  readonly filter: OrderRuleFilter;
  readonly rule: OrderRule;
  /** The order field the rule looked at: `price`, `stopPrice`, `quantity`, `quoteQuantity`, `notional`, `openOrders`. */
  readonly field: string;
  /** The offending value as a decimal string (absent when the field is missing). */
  readonly value?: string;
  /** The bound or grid step it broke, as a decimal string. */
  readonly limit?: string;
  readonly message: string;
}

export interface OrderValidation {
  readonly ok: boolean;
  readonly violations: OrderViolation[];
  /** Rules that could not be checked for lack of context (e.g. no reference price); not violations. */
  readonly unchecked: { filter: OrderRuleFilter; reason: string }[];
}

const LIMIT_PRICED: ReadonlySet<OrderStyle> = new Set(['limit', 'limit-maker', 'stop-limit']);
const STOP: ReadonlySet<OrderStyle> = new Set(['stop', 'stop-limit']);

/** Lists every rule the order breaks with the numbers involved (never rounds anything, never throws; bad or missing fields are violations). */
export function validateOrder(
  spec: InstrumentSpec,
  order: OrderToValidate,
  ctx: ValidationContext = {},
): OrderValidation {
  const violations: OrderViolation[] = [];
  const unchecked: OrderValidation['unchecked'] = [];
  const add = (
    filter: OrderRuleFilter,
    rule: OrderRule,
    field: string,
    value?: Decimal | number,
    limit?: Decimal | number,
  ) => {
    const v = value?.toString();
    const l = limit?.toString();
    violations.push({ filter, rule, field, value: v, limit: l, message: describe(rule, field, v, l) });
  };
  const isMarket = !LIMIT_PRICED.has(order.style);

  if (!spec.trading) add('STATUS', 'not-trading', 'symbol');

  // Prices: the limit price and the trigger both sit on the PRICE_FILTER grid and range.
  const prices: [string, Decimal | undefined, boolean][] = [
    ['price', order.price, LIMIT_PRICED.has(order.style)],
    ['stopPrice', order.stopPrice, STOP.has(order.style)],
  ];
  for (const [field, value, required] of prices) {
    if (value === undefined) {
      if (required) add('ORDER', 'missing', field);
      continue;
    }
    if (!value.isPositive()) {
      add('ORDER', 'not-positive', field, value);
      continue;
    }
    if (spec.minPrice && value.lt(spec.minPrice)) add('PRICE_FILTER', 'below-min', field, value, spec.minPrice);
    if (spec.maxPrice && value.gt(spec.maxPrice)) add('PRICE_FILTER', 'above-max', field, value, spec.maxPrice);
    if (spec.tickSize && !value.isMultipleOf(spec.tickSize))
      add('PRICE_FILTER', 'off-grid', field, value, spec.tickSize);
  }

  // Quantity: LOT_SIZE for every order, MARKET_LOT_SIZE as well for market orders.
  const qty = order.quantity;
  if (qty === undefined) {
    if (!(isMarket && order.quoteQuantity !== undefined)) add('ORDER', 'missing', 'quantity');
  } else if (!qty.isPositive()) {
    add('ORDER', 'not-positive', 'quantity', qty);
  } else {
    checkLot(add, 'LOT_SIZE', qty, spec.minQty, spec.maxQty, spec.stepSize);
    if (isMarket) checkLot(add, 'MARKET_LOT_SIZE', qty, spec.marketMinQty, spec.marketMaxQty, quantityStep(spec, true));
  }
  if (order.quoteQuantity !== undefined) {
    if (!isMarket) add('ORDER', 'not-allowed', 'quoteQuantity', order.quoteQuantity);
    else if (!order.quoteQuantity.isPositive()) add('ORDER', 'not-positive', 'quoteQuantity', order.quoteQuantity);
  }

  // Notional: price * qty * multiplier; market orders use the reference price when the rule applies to them.
  const checkMin = spec.minNotional !== undefined && (!isMarket || spec.minNotionalAppliesToMarket);
  const checkMax = spec.maxNotional !== undefined && (!isMarket || spec.maxNotionalAppliesToMarket);
  if (checkMin || checkMax) {
    const notional = notionalOf(spec, order, isMarket, ctx.referencePrice);
    if (notional === undefined) {
      if (isMarket && order.quoteQuantity === undefined && ctx.referencePrice === undefined && qty?.isPositive()) {
        unchecked.push({ filter: 'NOTIONAL', reason: 'market order without a reference price' });
      }
    } else {
      if (checkMin && notional.lt(spec.minNotional!))
        add('NOTIONAL', 'below-min', 'notional', notional, spec.minNotional);
      if (checkMax && notional.gt(spec.maxNotional!))
        add('NOTIONAL', 'above-max', 'notional', notional, spec.maxNotional);
    }
  }

  // Percent price band: a limit price must sit within multipliers of the reference price, by side.
  if (spec.priceBand && order.price?.isPositive() && LIMIT_PRICED.has(order.style)) {
    if (ctx.referencePrice === undefined) {
      unchecked.push({ filter: 'PERCENT_PRICE_BY_SIDE', reason: 'no reference price' });
    } else {
      const b = spec.priceBand;
      const [up, down] = order.side === 'BUY' ? [b.bidUp, b.bidDown] : [b.askUp, b.askDown];
      const high = ctx.referencePrice.times(up);
      const low = ctx.referencePrice.times(down);
      if (order.price.gt(high)) add('PERCENT_PRICE_BY_SIDE', 'above-max', 'price', order.price, high);
      if (order.price.lt(low)) add('PERCENT_PRICE_BY_SIDE', 'below-min', 'price', order.price, low);
    }
  }

  // Open-order counts: this order would be one more.
  if (spec.maxNumOrders !== undefined && ctx.openOrders !== undefined && ctx.openOrders + 1 > spec.maxNumOrders) {
    add('MAX_NUM_ORDERS', 'too-many', 'openOrders', ctx.openOrders, spec.maxNumOrders);
  }
  if (
    STOP.has(order.style) &&
    spec.maxNumAlgoOrders !== undefined &&
    ctx.openAlgoOrders !== undefined &&
    ctx.openAlgoOrders + 1 > spec.maxNumAlgoOrders
  ) {
    add('MAX_NUM_ALGO_ORDERS', 'too-many', 'openAlgoOrders', ctx.openAlgoOrders, spec.maxNumAlgoOrders);
  }
  return { ok: violations.length === 0, violations, unchecked };
}

type Add = (filter: OrderRuleFilter, rule: OrderRule, field: string, value?: Decimal, limit?: Decimal) => void;

function checkLot(add: Add, filter: OrderRuleFilter, qty: Decimal, min?: Decimal, max?: Decimal, step?: Decimal): void {
  if (min && qty.lt(min)) add(filter, 'below-min', 'quantity', qty, min);
  if (max && qty.gt(max)) add(filter, 'above-max', 'quantity', qty, max);
  if (step && !qty.isMultipleOf(step)) add(filter, 'off-grid', 'quantity', qty, step);
}

function notionalOf(
  spec: InstrumentSpec,
  order: OrderToValidate,
  isMarket: boolean,
  ref?: Decimal,
): Decimal | undefined {
  if (isMarket && order.quoteQuantity?.isPositive()) return order.quoteQuantity;
  const price = isMarket ? ref : order.price;
  if (!price?.isPositive() || !order.quantity?.isPositive()) return undefined;
  return price.times(order.quantity).times(spec.multiplier);
}

function describe(rule: OrderRule, field: string, value?: string, limit?: string): string {
  switch (rule) {
    case 'not-trading':
      return 'the instrument is not trading';
    case 'missing':
      return `${field} is required for this order style`;
    case 'not-allowed':
      return `${field} is not allowed for this order style`;
    case 'not-positive':
      return `${field} ${value} must be greater than zero`;
    case 'below-min':
      return `${field} ${value} is below the minimum ${limit}`;
    case 'above-max':
      return `${field} ${value} is above the maximum ${limit}`;
    case 'off-grid':
      return `${field} ${value} is not a multiple of ${limit}`;
    case 'too-many':
      return `${value} ${field} already; the limit is ${limit}`;
  }
}
