import { describe, expect, it } from 'vitest';
import { cmp, dec, divDown, floorToStep, isMultipleOf, normalise, toFixed8, toPlain } from './decimal.js';
import { checkFilters } from './filters.js';
import { symbolSpec } from './exchange-info.js';

describe('decimal', () => {
  it('formats as Binance does and keeps values exact', () => {
    expect(toFixed8('0.1')).toBe('0.10000000');
    expect(toFixed8('60000')).toBe('60000.00000000');
    expect(toFixed8('0.000000015')).toBe('0.00000001');
    expect(normalise('1.')).toBe('1');
    expect(normalise('.5')).toBe('0.5');
    expect(normalise('001.2300')).toBe('1.23');
    expect(toPlain(divDown(dec('100'), dec('3'), 4))).toBe('33.3333');
    expect(toPlain(floorToStep(dec('0.123456'), dec('0.001')))).toBe('0.123');
  });

  it('checks grids and order without floats', () => {
    expect(isMultipleOf(dec('0.3'), dec('0'), dec('0.1'))).toBe(true);
    expect(isMultipleOf(dec('50000.005'), dec('0.01'), dec('0.01'))).toBe(false);
    expect(cmp(dec('0.30000000'), dec('0.3'))).toBe(0);
    expect(() => dec('1e5')).toThrow(/not a non-negative decimal/);
  });
});

describe('filters', () => {
  const btc = symbolSpec('BTCUSDT');
  it('passes a valid order and names the first failing filter', () => {
    expect(() => checkFilters(btc, { type: 'LIMIT', quantity: '0.001', price: '60000', openOrders: 0 })).not.toThrow();
    expect(() => checkFilters(btc, { type: 'LIMIT', quantity: '0.001', price: '2000000', openOrders: 0 })).toThrow(
      'Filter failure: PRICE_FILTER',
    );
    expect(() => checkFilters(btc, { type: 'LIMIT', quantity: '10000', price: '1', openOrders: 0 })).toThrow(
      'Filter failure: LOT_SIZE',
    );
    expect(() => checkFilters(btc, { type: 'MARKET', quoteOrderQty: '4.99', openOrders: 0 })).toThrow(
      'Filter failure: NOTIONAL',
    );
    expect(() => checkFilters(btc, { type: 'LIMIT', quantity: '0.001', price: '60000', openOrders: 200 })).toThrow(
      'Filter failure: MAX_NUM_ORDERS',
    );
    expect(() =>
      checkFilters(btc, { type: 'MARKET', quantity: '0.00001', referencePrice: '60000', openOrders: 0 }),
    ).toThrow('Filter failure: NOTIONAL');
  });
});
