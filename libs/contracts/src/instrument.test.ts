import { describe, it, expect } from 'vitest';
import { decodeMessage } from './decode.js';
import { Instrument } from './instrument.js';
import { violationPaths, withFields } from './test-support.js';

const btc = {
  v: 1,
  symbol: 'BTC/USDT',
  venue: 'binance',
  venueSymbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  stepSize: '0.00001',
  marketStepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '9000',
  minNotional: '5',
  multiplier: '1',
};

describe('Instrument', () => {
  it('accepts a Binance spot instrument', () => {
    expect(decodeMessage('Instrument', Instrument, btc)).toEqual(btc);
  });

  it('accepts one without a market step size', () => {
    expect(Instrument.safeParse(withFields(btc, { marketStepSize: undefined })).success).toBe(true);
  });

  it.each([
    ['tickSize', '0'],
    ['tickSize', 0.01],
    ['stepSize', '1e-5'],
    ['minNotional', '-5'],
    ['venueSymbol', 'BTC/USDT'],
    ['venue', 'Binance'],
    ['v', 2],
  ])('rejects %s = %j at that path', (field, value) => {
    expect(violationPaths(Instrument, withFields(btc, { [field]: value }))).toEqual([field]);
  });

  it('rejects a symbol that does not match base and quote', () => {
    expect(violationPaths(Instrument, withFields(btc, { symbol: 'ETH/USDT' }))).toEqual(['symbol']);
  });

  it('rejects minQty above maxQty, pointing at maxQty', () => {
    expect(violationPaths(Instrument, withFields(btc, { minQty: '10', maxQty: '9.5' }))).toEqual(['maxQty']);
  });

  it('names a missing field', () => {
    expect(violationPaths(Instrument, withFields(btc, { multiplier: undefined }))).toEqual(['multiplier']);
  });
});
