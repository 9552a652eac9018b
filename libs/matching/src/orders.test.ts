import { describe, expect, it } from 'vitest';
import { isMatchingError, type MatchingError } from './errors.js';
import { fundedEngine } from './test-kit.js';
import type { NewOrderRequest } from './types.js';

const S = 'BTCUSDT';
const limit = (
  accountId: string,
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  extra: Partial<NewOrderRequest> = {},
) => ({ accountId, symbol: S, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price, ...extra }) as NewOrderRequest;

function rejection(fn: () => unknown): MatchingError {
  try {
    fn();
  } catch (err) {
    if (isMatchingError(err)) return err;
    throw err;
  }
  throw new Error('expected a MatchingError');
}

describe('LIMIT orders', () => {
  it('rest on the book when they do not cross, best price first', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30010'));
    engine.placeOrder(limit('alice', 'SELL', '2', '30005'));
    engine.placeOrder(limit('bob', 'BUY', '1.5', '29990'));
    const depth = engine.depth(S);
    expect(depth.asks).toEqual([
      ['30005.00000000', '2.00000000'],
      ['30010.00000000', '1.00000000'],
    ]);
    expect(depth.bids).toEqual([['29990.00000000', '1.50000000']]);
    expect(depth.lastUpdateId).toBe(3);
    expect(engine.bookTicker(S)).toMatchObject({ bidPrice: '29990.00000000', askPrice: '30005.00000000' });
  });

  it('match at the maker price in price-time priority and fill partially', () => {
    const { engine } = fundedEngine();
    const first = engine.placeOrder(limit('alice', 'SELL', '1', '30000')).order;
    const second = engine.placeOrder(limit('carol', 'SELL', '1', '30000')).order;
    const worse = engine.placeOrder(limit('alice', 'SELL', '1', '30001')).order;
    const { order, fills } = engine.placeOrder(limit('bob', 'BUY', '1.5', '30002'));
    expect(order.status).toBe('FILLED');
    expect(fills.map((f) => [f.price, f.qty])).toEqual([
      ['30000.00000000', '1.00000000'],
      ['30000.00000000', '0.50000000'],
    ]);
    expect(order.cummulativeQuoteQty).toBe('45000.00000000');
    expect(engine.getOrder({ accountId: 'alice', symbol: S, orderId: first.orderId }).status).toBe('FILLED');
    const partial = engine.getOrder({ accountId: 'carol', symbol: S, orderId: second.orderId });
    expect(partial).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.50000000' });
    expect(engine.getOrder({ accountId: 'alice', symbol: S, orderId: worse.orderId }).status).toBe('NEW');
    expect(engine.lastPrice(S)).toBe('30000.00000000');
  });

  it('a crossing remainder rests at its own price', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    const { order } = engine.placeOrder(limit('bob', 'BUY', '3', '30001'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '1.00000000' });
    expect(engine.depth(S).bids).toEqual([['30001.00000000', '2.00000000']]);
    expect(engine.depth(S).asks).toEqual([]);
  });

  it('IOC expires the remainder', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    const { order } = engine.placeOrder(limit('bob', 'BUY', '2', '30000', { timeInForce: 'IOC' }));
    expect(order).toMatchObject({ status: 'EXPIRED', executedQty: '1.00000000' });
    expect(engine.depth(S).bids).toEqual([]);
    expect(engine.getBalance('bob', 'USDT')).toMatchObject({ locked: '0.00000000', free: '970000.00000000' });
  });

  it('FOK fills completely or not at all', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    engine.placeOrder(limit('carol', 'SELL', '1', '30001'));
    const none = engine.placeOrder(limit('bob', 'BUY', '2.5', '30001', { timeInForce: 'FOK' }));
    expect(none.order).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000' });
    expect(none.fills).toEqual([]);
    expect(engine.depth(S).asks).toHaveLength(2);
    const all = engine.placeOrder(limit('bob', 'BUY', '2', '30001', { timeInForce: 'FOK' }));
    expect(all.order).toMatchObject({ status: 'FILLED', executedQty: '2.00000000' });
    expect(engine.depth(S).asks).toEqual([]);
  });

  it('LIMIT_MAKER rests when passive and is rejected when it would cross', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    const err = rejection(() =>
      engine.placeOrder({
        accountId: 'bob',
        symbol: S,
        side: 'BUY',
        type: 'LIMIT_MAKER',
        quantity: '1',
        price: '30000',
      }),
    );
    expect(err.code).toBe('WOULD_MATCH');
    const ok = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '1',
      price: '29999.99',
    });
    expect(ok.order).toMatchObject({ status: 'NEW', type: 'LIMIT_MAKER', timeInForce: 'GTC' });
  });
});

