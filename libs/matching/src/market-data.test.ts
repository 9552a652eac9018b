import { describe, expect, it } from 'vitest';
import { isMatchingError } from './errors.js';
import { fundedEngine } from './test-kit.js';
import type { NewOrderRequest } from './types.js';

// Market data applied from outside (a backtest replaying history into the engine): trade prints and
// quotes trigger stops; `stopTriggers: 'market-data'` keeps the engine's own trades from doing so;
// `stopAlreadyReached: 'trigger'` fires a stop placed beyond the market at once.

const S = 'BTCUSDT';
const limit = (accountId: string, side: 'BUY' | 'SELL', quantity: string, price: string) =>
  ({ accountId, symbol: S, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price }) as NewOrderRequest;
const stop = (accountId: string, side: 'BUY' | 'SELL', quantity: string, stopPrice: string) =>
  ({ accountId, symbol: S, side, type: 'STOP_LOSS', quantity, stopPrice }) as NewOrderRequest;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isMatchingError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('market data applied from outside', () => {
  it('a trade print becomes the last price and triggers the stops it reaches, which take the book', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30100'));
    const { order } = engine.placeOrder(stop('bob', 'BUY', '1', '30050'));
    engine.applyMarketTrade(S, '30000');
    expect(engine.lastPrice(S)).toBe('30000.00000000');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId }).status).toBe('NEW');
    engine.applyMarketTrade(S, '30050');
    const after = engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId });
    expect(after).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '30100.00000000' });
    // The print itself moved no balance and left no trade on the tape: only the stop's own trade.
    expect(engine.recentTrades(S).map((t) => t.price)).toEqual(['30100.00000000']);
  });

  it('a quote triggers rising stops at its ask and falling ones at its bid, and is not a last price', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30200'));
    engine.placeOrder(limit('alice', 'BUY', '1', '29800'));
    const buy = engine.placeOrder(stop('bob', 'BUY', '0.5', '30100')).order;
    const sell = engine.placeOrder(stop('carol', 'SELL', '0.5', '29900')).order;
    engine.applyMarketQuote(S, '29950', '30050');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: buy.orderId }).status).toBe('NEW');
    expect(engine.getOrder({ accountId: 'carol', symbol: S, orderId: sell.orderId }).status).toBe('NEW');
    engine.applyMarketQuote(S, '30000', '30100');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: buy.orderId }).status).toBe('FILLED');
    expect(engine.getOrder({ accountId: 'carol', symbol: S, orderId: sell.orderId }).status).toBe('NEW');
    engine.applyMarketQuote(S, '29900', '29990');
    expect(engine.getOrder({ accountId: 'carol', symbol: S, orderId: sell.orderId }).status).toBe('FILLED');
    // Quotes are not trades: the last price is that of the stops' own trades.
    expect(engine.lastPrice(S)).toBe('29800.00000000');
    expect(codeOf(() => engine.applyMarketQuote(S, '30000.001', undefined))).toBe('PRICE_FILTER');
    expect(codeOf(() => engine.applyMarketTrade(S, '30000.001'))).toBe('PRICE_FILTER');
  });

  it('a one-sided quote triggers only that side', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30200'));
    engine.placeOrder(limit('alice', 'BUY', '1', '29800'));
    const buy = engine.placeOrder(stop('bob', 'BUY', '0.5', '30100')).order;
    const sell = engine.placeOrder(stop('carol', 'SELL', '0.5', '30150')).order;
    engine.applyMarketQuote(S, undefined, '30100');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: buy.orderId }).status).toBe('FILLED');
    expect(engine.getOrder({ accountId: 'carol', symbol: S, orderId: sell.orderId }).status).toBe('NEW');
    engine.applyMarketQuote(S, '30100', undefined);
    expect(engine.getOrder({ accountId: 'carol', symbol: S, orderId: sell.orderId }).status).toBe('FILLED');
  });

  it("stopTriggers 'market-data': the engine's own trades trigger nothing, market data does", () => {
    const { engine } = fundedEngine({ stopTriggers: 'market-data' });
    const { order } = engine.placeOrder(stop('bob', 'BUY', '0.1', '30050'));
    engine.placeOrder(limit('alice', 'SELL', '1', '30100'));
    engine.placeOrder(limit('carol', 'BUY', '0.5', '30100'));
    expect(engine.lastPrice(S)).toBe('30100.00000000');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId }).status).toBe('NEW');
    engine.applyMarketTrade(S, '30060');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId }).status).toBe('FILLED');
  });

  it("stopAlreadyReached: a stop beyond the market is rejected (Binance) or, with 'trigger', fires at once", () => {
    const rejecting = fundedEngine().engine;
    rejecting.applyMarketTrade(S, '30000');
    expect(codeOf(() => rejecting.placeOrder(stop('bob', 'SELL', '0.1', '30010')))).toBe('WOULD_TRIGGER');

    const { engine } = fundedEngine({ stopAlreadyReached: 'trigger' });
    engine.placeOrder(limit('alice', 'BUY', '1', '29990'));
    engine.applyMarketQuote(S, '29990', '30000');
    const { order } = engine.placeOrder(stop('bob', 'SELL', '0.1', '30010'));
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: order.orderId })).toMatchObject({
      status: 'FILLED',
      isWorking: true,
      cummulativeQuoteQty: '2999.00000000',
    });
    // One not yet reached still waits.
    const waiting = engine.placeOrder(stop('bob', 'SELL', '0.1', '29980')).order;
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: waiting.orderId }).status).toBe('NEW');
    expect(codeOf(() => fundedEngine({ stopAlreadyReached: 'maybe' as 'trigger' }))).toBe('INVALID_PARAMETER');
  });
});

describe('getMyTrades fromId', () => {
  it('lists only the trades from that id on', () => {
    const { engine } = fundedEngine();
    for (const price of ['30000', '30001', '30002']) {
      engine.placeOrder(limit('alice', 'SELL', '0.1', price));
      engine.placeOrder(limit('bob', 'BUY', '0.1', price));
    }
    const all = engine.getMyTrades('bob', S);
    expect(all.map((t) => t.id)).toEqual([1, 2, 3]);
    expect(engine.getMyTrades('bob', S, 500, 2).map((t) => t.price)).toEqual(['30001.00000000', '30002.00000000']);
    expect(engine.getMyTrades('bob', S, 500, 4)).toEqual([]);
  });
});
