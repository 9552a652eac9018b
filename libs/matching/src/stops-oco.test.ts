import { describe, expect, it } from 'vitest';
import { isMatchingError } from './errors.js';
import { fundedEngine } from './test-kit.js';
import type { MatchingEngine } from './engine.js';
import type { NewOrderRequest } from './types.js';

const S = 'BTCUSDT';
const limit = (
  accountId: string,
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  extra: Partial<NewOrderRequest> = {},
) => ({ accountId, symbol: S, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price, ...extra }) as NewOrderRequest;

/** Prints a trade at `price` between alice and carol, leaving nothing on the book. */
function printTrade(engine: MatchingEngine, price: string): void {
  engine.placeOrder(limit('alice', 'SELL', '0.1', price));
  engine.placeOrder(limit('carol', 'BUY', '0.1', price));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isMatchingError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('stop orders', () => {
  it('STOP_LOSS_LIMIT sell waits, not working, then triggers when the last price falls to the stop', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '28900',
      stopPrice: '29000',
    });
    expect(order).toMatchObject({ status: 'NEW', isWorking: false, workingTime: -1, stopPrice: '29000.00000000' });
    expect(engine.getBalance('bob', 'BTC').locked).toBe('1.00000000');
    engine.placeOrder(limit('carol', 'BUY', '2', '28950'));
    printTrade(engine, '29500');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId }).isWorking).toBe(false);
    events.length = 0;
    printTrade(engine, '29000');
    const after = engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId });
    expect(after).toMatchObject({ isWorking: true, status: 'FILLED', executedQty: '1.00000000' });
    const reports = events.filter((e) => e.type === 'executionReport' && e.accountId === 'bob');
    expect(reports.map((e) => (e.type === 'executionReport' ? e.execType : ''))).toEqual(['NEW', 'TRADE']);
  });

  it('STOP_LOSS buy (market) triggers when the price rises and takes the book', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'STOP_LOSS',
      quantity: '0.5',
      stopPrice: '31000',
    });
    expect(engine.getBalance('bob', 'USDT').locked).toBe('15500.00000000');
    engine.placeOrder(limit('alice', 'SELL', '1', '31500'));
    printTrade(engine, '31000');
    const after = engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId });
    expect(after).toMatchObject({ status: 'FILLED', executedQty: '0.50000000', cummulativeQuoteQty: '15750.00000000' });
    expect(engine.getBalance('bob', 'USDT')).toEqual({ asset: 'USDT', free: '984250.00000000', locked: '0.00000000' });
  });

  it('TAKE_PROFIT_LIMIT buy triggers on a fall and TAKE_PROFIT sell on a rise', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const tpBuy = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'TAKE_PROFIT_LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '29000',
      stopPrice: '29000',
    }).order;
    const tpSell = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'TAKE_PROFIT',
      quantity: '1',
      stopPrice: '31000',
    }).order;
    printTrade(engine, '29000');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: tpBuy.orderId })).toMatchObject({
      isWorking: true,
      status: 'NEW',
    });
    expect(engine.depth(S).bids).toEqual([['29000.00000000', '1.00000000']]);
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: tpSell.orderId }).isWorking).toBe(false);
    engine.placeOrder(limit('carol', 'BUY', '1', '30500'));
    printTrade(engine, '31000');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: tpSell.orderId })).toMatchObject({
      status: 'FILLED',
    });
  });

  it('rejects a stop that would trigger immediately', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    expect(
      codeOf(() =>
        engine.placeOrder({
          accountId: 'bob',
          symbol: S,
          side: 'SELL',
          type: 'STOP_LOSS',
          quantity: '1',
          stopPrice: '30000',
        }),
      ),
    ).toBe('WOULD_TRIGGER');
  });

  it('a canceled stop never triggers and gives its funds back', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '1',
      stopPrice: '29000',
    });
    engine.cancelOrder({ accountId: 'bob', symbol: S, orderId: order.orderId });
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '10.00000000', locked: '0.00000000' });
    printTrade(engine, '28000');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId }).status).toBe('CANCELED');
  });
});

describe('cancel-replace', () => {
  it('STOP_ON_FAILURE: replaces when the cancel succeeds, stops when it fails', () => {
    const { engine } = fundedEngine();
    const { order } = engine.placeOrder(limit('bob', 'BUY', '1', '25000', { newClientOrderId: 'a' }));
    const ok = engine.cancelReplace({
      accountId: 'bob',
      symbol: S,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrigClientOrderId: 'a',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '2',
      price: '26000',
      newClientOrderId: 'a',
    });
    expect(ok).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS' });
    expect(ok.cancelResponse?.orderId).toBe(order.orderId);
    expect(ok.newOrderResponse?.order).toMatchObject({ clientOrderId: 'a', price: '26000.00000000', status: 'NEW' });
    expect(engine.getBalance('bob', 'USDT').locked).toBe('52000.00000000');

    const failed = engine.cancelReplace({
      accountId: 'bob',
      symbol: S,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: order.orderId,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '27000',
    });
    expect(failed).toMatchObject({ cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED' });
    expect(failed.cancelError?.code).toBe('UNKNOWN_ORDER');
    expect(engine.getOpenOrders('bob', S)).toHaveLength(1);
  });

  it('ALLOW_FAILURE places the new order even when the cancel fails; a bad new order leaves the cancel done', () => {
    const { engine } = fundedEngine();
    const result = engine.cancelReplace({
      accountId: 'bob',
      symbol: S,
      cancelReplaceMode: 'ALLOW_FAILURE',
      cancelOrderId: 12345,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '27000',
    });
    expect(result).toMatchObject({ cancelResult: 'FAILURE', newOrderResult: 'SUCCESS' });
    const id = result.newOrderResponse?.order.orderId;
    const second = engine.cancelReplace({
      accountId: 'bob',
      symbol: S,
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: id,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '27000.001',
    });
    expect(second).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'FAILURE' });
    expect(second.newOrderError?.code).toBe('PRICE_FILTER');
    expect(engine.getOpenOrders('bob', S)).toEqual([]);
    expect(engine.getBalance('bob', 'USDT').locked).toBe('0.00000000');
  });
});

