import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Decimal, dec } from './decimal.js';
import { InvalidArgumentError } from './errors.js';
import { spotInstrument } from './instrument.js';
import { quantityStep, roundPrice, roundQty, roundToTick } from './rounding.js';
import { validateOrder } from './validate-order.js';

const spec = spotInstrument('BTC/USDT', 'binance', 'BTCUSDT', {
  tickSize: dec('0.01'),
  minPrice: dec('0.01'),
  maxPrice: dec('1000000'),
  stepSize: dec('0.00001'),
  minQty: dec('0.00001'),
  maxQty: dec('9000'),
  marketStepSize: dec('0.00004'),
  marketMaxQty: dec('100'),
  minNotional: dec('5'),
  minNotionalAppliesToMarket: true,
  maxNotional: dec('9000000'),
  priceBand: { bidUp: dec('5'), bidDown: dec('0.2'), askUp: dec('5'), askDown: dec('0.2'), avgPriceMins: 5 },
  maxNumOrders: 200,
  maxNumAlgoOrders: 5,
});

describe('roundPrice', () => {
  it('rounds a passive buy down and a passive sell up', () => {
    expect(roundPrice(spec, dec('27123.456'), 'BUY').toString()).toBe('27123.45');
    expect(roundPrice(spec, dec('27123.451'), 'SELL').toString()).toBe('27123.46');
    expect(roundPrice(spec, dec('27123.45'), 'SELL').toString()).toBe('27123.45');
  });

  it('rounds toward the market when asked, or to the nearest tick', () => {
    expect(roundPrice(spec, dec('27123.451'), 'BUY', 'aggressive').toString()).toBe('27123.46');
    expect(roundPrice(spec, dec('27123.459'), 'SELL', 'aggressive').toString()).toBe('27123.45');
    expect(roundPrice(spec, dec('27123.455'), 'SELL', 'nearest').toString()).toBe('27123.46');
    expect(roundPrice(spec, dec('27123.445'), 'BUY', 'nearest').toString()).toBe('27123.44');
  });

  it('refuses a price that is not above zero or a bad side', () => {
    expect(() => roundPrice(spec, dec('0'), 'BUY')).toThrow(InvalidArgumentError);
    expect(() => roundPrice(spec, dec('-1'), 'SELL')).toThrow(InvalidArgumentError);
    expect(() => roundPrice(spec, dec('1'), 'HOLD' as 'BUY')).toThrow(/side/);
    expect(() => roundPrice(spec, dec('1'), 'BUY', 'closest' as 'nearest')).toThrow(/passive/);
    expect(roundToTick(dec('1.234'), undefined, 'floor').toString()).toBe('1.234');
  });
});

describe('roundQty', () => {
  it('rounds down to the lot step, and for market orders to both steps', () => {
    expect(roundQty(spec, dec('0.123456789')).toString()).toBe('0.12345');
    expect(quantityStep(spec, true)?.toString()).toBe('0.00004');
    expect(roundQty(spec, dec('0.123456789'), { market: true }).toString()).toBe('0.12344');
    const odd = spotInstrument('A/B', 'binance', 'AB', { stepSize: dec('0.04'), marketStepSize: dec('0.06') });
    expect(quantityStep(odd, true)?.toString()).toBe('0.12');
    expect(roundQty(odd, dec('1'), { market: true }).toString()).toBe('0.96');
    expect(() => roundQty(spec, dec('-1'))).toThrow(InvalidArgumentError);
  });
});

