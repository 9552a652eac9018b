import { describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { isDecimalText, isOnGrid, normalise, parseBinanceDecimal, toFixed8 } from './binance-numbers.js';
import { checkFilters } from './filters.js';
import { symbolSpec } from './exchange-info.js';

describe('Binance numbers', () => {
  it('formats as Binance does and keeps values exact', () => {
    expect(toFixed8('0.1')).toBe('0.10000000');
    expect(toFixed8('60000')).toBe('60000.00000000');
    expect(toFixed8('0.000000015')).toBe('0.00000001');
    expect(toFixed8(dec('1.5').times(dec('0.000000011')))).toBe('0.00000001');
    expect(normalise('1.')).toBe('1');
    expect(normalise('.5')).toBe('0.5');
    expect(normalise('001.2300')).toBe('1.23');
    // The market maker's sizing: quotients and lot steps rounded down, never up.
    expect(dec('100').div(dec('3'), 4, 'down').toString()).toBe('33.3333');
    expect(dec('0.123456').roundToMultiple(dec('0.001'), 'down').toString()).toBe('0.123');
  });

  it('checks grids and order without floats', () => {
    expect(isOnGrid(dec('0.3'), dec('0'), dec('0.1'))).toBe(true);
    expect(isOnGrid(dec('50000.005'), dec('0.01'), dec('0.01'))).toBe(false);
    expect(isOnGrid(dec('50000.005'), dec('0.01'), dec('0'))).toBe(true);
    expect(dec('0.30000000').cmp(dec('0.3'))).toBe(0);
    expect(() => parseBinanceDecimal('1e5')).toThrow(/not a non-negative decimal/);
    expect(() => parseBinanceDecimal('-1')).toThrow(/not a non-negative decimal/);
  });

  it('accepts the loose syntax Binance accepts, and nothing else', () => {
    for (const ok of ['1', '0.1', '1.', '.5', '007']) expect(isDecimalText(ok)).toBe(true);
    for (const bad of ['', '.', '-1', '+1', '1e5', ' 1', '1,5', '1'.repeat(41)]) expect(isDecimalText(bad)).toBe(false);
    expect(parseBinanceDecimal('.5').eq(dec('0.5'))).toBe(true);
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
