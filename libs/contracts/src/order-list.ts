import { z } from 'zod';
import { ClientOrderId, EpochMs, PositiveDecimalString, Side, TimeInForce, VenueSymbol } from './primitives.js';

// Order lists as Binance Spot defines them (POST /api/v3/orderList/oco, /oto, /otoco, the WS API's
// orderList.place.*, the `listStatus` user-data event) and trailing stops (`trailingDelta`, in BIPS).
// The vocabulary is Binance's on purpose: these are the shapes the venue adapter sends and parses,
// and the order manager will journal. Every list has one list client order id and one client order id
// per leg, chosen by the sender, so a list can be resolved after an unknown outcome (DESIGN 7).

/** An order type as a list leg (or a trailing stop) names it: Binance's own type names. */
export const VenueOrderType = z.enum([
  'MARKET',
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
]);
export type VenueOrderType = z.infer<typeof VenueOrderType>;

/** The types that take a `stopPrice` and may trail (`trailingDelta`). */
export const CONTINGENT_ORDER_TYPES: readonly VenueOrderType[] = [
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];
const CONTINGENT: ReadonlySet<VenueOrderType> = new Set(CONTINGENT_ORDER_TYPES);
const PRICED: ReadonlySet<VenueOrderType> = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TIMED: ReadonlySet<VenueOrderType> = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);

/**
 * A trailing stop's distance in basis points (100 = 1 %), an integer as Binance takes it. The symbol's
 * `TRAILING_DELTA` filter narrows the range further (Binance's usual bounds are 10..2000); the schema
 * only rules out what no symbol accepts.
 */
export const TrailingDelta = z.number().int().min(1).max(9999);
export type TrailingDelta = z.infer<typeof TrailingDelta>;

/** `listStatusType` (Binance's `l`): RESPONSE on an answer with no change, EXEC_STARTED, ALL_DONE, REJECT. */
export const ListStatusType = z.enum(['RESPONSE', 'EXEC_STARTED', 'ALL_DONE', 'REJECT']);
export type ListStatusType = z.infer<typeof ListStatusType>;

/** `listOrderStatus` (Binance's `L`). */
export const ListOrderStatus = z.enum(['EXECUTING', 'ALL_DONE', 'REJECT']);
export type ListOrderStatus = z.infer<typeof ListOrderStatus>;

/** `contingencyType` (`c`): an OCO is `OCO`; an OTO and an OTOCO are both `OTO`, as Binance reports them. */
export const ContingencyType = z.enum(['OCO', 'OTO']);
export type ContingencyType = z.infer<typeof ContingencyType>;

/** One leg of a list, without side and quantity (an OCO and an OTOCO's pending pair share theirs). */
const legFields = {
  type: VenueOrderType,
  clientOrderId: ClientOrderId,
  price: PositiveDecimalString.optional(),
  stopPrice: PositiveDecimalString.optional(),
  trailingDelta: TrailingDelta.optional(),
  timeInForce: TimeInForce.optional(),
};

interface LegShape {
  type: VenueOrderType;
  price?: string | undefined;
  stopPrice?: string | undefined;
  trailingDelta?: number | undefined;
  timeInForce?: string | undefined;
}

/** Binance's mandatory-parameter rules for one order (or leg); each issue names the field to fix. */
export function checkLegShape(leg: LegShape, ctx: z.RefinementCtx, path: readonly string[] = []): void {
  const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [...path, field], message });
  const { type } = leg;
  if (PRICED.has(type) && leg.price === undefined) issue('price', `is required for ${type}`);
  if (!PRICED.has(type) && leg.price !== undefined) issue('price', `must be absent for ${type}`);
  if (CONTINGENT.has(type)) {
    if (leg.stopPrice === undefined && leg.trailingDelta === undefined) {
      issue('stopPrice', `${type} needs stopPrice, trailingDelta or both`);
    }
  } else {
    if (leg.stopPrice !== undefined) issue('stopPrice', `must be absent for ${type}`);
    if (leg.trailingDelta !== undefined) issue('trailingDelta', `is only for STOP_LOSS(_LIMIT) / TAKE_PROFIT(_LIMIT)`);
  }
  if (TIMED.has(type) && leg.timeInForce === undefined) issue('timeInForce', `is required for ${type}`);
  if (!TIMED.has(type) && leg.timeInForce !== undefined) issue('timeInForce', `must be absent for ${type}`);
}

