// TRADE endpoints: place, test, cancel, cancel-all, cancel-replace.

import type { CancelReplaceMode, OrderRef, OrderView } from '@bourse/matching';
import { isMatchingError, toBinanceError } from '@bourse/matching';
import { BinanceApiError, binanceErrors } from '../errors.js';
import type { Params } from '../params.js';
import { cancelView, newOrderView } from '../views.js';
import { engineCall, fromEngine, requireAccount, type Call, type Endpoint } from './endpoint.js';
import { parseNewOrder } from './new-order.js';

const CANCEL_RESTRICTIONS = ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const;

/** The id Binance gives a cancel that names none; derived so responses and events agree. */
export function generatedCancelId(orderId: number, now: number): string {
  return `x-cxl-${orderId}-${now}`.slice(0, 36);
}

/** `orderId` / `origClientOrderId`, at least one. */
export function orderRef(call: Call, p: Params, symbol: string): OrderRef {
  const orderId = p.optionalInteger('orderId');
  const origClientOrderId = p.optionalClientOrderId('origClientOrderId');
  if (orderId === undefined && origClientOrderId === undefined) {
    throw binanceErrors.eitherRequired('origClientOrderId', 'orderId');
  }
  return {
    accountId: requireAccount(call),
    symbol,
    ...(orderId !== undefined ? { orderId } : {}),
    ...(origClientOrderId !== undefined ? { origClientOrderId } : {}),
  };
}

export function requireSymbol(call: Call, p: Params): string {
  const symbol = p.symbol();
  if (!call.sim.venue.spec(symbol)) throw binanceErrors.badSymbol();
  return symbol;
}

const signedParams = ['timestamp', 'recvWindow', 'signature', 'apiKey'];

const newOrder: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 1,
  placesOrder: true,
  handle(call, p) {
    const account = requireAccount(call);
    const parsed = parseNewOrder(call, p);
    p.touch(...signedParams);
    p.assertAllRead();
    const result = engineCall(call, () => call.sim.venue.engine.placeOrder({ ...parsed.request, accountId: account }));
    return newOrderView(result, parsed.respType, result.order.time);
  },
};

const testOrder: Endpoint = {
  security: 'SIGNED',
  weight: (p) => (p.has('computeCommissionRates') ? 20 : 1),
  handle(call, p) {
    const account = requireAccount(call);
    const parsed = parseNewOrder(call, p);
    const computeRates = p.optionalBoolean('computeCommissionRates') ?? false;
    p.touch(...signedParams);
    p.assertAllRead();
    engineCall(call, () => call.sim.venue.engine.testOrder({ ...parsed.request, accountId: account }));
    if (!computeRates) return {};
    const rate = '0.00100000';
    return {
      standardCommissionForOrder: { maker: rate, taker: rate },
      taxCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.25000000' },
    };
  },
};

function checkCancelRestriction(order: OrderView, restriction: string | undefined): void {
  if (restriction === undefined) return;
  const ok = restriction === 'ONLY_NEW' ? order.status === 'NEW' : order.status === 'PARTIALLY_FILLED';
  if (!ok) throw binanceErrors.cancelRejected('Order was not canceled due to cancel restrictions.');
}

/** Cancels one order; the caller runs it inside the venue. */
function cancelOne(
  call: Call,
  ref: OrderRef,
  newClientOrderId: string | undefined,
  restriction: string | undefined,
): Record<string, unknown> {
  const engine = call.sim.venue.engine;
  const now = call.sim.clock.now();
  let current: OrderView;
  try {
    current = engine.getOrder(ref);
  } catch (err) {
    throw fromEngine(err, 'cancel');
  }
  checkCancelRestriction(current, restriction);
  const cancelId = newClientOrderId ?? generatedCancelId(current.orderId, now);
  try {
    const canceled = engine.cancelOrder({ ...ref, newClientOrderId: cancelId });
    return cancelView(canceled, cancelId, now);
  } catch (err) {
    throw fromEngine(err, 'cancel');
  }
}

const cancelOrder: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  handle(call, p) {
    const symbol = requireSymbol(call, p);
    const ref = orderRef(call, p, symbol);
    const newClientOrderId = p.optionalClientOrderId('newClientOrderId');
    const restriction = p.optionalEnum(
      'cancelRestrictions',
      CANCEL_RESTRICTIONS,
      () => new BinanceApiError(400, -1145, 'cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED.'),
    );
    return call.sim.venue.run(() => cancelOne(call, ref, newClientOrderId, restriction));
  },
};

