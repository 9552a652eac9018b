// Reading order-list legs the way Binance names them (`aboveType`, `workingPrice`, `pendingBelowTrailingDelta`,
// …): the mandatory parameters of each type, the OCO pair's above/below rules (-1165..-1199) and the
// symbol filters of every leg, before anything reaches the engine.

import type { OcoResult, OrderListLegRequest, OrderSide, OrderType, TimeInForce } from '@bourse/matching';
import { BinanceApiError, binanceErrors } from '../errors.js';
import { checkFilters } from '../filters.js';
import type { Params } from '../params.js';
import { listOrderReport, orderListView } from '../views.js';
import type { Call } from './endpoint.js';

export const LEG_TYPES = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const TIFS: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;
const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
const SIGNED = ['timestamp', 'recvWindow', 'signature', 'apiKey'];

const PRICED: ReadonlySet<string> = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const STOPPED: ReadonlySet<string> = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const TIMED: ReadonlySet<string> = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);

export const typeNotSupported = (): BinanceApiError =>
  new BinanceApiError(400, -1158, 'Order type not supported in OCO.');

/** One leg as sent: `prefix` is `above`, `below`, `working`, `pending`, `pendingAbove` or `pendingBelow`. */
export interface ListLeg {
  readonly prefix: string;
  readonly type: OrderType;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly trailingDelta?: number;
  readonly timeInForce?: TimeInForce;
  readonly clientOrderId?: string;
}

