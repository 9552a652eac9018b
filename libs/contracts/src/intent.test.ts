import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { Intent } from './intent.js';
import { violationPaths, withFields } from './test-support.js';

const limitBuy = {
  v: 1,
  id: 'sma-cross:BTCUSDT:1700000000000',
  strategyId: 'sma-cross',
  strategyVersion: '1.2.0',
  venue: 'binance',
  instrument: 'BTC/USDT',
  side: 'BUY',
  qty: '0.01',
  style: 'limit',
  price: '64000.00',
  timeInForce: 'GTC',
  constraints: { maxSlippageBps: '15', limitWindowMs: 30_000, marketFallback: true },
  reduceOnly: false,
  expiresAt: 1_700_000_060_000,
  inputs: { smaFast: '64010.5', smaSlow: '63900.25', signal: 'cross-up' },
  createdAt: 1_700_000_000_000,
};

const marketSellNotional = {
  ...withFields(limitBuy, { qty: undefined, price: undefined, timeInForce: undefined, constraints: undefined }),
  side: 'SELL',
  style: 'market',
  quoteQty: '250.00',
};

describe('Intent', () => {
  it('accepts a limit intent with a limit-then-market tactic', () => {
    expect(decodeMessage('Intent', Intent, limitBuy)).toEqual(limitBuy);
  });

  it('accepts an intent with the code hash of its strategy, and keeps old messages without one valid', () => {
    const withHash = { ...limitBuy, codeHash: 'a'.repeat(64) };
    expect(decodeMessage('Intent', Intent, withHash)).toEqual(withHash);
    expect(Intent.safeParse(limitBuy).success).toBe(true);
    expect(violationPaths(Intent, { ...limitBuy, codeHash: 'A'.repeat(64) })).toEqual(['codeHash']);
    expect(violationPaths(Intent, { ...limitBuy, codeHash: 'abc' })).toEqual(['codeHash']);
  });

  it('accepts a market intent sized as a quote notional', () => {
    expect(decodeMessage('Intent', Intent, marketSellNotional)).toEqual(marketSellNotional);
  });

  it('accepts a limit intent sized in quote, left for the risk gate to convert', () => {
    expect(Intent.safeParse({ ...withFields(limitBuy, { qty: undefined }), quoteQty: '640' }).success).toBe(true);
  });

  it('accepts stop and stop-limit intents', () => {
    const stop = { ...marketSellNotional, style: 'stop', stopPrice: '60000' };
    expect(Intent.safeParse(stop).success).toBe(true);
    const stopLimit = { ...withFields(limitBuy, { constraints: undefined }), style: 'stop-limit', stopPrice: '64100' };
    expect(Intent.safeParse(stopLimit).success).toBe(true);
  });

  it('accepts a limit intent without TIF, leaving it to the risk gate', () => {
    expect(Intent.safeParse(withFields(limitBuy, { timeInForce: undefined })).success).toBe(true);
  });

  it.each([
    ['limit without price', withFields(limitBuy, { price: undefined }), ['price']],
    [
      'limit-maker without price',
      { ...withFields(limitBuy, { price: undefined, timeInForce: undefined }), style: 'limit-maker' },
      ['price'],
    ],
    ['market with a price', { ...marketSellNotional, price: '64000' }, ['price']],
    ['stop without stopPrice', { ...marketSellNotional, style: 'stop' }, ['stopPrice']],
    ['stop-limit without stopPrice', { ...limitBuy, style: 'stop-limit', constraints: undefined }, ['stopPrice']],
    ['limit with a stopPrice', { ...limitBuy, stopPrice: '1' }, ['stopPrice']],
    ['market with a TIF', { ...marketSellNotional, timeInForce: 'IOC' }, ['timeInForce']],
    ['limit-maker with a TIF', { ...limitBuy, style: 'limit-maker' }, ['timeInForce']],
    ['neither qty nor quoteQty', withFields(limitBuy, { qty: undefined }), ['qty']],
    ['both qty and quoteQty', { ...limitBuy, quoteQty: '640' }, ['quoteQty']],
    ['a zero qty', { ...limitBuy, qty: '0' }, ['qty']],
    ['a float qty', { ...limitBuy, qty: 0.01 }, ['qty']],
    ['an unknown style', { ...limitBuy, style: 'iceberg' }, ['style']],
    ['an expiry before creation', { ...limitBuy, expiresAt: limitBuy.createdAt }, ['expiresAt']],
    [
      'a fallback without a window',
      { ...limitBuy, constraints: { marketFallback: true } },
      ['constraints.limitWindowMs'],
    ],
    [
      'a window on a market order',
      { ...marketSellNotional, constraints: { limitWindowMs: 1000, marketFallback: false } },
      ['constraints.limitWindowMs'],
    ],
    ['a fallback on an IOC order', { ...limitBuy, timeInForce: 'IOC' }, ['constraints.marketFallback']],
    [
      'a negative slippage bound',
      { ...limitBuy, constraints: { ...limitBuy.constraints, maxSlippageBps: '-1' } },
      ['constraints.maxSlippageBps'],
    ],
    ['a numeric decision input', { ...limitBuy, inputs: { smaFast: 64010.5 } }, ['inputs.smaFast']],
    ['a decision input with a bad name', { ...limitBuy, inputs: { 'has space': '1' } }, ['inputs.has space']],
    ['an upper-case strategy id', { ...limitBuy, strategyId: 'SMA' }, ['strategyId']],
    ['version 2', { ...limitBuy, v: 2 }, ['v']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(Intent, value).sort()).toEqual(paths);
  });

  it('reports every broken rule at once', () => {
    const bad = { ...marketSellNotional, style: 'stop-limit', timeInForce: 'GTC', qty: '1' };
    expect(violationPaths(Intent, bad).sort()).toEqual(['price', 'quoteQty', 'stopPrice']);
  });
});