const cancelOpenOrders: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  handle(call, p) {
    const account = requireAccount(call);
    const symbol = requireSymbol(call, p);
    return call.sim.venue.run((engine) => {
      const open = engine.getOpenOrders(account, symbol);
      if (open.length === 0) throw binanceErrors.cancelRejected('Unknown order sent.');
      const out: Record<string, unknown>[] = [];
      for (const o of open) {
        // A leg of an OCO goes with its sibling; skip orders an earlier cancel already closed.
        const still = engine.getOrder({ accountId: account, symbol, orderId: o.orderId });
        if (still.status !== 'NEW' && still.status !== 'PARTIALLY_FILLED') continue;
        out.push(cancelOne(call, { accountId: account, symbol, orderId: o.orderId }, undefined, undefined));
      }
      return out;
    });
  },
};

const CANCEL_REPLACE_MODES: readonly CancelReplaceMode[] = ['STOP_ON_FAILURE', 'ALLOW_FAILURE'];

function errorBody(err: unknown): { code: number; msg: string } {
  if (isMatchingError(err)) return toBinanceError(err);
  if (err instanceof BinanceApiError) return { code: err.code, msg: err.msg };
  return { code: -1000, msg: 'An unknown error occurred while processing the request.' };
}

const cancelReplace: Endpoint = {
  security: 'SIGNED',
  weight: 1,
  orders: 1,
  placesOrder: true,
  handle(call, p) {
    const account = requireAccount(call);
    const mode = p.requiredEnum('cancelReplaceMode', CANCEL_REPLACE_MODES, () =>
      binanceErrors.invalidParameter('cancelReplaceMode'),
    );
    const cancelOrderId = p.optionalInteger('cancelOrderId');
    const cancelOrigClientOrderId = p.optionalClientOrderId('cancelOrigClientOrderId');
    if (cancelOrderId === undefined && cancelOrigClientOrderId === undefined) {
      throw binanceErrors.eitherRequired('cancelOrigClientOrderId', 'cancelOrderId');
    }
    const cancelNewClientOrderId = p.optionalClientOrderId('cancelNewClientOrderId');
    p.optionalEnum('cancelRestrictions', CANCEL_RESTRICTIONS, () =>
      binanceErrors.invalidParameter('cancelRestrictions'),
    );
    p.optional('orderRateLimitExceededMode');
    const parsed = parseNewOrder(call, p);
    p.touch(...signedParams);
    p.assertAllRead();
    const now = call.sim.clock.now();
    const result = call.sim.venue.run((engine) => {
      let cancelId = cancelNewClientOrderId;
      if (cancelId === undefined) {
        try {
          const target = engine.getOrder({
            accountId: account,
            symbol: parsed.request.symbol,
            ...(cancelOrderId !== undefined ? { orderId: cancelOrderId } : {}),
            ...(cancelOrigClientOrderId !== undefined ? { origClientOrderId: cancelOrigClientOrderId } : {}),
          });
          cancelId = generatedCancelId(target.orderId, now);
        } catch {
          cancelId = generatedCancelId(cancelOrderId ?? 0, now);
        }
      }
      return {
        cancelId,
        outcome: engine.cancelReplace({
          ...parsed.request,
          accountId: account,
          cancelReplaceMode: mode,
          cancelNewClientOrderId: cancelId,
          ...(cancelOrderId !== undefined ? { cancelOrderId } : {}),
          ...(cancelOrigClientOrderId !== undefined ? { cancelOrigClientOrderId } : {}),
        }),
      };
    });
    const r = result.outcome;
    const cancelResponse = r.cancelResponse
      ? cancelView(r.cancelResponse, result.cancelId, now)
      : r.cancelError
        ? errorBody(r.cancelError)
        : null;
    const newOrderResponse = r.newOrderResponse
      ? newOrderView(r.newOrderResponse, parsed.respType, r.newOrderResponse.order.time)
      : r.newOrderError
        ? errorBody(r.newOrderError)
        : null;
    const data = { cancelResult: r.cancelResult, newOrderResult: r.newOrderResult, cancelResponse, newOrderResponse };
    if (r.cancelResult === 'SUCCESS' && r.newOrderResult === 'SUCCESS') return data;
    if (r.cancelResult === 'SUCCESS' || r.newOrderResult === 'SUCCESS') {
      throw new BinanceApiError(409, -2021, 'Order cancel-replace partially failed.', {}, data);
    }
    throw new BinanceApiError(400, -2022, 'Order cancel-replace failed.', {}, data);
  },
};

export const tradingEndpoints = {
  newOrder,
  testOrder,
  cancelOrder,
  cancelOpenOrders,
  cancelReplace,
} as const;

export { cancelOne };
