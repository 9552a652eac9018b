import { describe, it, expect } from 'vitest';
import btcusdt from './test-data/binance-btcusdt.json' with { type: 'json' };
import { binanceSymbolToInstrument, type BinanceSymbolInfo } from './binance-instrument.js';
import { dec } from './decimal.js';
import { InvalidArgumentError, InvalidInstrumentError, UnknownInstrumentError } from './errors.js';
import { instrumentFromJson, instrumentToJson, spotInstrument } from './instrument.js';
import { InstrumentRegistry, formatVenueSymbol, parseVenueSymbol } from './instrument-registry.js';

const info = btcusdt as BinanceSymbolInfo;

describe('binanceSymbolToInstrument', () => {
  it('reads every filter we use from a captured exchangeInfo entry and ignores the others', () => {
    const spec = binanceSymbolToInstrument(info);
    expect(spec.symbol).toBe('BTC/USDT');
    expect(spec.venueSymbol).toBe('BTCUSDT');
    expect(spec.venue).toBe('binance');
    expect(spec.trading).toBe(true);
    expect(spec.tickSize?.toString()).toBe('0.01');
    expect(spec.minPrice?.toString()).toBe('0.01');
    expect(spec.maxPrice?.toString()).toBe('1000000');
    expect(spec.stepSize?.toString()).toBe('0.00001');
    expect(spec.minQty?.toString()).toBe('0.00001');
    expect(spec.maxQty?.toString()).toBe('9000');
    // "0" disables a rule: MARKET_LOT_SIZE here only caps the quantity.
    expect(spec.marketStepSize).toBeUndefined();
    expect(spec.marketMinQty).toBeUndefined();
    expect(spec.marketMaxQty?.toString()).toBe('120.5');
    expect(spec.minNotional?.toString()).toBe('5');
    expect(spec.minNotionalAppliesToMarket).toBe(true);
    expect(spec.maxNotional?.toString()).toBe('9000000');
    expect(spec.maxNotionalAppliesToMarket).toBe(false);
    expect(spec.priceBand?.bidUp.toString()).toBe('5');
    expect(spec.priceBand?.askDown.toString()).toBe('0.2');
    expect(spec.priceBand?.avgPriceMins).toBe(5);
    expect(spec.maxNumOrders).toBe(200);
    expect(spec.maxNumAlgoOrders).toBe(5);
    expect(spec.multiplier.toString()).toBe('1');
    expect(spec.basePrecision).toBe(8);
  });

  it('takes the stricter of MIN_NOTIONAL and NOTIONAL, and PERCENT_PRICE as a two-sided band', () => {
    const spec = binanceSymbolToInstrument({
      symbol: 'ETHBTC',
      status: 'BREAK',
      baseAsset: 'ETH',
      quoteAsset: 'BTC',
      filters: [
        { filterType: 'MIN_NOTIONAL', minNotional: '0.001', applyToMarket: false, avgPriceMins: 5 },
        { filterType: 'NOTIONAL', minNotional: '0.0001', applyMinToMarket: true, maxNotional: '0' },
        { filterType: 'PERCENT_PRICE', multiplierUp: '1.3', multiplierDown: '0.7', avgPriceMins: 0 },
      ],
    });
    expect(spec.trading).toBe(false);
    expect(spec.minNotional?.toString()).toBe('0.001');
    expect(spec.minNotionalAppliesToMarket).toBe(false);
    expect(spec.maxNotional).toBeUndefined();
    expect(spec.priceBand?.askUp.toString()).toBe('1.3');
    expect(spec.priceBand?.bidDown.toString()).toBe('0.7');
  });

  it('lists every malformed field at once', () => {
    const bad = {
      ...info,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: 0.01, maxPrice: '1e6', tickSize: '0.01' },
        { filterType: 'LOT_SIZE', minQty: '-1', maxQty: '10', stepSize: '0.1' },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: '200' },
      ],
    } as unknown as BinanceSymbolInfo;
    try {
      binanceSymbolToInstrument(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInstrumentError);
      const problems = (error as InvalidInstrumentError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PRICE_FILTER.minPrice 0.01/);
      expect(problems.join('\n')).toMatch(/PRICE_FILTER.maxPrice "1e6"/);
      expect(problems.join('\n')).toMatch(/LOT_SIZE.minQty "-1"/);
      expect(problems.join('\n')).toMatch(/MAX_NUM_ORDERS.maxNumOrders "200"/);
    }
    expect(() => binanceSymbolToInstrument({ ...info, baseAsset: 'btc' })).toThrow(/BASE\/QUOTE/);
    expect(() => binanceSymbolToInstrument({ ...info, filters: 'x' } as unknown as BinanceSymbolInfo)).toThrow(
      /filters is not an array/,
    );
  });
});

