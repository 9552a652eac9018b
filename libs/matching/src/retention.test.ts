import { describe, expect, it } from 'vitest';
import { MatchingEngine } from './engine.js';
import { fundedEngine, manualClock } from './test-kit.js';
import type { NewOrderRequest } from './types.js';

const S = 'BTCUSDT';
const limit = (accountId: string, side: 'BUY' | 'SELL', quantity: string, price: string) =>
  ({ accountId, symbol: S, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price }) as NewOrderRequest;

describe('forgetting history a venue no longer keeps', () => {
  it('forgetClosedOrders drops the closed orders picked, from queries and the snapshot; open ones and the rest stay', () => {
    const { engine } = fundedEngine();
    const gone = engine.placeOrder(limit('bob', 'BUY', '1', '29000')).order.orderId;
    engine.cancelOrder({ accountId: 'bob', symbol: S, orderId: gone });
    const kept = engine.placeOrder(limit('alice', 'BUY', '1', '29000')).order.orderId;
    engine.cancelOrder({ accountId: 'alice', symbol: S, orderId: kept });
    const open = engine.placeOrder(limit('bob', 'BUY', '1', '28000')).order.orderId;

    const offered: number[] = [];
    const n = engine.forgetClosedOrders((o) => {
      offered.push(o.orderId);
      return o.accountId === 'bob';
    });
    expect(n).toBe(1);
    expect(offered.sort()).toEqual([gone, kept].sort());
    expect(engine.getAllOrders('bob', S).map((o) => o.orderId)).toEqual([open]);
    expect(engine.getAllOrders('alice', S).map((o) => o.orderId)).toEqual([kept]);
    expect(() => engine.getOrder({ accountId: 'bob', symbol: S, orderId: gone })).toThrow();
    const restored = MatchingEngine.restore(engine.snapshot(), { clock: manualClock() });
    expect(restored.getAllOrders('bob', S).map((o) => o.orderId)).toEqual([open]);
    expect(restored.getAllOrders('alice', S).map((o) => o.orderId)).toEqual([kept]);
    expect(engine.forgetClosedOrders(() => true)).toBe(1);
  });

  it('forgetAccountTrades drops one account trade records; the counterparty and the tape keep the trade', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    engine.placeOrder(limit('bob', 'BUY', '1', '30000'));
    expect(engine.forgetAccountTrades('alice')).toBe(1);
    expect(engine.getMyTrades('alice', S)).toEqual([]);
    expect(engine.getMyTrades('bob', S)).toHaveLength(1);
    expect(engine.recentTrades(S)).toHaveLength(1);
  });
});