describe('OCO', () => {
  const oco = {
    accountId: 'bob',
    symbol: S,
    side: 'SELL' as const,
    quantity: '1',
    price: '31000',
    stopPrice: '29000',
    stopLimitPrice: '28900',
    stopLimitTimeInForce: 'GTC' as const,
  };

  it('locks once, lists the stop leg first, and a fill of the limit leg expires the stop leg', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    const res = engine.placeOco({ ...oco, listClientOrderId: 'L1' });
    expect(res.orderList).toMatchObject({
      listClientOrderId: 'L1',
      listOrderStatus: 'EXECUTING',
      listStatusType: 'EXEC_STARTED',
    });
    expect(res.orderReports.map((o) => o.type)).toEqual(['STOP_LOSS_LIMIT', 'LIMIT_MAKER']);
    expect(res.orderReports.every((o) => o.orderListId === res.orderList.orderListId)).toBe(true);
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '9.00000000', locked: '1.00000000' });
    events.length = 0;
    engine.placeOrder(limit('carol', 'BUY', '0.4', '31000'));
    const [stop, lim] = res.orderReports.map((o) =>
      engine.getOrder({ accountId: 'bob', symbol: S, orderId: o.orderId }),
    );
    expect(lim).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.40000000' });
    expect(stop?.status).toBe('EXPIRED');
    expect(
      engine.getOrderList({ accountId: 'bob', symbol: S, orderListId: res.orderList.orderListId }).listOrderStatus,
    ).toBe('ALL_DONE');
    expect(events.some((e) => e.type === 'listStatus' && e.orderList.listStatusType === 'ALL_DONE')).toBe(true);
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '9.00000000', locked: '0.60000000' });
  });

  it('a trigger of the stop leg expires the limit leg and moves the lock', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const res = engine.placeOco(oco);
    engine.placeOrder(limit('carol', 'BUY', '0.3', '28950'));
    printTrade(engine, '29000');
    const [stop, lim] = res.orderReports.map((o) =>
      engine.getOrder({ accountId: 'bob', symbol: S, orderId: o.orderId }),
    );
    expect(lim?.status).toBe('EXPIRED');
    expect(stop).toMatchObject({ isWorking: true, status: 'PARTIALLY_FILLED', executedQty: '0.30000000' });
    expect(engine.depth(S).asks).toEqual([['28900.00000000', '0.70000000']]);
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '9.00000000', locked: '0.70000000' });
  });

  it('cancelling one leg or the list cancels both', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const a = engine.placeOco(oco);
    const firstLeg = a.orderReports[0];
    engine.cancelOrder({ accountId: 'bob', symbol: S, orderId: firstLeg?.orderId });
    expect(engine.getAllOrders('bob', S).map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    const b = engine.placeOco({ ...oco, listClientOrderId: 'L2' });
    const canceled = engine.cancelOrderList({ accountId: 'bob', symbol: S, listClientOrderId: 'L2' });
    expect(canceled.orderList.listOrderStatus).toBe('ALL_DONE');
    expect(canceled.orderReports.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(b.orderList.orderListId).not.toBe(a.orderList.orderListId);
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '10.00000000', locked: '0.00000000' });
  });

  it('rejects prices in the wrong order and a limit leg that would take', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    expect(codeOf(() => engine.placeOco({ ...oco, price: '29500', stopPrice: '30500' }))).toBe('OCO_PRICES');
    expect(codeOf(() => engine.placeOco({ ...oco, side: 'BUY' }))).toBe('OCO_PRICES');
    engine.placeOrder(limit('carol', 'BUY', '1', '31000.5'));
    expect(codeOf(() => engine.placeOco(oco))).toBe('WOULD_MATCH');
    expect(engine.getOpenOrders('bob', S)).toEqual([]);
  });

  it('BUY OCO locks the larger of both prices', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOco({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      quantity: '1',
      price: '29000',
      stopPrice: '31000',
      stopLimitPrice: '31100',
      stopLimitTimeInForce: 'GTC',
    });
    expect(engine.getBalance('bob', 'USDT').locked).toBe('31100.00000000');
  });
});