/** Reads `<prefix>Type`, `<prefix>Price`, … and checks Binance's mandatory parameters for the type. */
export function readListLeg(
  p: Params,
  prefix: string,
  types: readonly OrderType[],
  onBadType: () => Error = typeNotSupported,
): ListLeg {
  const type = p.requiredEnum(`${prefix}Type`, types, onBadType);
  const price = p.optionalDecimal(`${prefix}Price`);
  const stopPrice = p.optionalDecimal(`${prefix}StopPrice`);
  const trailingDelta = p.optionalInteger(`${prefix}TrailingDelta`);
  const timeInForce = p.optionalEnum(`${prefix}TimeInForce`, TIFS, binanceErrors.invalidTif);
  const clientOrderId = p.optionalClientOrderId(`${prefix}ClientOrderId`);
  if (p.has(`${prefix}IcebergQty`)) {
    throw binanceErrors.newOrderRejected('Iceberg orders are not supported for this symbol.');
  }
  p.optionalInteger(`${prefix}StrategyId`);
  const strategyType = p.optionalInteger(`${prefix}StrategyType`);
  if (strategyType !== undefined && strategyType < 1_000_000) {
    throw binanceErrors.invalidMessage(`\`${prefix}StrategyType\` was less than 1000000.`);
  }
  if (PRICED.has(type) && price === undefined) throw binanceErrors.mandatoryMissing(`${prefix}Price`);
  if (!PRICED.has(type) && price !== undefined) throw binanceErrors.paramNotRequired(`${prefix}Price`);
  if (STOPPED.has(type) && stopPrice === undefined && trailingDelta === undefined) {
    throw binanceErrors.eitherRequired(`${prefix}StopPrice`, `${prefix}TrailingDelta`);
  }
  if (!STOPPED.has(type) && stopPrice !== undefined) throw binanceErrors.paramNotRequired(`${prefix}StopPrice`);
  if (!STOPPED.has(type) && trailingDelta !== undefined) {
    throw binanceErrors.paramNotRequired(`${prefix}TrailingDelta`);
  }
  if (TIMED.has(type) && timeInForce === undefined) throw binanceErrors.mandatoryMissing(`${prefix}TimeInForce`);
  if (!TIMED.has(type) && timeInForce !== undefined) throw binanceErrors.paramNotRequired(`${prefix}TimeInForce`);
  return {
    prefix,
    type,
    ...(price !== undefined ? { price } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(trailingDelta !== undefined ? { trailingDelta } : {}),
    ...(timeInForce !== undefined ? { timeInForce } : {}),
    ...(clientOrderId !== undefined ? { clientOrderId } : {}),
  };
}

/** The parameters every list endpoint takes besides its legs; returns the STP mode. */
export function readListCommon(p: Params): (typeof STP_MODES)[number] | undefined {
  p.optionalEnum('newOrderRespType', RESP_TYPES, () => binanceErrors.invalidParameter('newOrderRespType'));
  const stp = p.optionalEnum('selfTradePreventionMode', STP_MODES, () =>
    binanceErrors.invalidParameter('selfTradePreventionMode'),
  );
  p.touch(...SIGNED);
  return stp;
}

export function engineLeg(leg: ListLeg): OrderListLegRequest {
  const { prefix: _prefix, ...rest } = leg;
  return rest;
}

type LegKind = 'STOP_LOSS' | 'LIMIT' | 'TAKE_PROFIT';
const kindOf = (type: OrderType): LegKind =>
  type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT' ? 'STOP_LOSS' : type === 'LIMIT_MAKER' ? 'LIMIT' : 'TAKE_PROFIT';

const POSITION_ERRORS: Record<OrderSide, Record<LegKind, [number, string]>> = {
  BUY: {
    STOP_LOSS: [-1196, 'A stop loss order in a buy OCO must be above.'],
    LIMIT: [-1165, 'A limit order in a buy OCO must be below.'],
    TAKE_PROFIT: [-1198, 'A take profit order in a buy OCO must be below.'],
  },
  SELL: {
    STOP_LOSS: [-1197, 'A stop loss order in a sell OCO must be below.'],
    LIMIT: [-1166, 'A limit order in a sell OCO must be above.'],
    TAKE_PROFIT: [-1199, 'A take profit order in a sell OCO must be above.'],
  },
};

/**
 * An OCO pair's legs in their places: a SELL has its stop-loss below and its limit / take-profit above,
 * a BUY the reverse. Two LIMIT_MAKER legs are -1168.
 */
export function checkPairPositions(side: OrderSide, above: ListLeg, below: ListLeg): void {
  if (above.type === 'LIMIT_MAKER' && below.type === 'LIMIT_MAKER') {
    throw new BinanceApiError(400, -1168, 'At least one OCO order must be contingent.');
  }
  for (const [leg, isAbove] of [
    [above, true],
    [below, false],
  ] as const) {
    const kind = kindOf(leg.type);
    const belongsAbove = side === 'SELL' ? kind !== 'STOP_LOSS' : kind === 'STOP_LOSS';
    if (belongsAbove !== isAbove) {
      const [code, msg] = POSITION_ERRORS[side][kind];
      throw new BinanceApiError(400, code, msg);
    }
  }
}

/** Every leg against the symbol's filters; the legs together count toward MAX_NUM_ORDERS. */
export function checkListFilters(
  call: Call,
  accountId: string,
  symbol: string,
  legs: readonly { leg: ListLeg; side: OrderSide; quantity: string }[],
): void {
  const spec = call.sim.venue.spec(symbol);
  if (!spec) throw binanceErrors.badSymbol();
  const open = call.sim.venue.run((e) => e.getOpenOrders(accountId, symbol)).length;
  for (const { leg, side, quantity } of legs) {
    checkFilters(spec, {
      type: leg.type,
      side,
      quantity,
      ...(leg.price !== undefined ? { price: leg.price } : {}),
      ...(leg.stopPrice !== undefined ? { stopPrice: leg.stopPrice } : {}),
      ...(leg.trailingDelta !== undefined ? { trailingDelta: leg.trailingDelta } : {}),
      openOrders: open + legs.length - 1,
    });
  }
}

/** The placement response: the list, then `orderReports` in the RESULT shape. */
export function ocoResponse(result: OcoResult): Record<string, unknown> {
  const t = result.orderList.transactionTime;
  return { ...orderListView(result.orderList), orderReports: result.orderReports.map((o) => listOrderReport(o, t)) };
}