/** A leg that shares the list's side and quantity (OCO legs, OTOCO pending legs). */
export const OrderListLeg = z.object(legFields).superRefine((leg, ctx) => checkLegShape(leg, ctx));
export type OrderListLeg = z.infer<typeof OrderListLeg>;

/** A leg with its own side and quantity (OTO working and pending legs, OTOCO working leg). */
export const SidedOrderListLeg = z
  .object({ ...legFields, side: Side, qty: PositiveDecimalString })
  .superRefine((leg, ctx) => checkLegShape(leg, ctx));
export type SidedOrderListLeg = z.infer<typeof SidedOrderListLeg>;

/** A single stop or take-profit order that trails: Binance's new order with `trailingDelta`. */
export const TrailingStopOrder = z
  .object({
    v: z.literal(1),
    symbol: VenueSymbol,
    side: Side,
    qty: PositiveDecimalString,
    ...legFields,
    trailingDelta: TrailingDelta,
  })
  .superRefine((o, ctx) => {
    if (!CONTINGENT.has(o.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'a trailing stop is STOP_LOSS(_LIMIT) or TAKE_PROFIT(_LIMIT)',
      });
    }
    checkLegShape(o, ctx);
  });
export type TrailingStopOrder = z.infer<typeof TrailingStopOrder>;

const ABOVE_TYPES: ReadonlySet<VenueOrderType> = new Set([
  'STOP_LOSS_LIMIT',
  'STOP_LOSS',
  'LIMIT_MAKER',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
]);
const BELOW_TYPES: ReadonlySet<VenueOrderType> = new Set([
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
]);
const WORKING_TYPES: ReadonlySet<VenueOrderType> = new Set(['LIMIT', 'LIMIT_MAKER']);
const isStopLoss = (t: VenueOrderType): boolean => t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT';

/** An OCO pair's rules: allowed types above and below, one stop-loss leg and one limit/take-profit leg. */
function checkPair(above: OrderListLeg, below: OrderListLeg, ctx: z.RefinementCtx, prefix: string): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path, 'type'], message });
  const aboveName = prefix === '' ? 'above' : `${prefix}Above`;
  const belowName = prefix === '' ? 'below' : `${prefix}Below`;
  if (!ABOVE_TYPES.has(above.type)) issue(aboveName, `${above.type} is not allowed above`);
  if (!BELOW_TYPES.has(below.type)) issue(belowName, `${below.type} is not allowed below`);
  if (isStopLoss(above.type) === isStopLoss(below.type)) {
    issue(belowName, 'one leg must be STOP_LOSS(_LIMIT) and the other LIMIT_MAKER or TAKE_PROFIT(_LIMIT)');
  }
  if (above.clientOrderId === below.clientOrderId) {
    ctx.addIssue({
      code: 'custom',
      path: [belowName, 'clientOrderId'],
      message: 'legs need distinct client order ids',
    });
  }
}

/** One-cancels-the-other (POST /api/v3/orderList/oco): two legs of one side and quantity. */
export const OcoOrderList = z
  .object({
    v: z.literal(1),
    kind: z.literal('oco'),
    symbol: VenueSymbol,
    listClientOrderId: ClientOrderId,
    side: Side,
    qty: PositiveDecimalString,
    above: OrderListLeg,
    below: OrderListLeg,
  })
  .superRefine((l, ctx) => checkPair(l.above, l.below, ctx, ''));
export type OcoOrderList = z.infer<typeof OcoOrderList>;

function checkWorking(working: SidedOrderListLeg, ctx: z.RefinementCtx): void {
  if (!WORKING_TYPES.has(working.type)) {
    ctx.addIssue({ code: 'custom', path: ['working', 'type'], message: 'the working order is LIMIT or LIMIT_MAKER' });
  }
}

