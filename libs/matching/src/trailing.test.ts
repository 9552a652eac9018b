import { describe, expect, it } from 'vitest';
import { isMatchingError } from './errors.js';
import { MatchingEngine } from './engine.js';
import { fundedEngine, manualClock } from './test-kit.js';
import type { ExecutionReportEvent, NewOrderRequest } from './types.js';

// Trailing stops, computed by hand. Every account starts with 10 BTC and 1,000,000 USDT; 0.1 % commission.

const S = 'BTCUSDT';
const limit = (accountId: string, side: 'BUY' | 'SELL', quantity: string, price: string): NewOrderRequest => ({
  accountId,
  symbol: S,
  side,
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity,
  price,
});

function printTrade(engine: MatchingEngine, price: string): void {
  engine.placeOrder(limit('alice', 'SELL', '0.1', price));
  engine.placeOrder(limit('carol', 'BUY', '0.1', price));
}

const get = (engine: MatchingEngine, orderId: number) => engine.getOrder({ accountId: 'bob', symbol: S, orderId });

describe('trailing stops', () => {
  it('a STOP_LOSS sell without stop price tracks from 30000, ratchets to 33000, then triggers at 31350 (5 %)', () => {
    const { engine, clock, events } = fundedEngine();
    printTrade(engine, '30000');
    const placedAt = clock.now();
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '1',
      trailingDelta: 500,
    });
    expect(order).toMatchObject({ status: 'NEW', isWorking: false, trailingDelta: 500, trailingTime: placedAt });
    // The NEW report already says it tracks (Binance's executionReport `D`).
    const placedReport = events.find(
      (e): e is ExecutionReportEvent => e.type === 'executionReport' && e.order.orderId === order.orderId,
    );
    expect(placedReport?.order).toMatchObject({ trailingDelta: 500, trailingTime: placedAt });
    expect(order.stopPrice).toBe('0.00000000');
    clock.advance(1000);
    printTrade(engine, '31000');
    printTrade(engine, '32000');
    // 30500 > 32000 × 0.95 = 30400: a 4.7 % fall from the best does not trigger.
    printTrade(engine, '30500');
    expect(get(engine, order.orderId).isWorking).toBe(false);
    printTrade(engine, '33000');
    engine.placeOrder(limit('carol', 'BUY', '1', '31000'));
    // 33000 × 0.95 = 31350: 31400 does not trigger, 31350 does.
    printTrade(engine, '31400');
    expect(get(engine, order.orderId).isWorking).toBe(false);
    printTrade(engine, '31350');
    expect(get(engine, order.orderId)).toMatchObject({
      status: 'FILLED',
      isWorking: true,
      executedQty: '1.00000000',
      cummulativeQuoteQty: '31000.00000000',
      trailingTime: placedAt,
    });
    // bob: +31000 − 31 commission.
    expect(engine.getBalance('bob', 'USDT').free).toBe('1030969.00000000');
  });

  it('a TAKE_PROFIT sell with stop price ignores moves until 31500 is reached, then trails 7.5 % from the high', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'TAKE_PROFIT',
      quantity: '1',
      stopPrice: '31500',
      trailingDelta: 750,
    });
    expect(order.trailingTime).toBe(-1);
    printTrade(engine, '28000'); // far more than 7.5 % down, but not tracking yet
    expect(get(engine, order.orderId)).toMatchObject({ isWorking: false, trailingTime: -1 });
    printTrade(engine, '31500'); // reaches the stop price: tracking starts, best 31500
    expect(get(engine, order.orderId).trailingTime).toBeGreaterThan(0);
    printTrade(engine, '32000'); // best 32000 → trigger at 32000 × 0.925 = 29600
    engine.placeOrder(limit('carol', 'BUY', '1', '29500'));
    printTrade(engine, '29700');
    expect(get(engine, order.orderId).isWorking).toBe(false);
    printTrade(engine, '29600');
    expect(get(engine, order.orderId)).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '29500.00000000' });
  });

  it('a STOP_LOSS buy trails the low: 1 % above 29000 is 29290', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'BUY',
      type: 'STOP_LOSS',
      quantity: '1',
      trailingDelta: 100,
    });
    printTrade(engine, '29000');
    engine.placeOrder(limit('alice', 'SELL', '1', '29400'));
    printTrade(engine, '29280');
    expect(get(engine, order.orderId).isWorking).toBe(false);
    printTrade(engine, '29290');
    expect(get(engine, order.orderId)).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '29400.00000000' });
  });

  it('keeps its tracking state across a snapshot', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const { order } = engine.placeOrder({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '1',
      trailingDelta: 500,
    });
    printTrade(engine, '32000');
    const restored = MatchingEngine.restore(engine.snapshot(), { clock: manualClock() });
    expect(restored.snapshot()).toEqual(engine.snapshot());
    restored.placeOrder(limit('carol', 'BUY', '1', '30000'));
    printTrade(restored, '30450'); // > 32000 × 0.95 = 30400
    expect(get(restored, order.orderId).isWorking).toBe(false);
    printTrade(restored, '30400');
    expect(get(restored, order.orderId).status).toBe('FILLED');
  });

  it('a trailing stop-loss leg of an OCO expires the limit leg when it triggers', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const res = engine.placeOcoList({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      quantity: '1',
      above: { type: 'LIMIT_MAKER', price: '32000', clientOrderId: 'tp' },
      below: { type: 'STOP_LOSS', trailingDelta: 200, clientOrderId: 'tsl' },
    });
    engine.placeOrder(limit('carol', 'BUY', '1', '29000'));
    printTrade(engine, '30600'); // best 30600 → trigger at 29988
    printTrade(engine, '29988');
    const [sl, tp] = res.orderReports;
    expect(get(engine, tp?.orderId ?? 0).status).toBe('EXPIRED');
    expect(get(engine, sl?.orderId ?? 0)).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '29000.00000000' });
    expect(engine.getBalance('bob', 'BTC')).toEqual({ asset: 'BTC', free: '9.00000000', locked: '0.00000000' });
  });

  it('refuses trailingDelta on a LIMIT order and a fractional delta', () => {
    const { engine } = fundedEngine();
    const code = (req: NewOrderRequest): string => {
      try {
        engine.placeOrder(req);
      } catch (err) {
        if (isMatchingError(err)) return err.code;
        throw err;
      }
      return 'no error';
    };
    expect(code({ ...limit('bob', 'SELL', '1', '30000'), trailingDelta: 100 })).toBe('INVALID_PARAMETER');
    expect(
      code({ accountId: 'bob', symbol: S, side: 'SELL', type: 'STOP_LOSS', quantity: '1', trailingDelta: 1.5 }),
    ).toBe('INVALID_PARAMETER');
  });
});