describe('MARKET orders', () => {
  it('by quantity sweep levels and expire what the book cannot fill', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    engine.placeOrder(limit('alice', 'SELL', '1', '30100'));
    const { order, fills } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'MARKET',
      quantity: '3',
    });
    expect(fills).toHaveLength(2);
    expect(order).toMatchObject({
      status: 'EXPIRED',
      executedQty: '2.00000000',
      cummulativeQuoteQty: '60100.00000000',
    });
    expect(engine.getBalance('bob', 'USDT')).toEqual({ asset: 'USDT', free: '939900.00000000', locked: '0.00000000' });
  });

  it('by quoteOrderQty spend at most that amount, in whole lots', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '100',
    });
    // 100 / 30000 = 0.003333.. BTC → 0.00333 BTC in lots of 0.00001, costing 99.9 USDT.
    expect(order).toMatchObject({
      status: 'FILLED',
      executedQty: '0.00333000',
      origQty: '0.00333000',
      cummulativeQuoteQty: '99.90000000',
      origQuoteOrderQty: '100.00000000',
    });
    expect(engine.getBalance('bob', 'USDT').locked).toBe('0.00000000');
  });

  it('sell by quoteOrderQty receives at most that amount', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('bob', 'BUY', '1', '20000'));
    const { order } = engine.placeOrder({
      accountId: 'alice',
      symbol: S,
      side: 'SELL',
      type: 'MARKET',
      quoteOrderQty: '1000',
    });
    expect(order).toMatchObject({ status: 'FILLED', executedQty: '0.05000000', cummulativeQuoteQty: '1000.00000000' });
  });

  it('on an empty book expire without trading', () => {
    const { engine } = fundedEngine();
    const { order } = engine.placeOrder({ accountId: 'bob', symbol: S, side: 'SELL', type: 'MARKET', quantity: '1' });
    expect(order).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000' });
    expect(engine.getBalance('bob', 'BTC')).toMatchObject({ free: '10.00000000', locked: '0.00000000' });
  });
});

describe('validation', () => {
  it('rejects off-grid, out-of-range and malformed inputs with typed codes', () => {
    const { engine } = fundedEngine();
    const cases: [Partial<NewOrderRequest>, string][] = [
      [{ price: '30000.001' }, 'PRICE_FILTER'],
      [{ price: '0' }, 'PRICE_FILTER'],
      [{ quantity: '0.000001' }, 'LOT_SIZE'],
      [{ quantity: '9001' }, 'LOT_SIZE'],
      [{ quantity: '0.0001', price: '100' }, 'NOTIONAL'],
      [{ price: '1e5' }, 'INVALID_PARAMETER'],
      [{ price: '-1' }, 'INVALID_PARAMETER'],
      [{ timeInForce: 'DAY' as never }, 'INVALID_TIME_IN_FORCE'],
      [{ type: 'ICEBERG' as never }, 'INVALID_ORDER_TYPE'],
      [{ symbol: 'ETHUSDT' }, 'UNKNOWN_SYMBOL'],
      [{ newClientOrderId: 'has space' }, 'INVALID_PARAMETER'],
      [{ stopPrice: '1' }, 'INVALID_PARAMETER'],
      [{ quantity: '100' }, 'INSUFFICIENT_BALANCE'],
    ];
    for (const [patch, code] of cases) {
      const err = rejection(() => engine.placeOrder({ ...limit('bob', 'BUY', '1', '30000'), ...patch }));
      expect([patch, err.code]).toEqual([patch, code]);
    }
    expect(engine.getOpenOrders('bob')).toEqual([]);
    expect(engine.getBalance('bob', 'USDT')).toMatchObject({ free: '1000000.00000000', locked: '0.00000000' });
  });

  it('rejects a duplicate clientOrderId among open orders only', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('bob', 'BUY', '1', '20000', { newClientOrderId: 'x1' }));
    expect(rejection(() => engine.placeOrder(limit('bob', 'BUY', '1', '20000', { newClientOrderId: 'x1' }))).code).toBe(
      'DUPLICATE_ORDER',
    );
    engine.cancelOrder({ accountId: 'bob', symbol: S, origClientOrderId: 'x1' });
    expect(engine.placeOrder(limit('bob', 'BUY', '1', '20000', { newClientOrderId: 'x1' })).order.status).toBe('NEW');
  });
});

describe('cancel', () => {
  it('unlocks funds, removes the level and rejects unknown or closed orders', () => {
    const { engine, events } = fundedEngine();
    const { order } = engine.placeOrder(limit('bob', 'BUY', '2', '25000'));
    expect(engine.getBalance('bob', 'USDT')).toMatchObject({ free: '950000.00000000', locked: '50000.00000000' });
    events.length = 0;
    const canceled = engine.cancelOrder({
      accountId: 'bob',
      symbol: S,
      orderId: order.orderId,
      newClientOrderId: 'c1',
    });
    expect(canceled.status).toBe('CANCELED');
    expect(engine.getBalance('bob', 'USDT')).toMatchObject({ free: '1000000.00000000', locked: '0.00000000' });
    expect(engine.depth(S).bids).toEqual([]);
    const report = events.find((e) => e.type === 'executionReport');
    expect(report).toMatchObject({ execType: 'CANCELED', cancelClientOrderId: 'c1' });
    expect(events.find((e) => e.type === 'bookLevel')).toMatchObject({ side: 'BID', qty: '0.00000000' });
    expect(rejection(() => engine.cancelOrder({ accountId: 'bob', symbol: S, orderId: order.orderId })).code).toBe(
      'UNKNOWN_ORDER',
    );
    expect(rejection(() => engine.cancelOrder({ accountId: 'alice', symbol: S, orderId: 999 })).code).toBe(
      'UNKNOWN_ORDER',
    );
  });

  it("cannot touch another account's order", () => {
    const { engine } = fundedEngine();
    const { order } = engine.placeOrder(limit('bob', 'BUY', '1', '25000'));
    expect(rejection(() => engine.cancelOrder({ accountId: 'alice', symbol: S, orderId: order.orderId })).code).toBe(
      'UNKNOWN_ORDER',
    );
  });

  it('cancelOpenOrders cancels every open order of the account', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('bob', 'BUY', '1', '25000'));
    engine.placeOrder(limit('bob', 'SELL', '1', '35000'));
    engine.placeOrder(limit('alice', 'SELL', '1', '36000'));
    const canceled = engine.cancelOpenOrders('bob', S);
    expect(canceled.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(engine.getOpenOrders('bob', S)).toEqual([]);
    expect(engine.getOpenOrders('alice', S)).toHaveLength(1);
  });
});
