import { describe, it, expect } from 'vitest';
import { checkTradingState } from './trading-gate.js';
import { toPlaceOrderRequest, unsupportedReason } from './venue-request.js';
import { request } from './testing.js';

describe('checkTradingState', () => {
  const open = request('a');
  const reducing = request('b', { reduceOnly: true });

  it('lets everything through when every scope is ACTIVE', () => {
    expect(checkTradingState(open, { global: 'ACTIVE', instrument: undefined, strategy: undefined }).allowed).toBe(
      true,
    );
  });

  it('lets only reduce-only orders through in REDUCING', () => {
    const modes = { global: 'ACTIVE', instrument: 'REDUCING', strategy: 'ACTIVE' } as const;
    const refused = checkTradingState(open, modes);
    expect(refused).toMatchObject({
      allowed: false,
      mode: 'REDUCING',
      scope: { kind: 'instrument', symbol: 'BTCUSDT' },
    });
    expect(checkTradingState(reducing, modes).allowed).toBe(true);
  });

  it('lets nothing through when any applicable scope is HALTED, the most restrictive winning', () => {
    const modes = { global: 'REDUCING', instrument: 'ACTIVE', strategy: 'HALTED' } as const;
    const decision = checkTradingState(reducing, modes);
    expect(decision).toMatchObject({ allowed: false, mode: 'HALTED', scope: { kind: 'strategy', strategyId: 'momo' } });
  });

  it('treats a missing global state as HALTED', () => {
    const decision = checkTradingState(open, { global: undefined, instrument: 'ACTIVE', strategy: 'ACTIVE' });
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.reason).toContain('no global trading state');
  });
});

describe('toPlaceOrderRequest', () => {
  it('passes stop and stop-limit orders through with their stop price', () => {
    const stop = request('s', {
      style: 'stop',
      price: undefined,
      timeInForce: undefined,
      stopPrice: '95',
      side: 'SELL',
    });
    expect(toPlaceOrderRequest(stop)).toEqual({
      clientOrderId: 's',
      symbol: 'BTC/USDT',
      side: 'SELL',
      style: 'stop',
      quantity: '1',
      stopPrice: '95',
    });
    const stopLimit = request('sl', { style: 'stop-limit', price: '94.5', stopPrice: '95', side: 'SELL' });
    expect(toPlaceOrderRequest(stopLimit)).toMatchObject({
      style: 'stop-limit',
      price: '94.5',
      stopPrice: '95',
      timeInForce: 'GTC',
    });
  });

  it('carries a quote-sized market order as the venue quote quantity', () => {
    const quoteSized = request('q', {
      style: 'market',
      qty: undefined,
      quoteQty: '50',
      price: undefined,
      timeInForce: undefined,
    });
    expect(unsupportedReason(quoteSized)).toBeUndefined();
    const placed = toPlaceOrderRequest(quoteSized);
    expect(placed.quoteQuantity).toBe('50');
    expect(placed.quantity).toBeUndefined();
  });
});
