import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { OrderRequest } from './order-request.js';
import { violationPaths, withFields } from './test-support.js';

const limit = {
  v: 1,
  clientOrderId: 'bsm-sma-cross-000001',
  intentId: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  strategyVersion: '1.2.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  venueSymbol: 'BTCUSDT',
  side: 'BUY',
  qty: '0.01000',
  style: 'limit',
  price: '64000.00',
  timeInForce: 'GTC',
  constraints: { maxSlippageBps: '15', limitWindowMs: 30_000, marketFallback: true },
  reduceOnly: false,
  createdAt: 1_700_000_000_010,
};

const marketQuote = {
  ...withFields(limit, { qty: undefined, price: undefined, timeInForce: undefined, constraints: undefined }),
  style: 'market',
  quoteQty: '250',
};

describe('OrderRequest', () => {
  it('accepts a GTC limit order with a tactic', () => {
    expect(decodeMessage('OrderRequest', OrderRequest, limit)).toEqual(limit);
  });

  it('carries the decision time and the end of its shelf life', () => {
    const timed = { ...marketQuote, decidedAt: 1_700_000_000_000, expiresAt: 1_700_000_005_000 };
    expect(decodeMessage('OrderRequest', OrderRequest, timed)).toMatchObject({
      decidedAt: 1_700_000_000_000,
      expiresAt: 1_700_000_005_000,
    });
  });

  it('accepts a market order sized in quote', () => {
    expect(decodeMessage('OrderRequest', OrderRequest, marketQuote)).toEqual(marketQuote);
  });

  it('accepts a limit-maker without TIF and a stop-limit with one', () => {
    const maker = { ...withFields(limit, { timeInForce: undefined }), style: 'limit-maker' };
    expect(OrderRequest.safeParse(maker).success).toBe(true);
    const stopLimit = { ...withFields(limit, { constraints: undefined }), style: 'stop-limit', stopPrice: '64100' };
    expect(OrderRequest.safeParse(stopLimit).success).toBe(true);
  });

  it.each([
    ['a limit without TIF', withFields(limit, { timeInForce: undefined }), ['timeInForce']],
    [
      'a stop-limit without TIF',
      { ...withFields(limit, { timeInForce: undefined, constraints: undefined }), style: 'stop-limit', stopPrice: '1' },
      ['timeInForce'],
    ],
    ['quoteQty on a limit order', { ...withFields(limit, { qty: undefined }), quoteQty: '640' }, ['quoteQty']],
    ['a market order with a price', { ...marketQuote, price: '1' }, ['price']],
    ['a limit without price', withFields(limit, { price: undefined }), ['price']],
    ['a client order id over 36 characters', { ...limit, clientOrderId: 'x'.repeat(37) }, ['clientOrderId']],
    ['an internal symbol as venue symbol', { ...limit, venueSymbol: 'BTC/USDT' }, ['venueSymbol']],
    ['a missing intent id', withFields(limit, { intentId: undefined }), ['intentId']],
    ['a non-boolean reduceOnly', { ...limit, reduceOnly: 'no' }, ['reduceOnly']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(OrderRequest, value).sort()).toEqual(paths);
  });
});