describe('rounding properties', () => {
  const positive = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 10 }))
    .map(([u, s]) => Decimal.fromUnits(u, s));
  const step = fc
    .tuple(fc.constantFrom(1n, 2n, 5n, 25n), fc.integer({ min: 0, max: 8 }))
    .map(([u, s]) => Decimal.fromUnits(u, s));

  it('never yields a price off the tick grid, and never crosses to the aggressive side when passive', () => {
    fc.assert(
      fc.property(positive, step, fc.constantFrom('BUY' as const, 'SELL' as const), (price, tick, side) => {
        const s = spotInstrument('A/B', 'binance', 'AB', { tickSize: tick });
        const r = roundPrice(s, price, side);
        expect(r.isMultipleOf(tick)).toBe(true);
        if (side === 'BUY') expect(r.lte(price)).toBe(true);
        else expect(r.gte(price)).toBe(true);
        expect(r.minus(price).abs().lt(tick)).toBe(true);
      }),
    );
  });

  it('never yields a quantity off the step grid or above the input', () => {
    fc.assert(
      fc.property(positive, step, step, fc.boolean(), (qty, lot, marketLot, market) => {
        const s = spotInstrument('A/B', 'binance', 'AB', { stepSize: lot, marketStepSize: marketLot });
        const r = roundQty(s, qty, { market });
        expect(r.isMultipleOf(lot)).toBe(true);
        if (market) expect(r.isMultipleOf(marketLot)).toBe(true);
        expect(r.lte(qty)).toBe(true);
        expect(r.isNegative()).toBe(false);
      }),
    );
  });
});

describe('validateOrder', () => {
  it('accepts a good limit order', () => {
    const v = validateOrder(
      spec,
      { side: 'BUY', style: 'limit', price: dec('27000.10'), quantity: dec('0.001') },
      { referencePrice: dec('27100'), openOrders: 3 },
    );
    expect(v).toEqual({ ok: true, violations: [], unchecked: [] });
  });

  it('reports every violated rule with the numbers involved', () => {
    const v = validateOrder(
      { ...spec, trading: false },
      { side: 'SELL', style: 'limit', price: dec('1000000.005'), quantity: dec('0.0000005') },
      { referencePrice: dec('27000'), openOrders: 200 },
    );
    expect(v.ok).toBe(false);
    const got = v.violations.map((x) => [x.filter, x.rule, x.field, x.value, x.limit]);
    expect(got).toEqual([
      ['STATUS', 'not-trading', 'symbol', undefined, undefined],
      ['PRICE_FILTER', 'above-max', 'price', '1000000.005', '1000000'],
      ['PRICE_FILTER', 'off-grid', 'price', '1000000.005', '0.01'],
      ['LOT_SIZE', 'below-min', 'quantity', '0.0000005', '0.00001'],
      ['LOT_SIZE', 'off-grid', 'quantity', '0.0000005', '0.00001'],
      ['NOTIONAL', 'below-min', 'notional', '0.5000000025', '5'],
      ['PERCENT_PRICE_BY_SIDE', 'above-max', 'price', '1000000.005', '135000'],
      ['MAX_NUM_ORDERS', 'too-many', 'openOrders', '200', '200'],
    ]);
    expect(v.violations[3]?.message).toBe('quantity 0.0000005 is below the minimum 0.00001');
  });

  it('checks market orders against MARKET_LOT_SIZE and the reference price, and says what it could not check', () => {
    const v = validateOrder(
      spec,
      { side: 'BUY', style: 'market', quantity: dec('100.00002') },
      { referencePrice: dec('27000') },
    );
    expect(v.violations.map((x) => `${x.filter}:${x.rule}`)).toEqual([
      'MARKET_LOT_SIZE:above-max',
      'MARKET_LOT_SIZE:off-grid',
    ]);
    const blind = validateOrder(spec, { side: 'BUY', style: 'market', quantity: dec('0.00012') });
    expect(blind.ok).toBe(true);
    expect(blind.unchecked).toEqual([{ filter: 'NOTIONAL', reason: 'market order without a reference price' }]);
    const quote = validateOrder(spec, { side: 'BUY', style: 'market', quoteQuantity: dec('4.99') });
    expect(quote.violations.map((x) => [x.rule, x.value])).toEqual([['below-min', '4.99']]);
  });

  it('reports missing and non-positive fields instead of throwing', () => {
    const v = validateOrder(spec, { side: 'BUY', style: 'stop-limit', quantity: dec('-1') }, { openAlgoOrders: 5 });
    expect(v.violations.map((x) => `${x.rule}:${x.field}`)).toEqual([
      'missing:price',
      'missing:stopPrice',
      'not-positive:quantity',
      'too-many:openAlgoOrders',
    ]);
    const q = validateOrder(spec, { side: 'BUY', style: 'limit', price: dec('1'), quoteQuantity: dec('10') });
    expect(q.violations.map((x) => `${x.rule}:${x.field}`)).toEqual(['missing:quantity', 'not-allowed:quoteQuantity']);
  });
});