describe('InstrumentSpec JSON', () => {
  it('round-trips through decimal strings', () => {
    const spec = binanceSymbolToInstrument(info);
    const json = instrumentToJson(spec);
    expect(json.tickSize).toBe('0.01');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(instrumentToJson(instrumentFromJson(JSON.parse(JSON.stringify(json))))).toEqual(json);
  });

  it('names every bad field when reading back', () => {
    const json = { ...instrumentToJson(binanceSymbolToInstrument(info)), tickSize: 0.01, multiplier: 'one' };
    expect(() => instrumentFromJson(json)).toThrow(/tickSize.*multiplier|multiplier.*tickSize/s);
  });
});

describe('InstrumentRegistry', () => {
  const btc = binanceSymbolToInstrument(info);
  const eth = spotInstrument('ETH/USDT', 'binance', 'ETHUSDT', { tickSize: dec('0.01') });

  it('looks up by internal and venue symbol, case-insensitively for the venue', () => {
    const reg = new InstrumentRegistry('binance', [btc, eth]);
    expect(reg.get('BTC/USDT')).toBe(btc);
    expect(reg.byVenueSymbol('btcusdt')).toBe(btc);
    expect(reg.toVenueSymbol('ETH/USDT')).toBe('ETHUSDT');
    expect(reg.toInternalSymbol('ETHUSDT')).toBe('ETH/USDT');
    expect(reg.list().map((s) => s.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(() => reg.require('DOGE/USDT')).toThrow(UnknownInstrumentError);
    expect(() => reg.toInternalSymbol('DOGEUSDT')).toThrow(UnknownInstrumentError);
  });

  it('serves venues that write BTC-USDT', () => {
    const reg = new InstrumentRegistry('okx', [
      spotInstrument('BTC/USDT', 'okx', formatVenueSymbol('BTC', 'USDT', 'dash')),
    ]);
    expect(reg.toVenueSymbol('BTC/USDT')).toBe('BTC-USDT');
    expect(reg.toInternalSymbol('btc-usdt')).toBe('BTC/USDT');
    expect(parseVenueSymbol('btc-usdt', 'dash')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(formatVenueSymbol('btc', 'usdt', 'underscore')).toBe('BTC_USDT');
    expect(() => parseVenueSymbol('BTCUSDT', 'concat')).toThrow(InvalidArgumentError);
    expect(() => parseVenueSymbol('BTC-USDT-X', 'dash')).toThrow(InvalidArgumentError);
  });

  it('refuses another venue, duplicates and venue-symbol clashes without changing anything', () => {
    const reg = new InstrumentRegistry('binance', [btc]);
    expect(() => reg.upsert(spotInstrument('ETH/USDT', 'okx', 'ETH-USDT'))).toThrow(/venue/);
    expect(() => reg.replaceAll([btc, btc])).toThrow(/twice/);
    expect(reg.size).toBe(1);
    expect(() => reg.upsert(spotInstrument('XBT/USDT', 'binance', 'BTCUSDT'))).toThrow(/already belongs/);
    const renamed = { ...btc, venueSymbol: 'BTCUSDT2' };
    reg.upsert(renamed);
    expect(reg.byVenueSymbol('BTCUSDT')).toBeUndefined();
    expect(reg.byVenueSymbol('BTCUSDT2')).toBe(renamed);
    expect(() => spotInstrument('btc-usdt', 'binance', 'x')).toThrow(InvalidInstrumentError);
  });
});