/** One-triggers-the-other (POST /api/v3/orderList/oto): the pending leg goes to the book once the working one has filled. */
export const OtoOrderList = z
  .object({
    v: z.literal(1),
    kind: z.literal('oto'),
    symbol: VenueSymbol,
    listClientOrderId: ClientOrderId,
    working: SidedOrderListLeg,
    pending: SidedOrderListLeg,
  })
  .superRefine((l, ctx) => {
    checkWorking(l.working, ctx);
    if (l.working.clientOrderId === l.pending.clientOrderId) {
      ctx.addIssue({
        code: 'custom',
        path: ['pending', 'clientOrderId'],
        message: 'legs need distinct client order ids',
      });
    }
  });
export type OtoOrderList = z.infer<typeof OtoOrderList>;

/** An entry with a bracket (POST /api/v3/orderList/otoco): the pending pair is an OCO placed once the working leg filled. */
export const OtocoOrderList = z
  .object({
    v: z.literal(1),
    kind: z.literal('otoco'),
    symbol: VenueSymbol,
    listClientOrderId: ClientOrderId,
    working: SidedOrderListLeg,
    pendingSide: Side,
    pendingQty: PositiveDecimalString,
    pendingAbove: OrderListLeg,
    pendingBelow: OrderListLeg,
  })
  .superRefine((l, ctx) => {
    checkWorking(l.working, ctx);
    checkPair(l.pendingAbove, l.pendingBelow, ctx, 'pending');
    const ids = [l.working.clientOrderId, l.pendingAbove.clientOrderId, l.pendingBelow.clientOrderId];
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['working', 'clientOrderId'],
        message: 'legs need distinct client order ids',
      });
    }
  });
export type OtocoOrderList = z.infer<typeof OtocoOrderList>;

/** Any new order list, on `kind`. */
export const OrderListRequest = z.discriminatedUnion('kind', [OcoOrderList, OtoOrderList, OtocoOrderList]);
export type OrderListRequest = z.infer<typeof OrderListRequest>;

/** One order of a list as the venue names it. */
export const OrderListMember = z.object({
  symbol: VenueSymbol,
  orderId: z.number().int().nonnegative(),
  clientOrderId: z.string().min(1),
});
export type OrderListMember = z.infer<typeof OrderListMember>;

/**
 * A list's status as Binance reports it: the body of every order-list response (place, cancel, query,
 * openOrderList) and, under its short names, the `listStatus` user-data event. Leg client ids are
 * plain strings here (the venue may have generated them).
 */
export const OrderListStatus = z.object({
  orderListId: z.number().int().nonnegative(),
  contingencyType: ContingencyType,
  listStatusType: ListStatusType,
  listOrderStatus: ListOrderStatus,
  listClientOrderId: z.string().min(1),
  transactionTime: EpochMs,
  symbol: VenueSymbol,
  orders: z.array(OrderListMember).min(2).max(3),
});
export type OrderListStatus = z.infer<typeof OrderListStatus>;

/** The `listStatus` user-data event, as Binance sends it (one-letter keys). */
export const ListStatusEvent = z.object({
  e: z.literal('listStatus'),
  E: EpochMs,
  s: VenueSymbol,
  g: z.number().int().nonnegative(),
  c: ContingencyType,
  l: ListStatusType,
  L: ListOrderStatus,
  r: z.string(),
  C: z.string().min(1),
  T: EpochMs,
  O: z
    .array(z.object({ s: VenueSymbol, i: z.number().int().nonnegative(), c: z.string().min(1) }))
    .min(2)
    .max(3),
});
export type ListStatusEvent = z.infer<typeof ListStatusEvent>;

/** The event in the response shape, so one reader handles both. */
export function listStatusFromEvent(e: ListStatusEvent): OrderListStatus {
  return {
    orderListId: e.g,
    contingencyType: e.c,
    listStatusType: e.l,
    listOrderStatus: e.L,
    listClientOrderId: e.C,
    transactionTime: e.T,
    symbol: e.s,
    orders: e.O.map((o) => ({ symbol: o.s, orderId: o.i, clientOrderId: o.c })),
  };
}
