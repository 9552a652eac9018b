import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec } from '@bourse/domain';
import { fixedQty, fractionOfEquity } from './order-size.js';
import { targetPositionOrders, type OrderLeg } from './target-position.js';
import { targetFor } from './sizing-params.js';
import { InvalidSizingError } from '../sdk/errors.js';

const legs = (ls: OrderLeg[]) => ls.map((l) => [l.side, l.qty ?? `q${l.quoteQty}`, l.reduceOnly, l.purpose]);

describe('fixedQty', () => {
  it('returns the qty, rounded down to a lot when one is given', () => {
    expect(fixedQty('0.5')).toEqual({ qty: '0.5' });
    expect(fixedQty('1.2345', '0.01')).toEqual({ qty: '1.23' });
    expect(fixedQty('3.9', '1')).toEqual({ qty: '3' });
  });
  it('refuses zero, negative, non-decimal and sub-lot quantities', () => {
    expect(() => fixedQty('0')).toThrow(InvalidSizingError);
    expect(() => fixedQty('-1')).toThrow(/greater than zero/);
    expect(() => fixedQty('1e3')).toThrow(/not a decimal string/);
    expect(() => fixedQty('0.004', '0.01')).toThrow(/less than one lot/);
  });
});

describe('fractionOfEquity', () => {
  it('gives a quoteQty of fraction × equity without a price', () => {
    expect(fractionOfEquity({ equity: '1000', fraction: '0.25' })).toEqual({ quoteQty: '250' });
    expect(fractionOfEquity({ equity: '1234.5678', fraction: '1' })).toEqual({ quoteQty: '1234.5678' });
  });
  it('given a price and lot, rounds the qty DOWN to the lot (whole units with lot 1)', () => {
    // 1000 / 30000 = 0.0333.. → 0.033 with lot 0.001
    expect(fractionOfEquity({ equity: '1000', fraction: '1', price: '30000', lot: '0.001' })).toEqual({ qty: '0.033' });
    // 999.99 / 100 = 9.9999 → 9 whole units
    expect(fractionOfEquity({ equity: '999.99', fraction: '1', price: '100', lot: '1' })).toEqual({ qty: '9' });
    // exactly 10 units is 10, not 9: the count is exact, not floated
    expect(fractionOfEquity({ equity: '1000', fraction: '0.1', price: '10', lot: '1' })).toEqual({ qty: '10' });
  });
  it('is undefined when equity is unknown, not positive, or buys less than one lot', () => {
    expect(fractionOfEquity({ equity: undefined, fraction: '1' })).toBeUndefined();
    expect(fractionOfEquity({ equity: '0', fraction: '1' })).toBeUndefined();
    expect(fractionOfEquity({ equity: '-5', fraction: '1' })).toBeUndefined();
    expect(fractionOfEquity({ equity: '50', fraction: '1', price: '100', lot: '1' })).toBeUndefined();
  });
  it('refuses a fraction outside (0, 1] and a price without a lot', () => {
    expect(() => fractionOfEquity({ equity: '1', fraction: '1.01' })).toThrow(/at most 1/);
    expect(() => fractionOfEquity({ equity: '1', fraction: '0' })).toThrow(/greater than zero/);
    expect(() => fractionOfEquity({ equity: '1', fraction: '1', price: '3' })).toThrow(/lot/);
  });
  it('never spends more than the fraction and leaves less than one lot unspent (random)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('1', '0.1', '0.001'),
        (equityCents, pct, priceCents, lot) => {
          const equity = dec(equityCents).div(dec(100), 2);
          const fraction = dec(pct).div(dec(100), 2);
          const price = dec(priceCents).div(dec(100), 2);
          const size = fractionOfEquity({ equity, fraction, price, lot });
          const budget = equity.times(fraction);
          const qty = size && 'qty' in size ? dec(size.qty) : dec(0);
          expect(qty.times(price).lte(budget)).toBe(true);
          expect(qty.plus(dec(lot)).times(price).gt(budget)).toBe(true);
          expect(qty.isMultipleOf(dec(lot))).toBe(true);
        },
      ),
    );
  });
});

describe('targetPositionOrders', () => {
  it('opens, increases, reduces and closes with the right sides and reduce-only flags', () => {
    expect(legs(targetPositionOrders('0', '2', 'long-only'))).toEqual([['BUY', '2', false, 'open']]);
    expect(legs(targetPositionOrders('2', '5', 'long-only'))).toEqual([['BUY', '3', false, 'increase']]);
    expect(legs(targetPositionOrders('5', '2', 'long-only'))).toEqual([['SELL', '3', true, 'reduce']]);
    expect(legs(targetPositionOrders('2', '0', 'long-only'))).toEqual([['SELL', '2', true, 'close']]);
    expect(legs(targetPositionOrders('2', '2', 'long-only'))).toEqual([]);
    expect(legs(targetPositionOrders('-2', '-3', 'long-short'))).toEqual([['SELL', '1', false, 'increase']]);
  });
  it('flips as close then open in long-short, and only closes in long-only', () => {
    expect(legs(targetPositionOrders('2', '-3', 'long-short'))).toEqual([
      ['SELL', '2', true, 'close'],
      ['SELL', '3', false, 'open'],
    ]);
    expect(legs(targetPositionOrders('-1.5', '1', 'long-short'))).toEqual([
      ['BUY', '1.5', true, 'close'],
      ['BUY', '1', false, 'open'],
    ]);
    expect(legs(targetPositionOrders('2', '-3', 'long-only'))).toEqual([['SELL', '2', true, 'close']]);
    expect(legs(targetPositionOrders('0', '-3', 'long-only'))).toEqual([]);
  });
  it('enters a quote-notional target from flat or after closing the other side, never tops up', () => {
    const long = { direction: 'long', quoteQty: '500' } as const;
    const short = { direction: 'short', quoteQty: '500' } as const;
    expect(legs(targetPositionOrders('0', long, 'long-only'))).toEqual([['BUY', 'q500', false, 'open']]);
    expect(legs(targetPositionOrders('0.1', long, 'long-only'))).toEqual([]);
    expect(legs(targetPositionOrders('0.1', short, 'long-short'))).toEqual([
      ['SELL', '0.1', true, 'close'],
      ['SELL', 'q500', false, 'open'],
    ]);
    expect(legs(targetPositionOrders('0.1', short, 'long-only'))).toEqual([['SELL', '0.1', true, 'close']]);
    expect(() => targetPositionOrders('0', { direction: 'long', quoteQty: '0' }, 'long-only')).toThrow(/quoteQty/);
  });
  it('reaches the target exactly, and a reduce-only leg never crosses zero (random)', () => {
    const amount = fc.integer({ min: -1000, max: 1000 }).map((n) => dec(n).div(dec(10), 1));
    fc.assert(
      fc.property(amount, amount, fc.constantFrom('long-only', 'long-short' as const), (cur, tgt, mode) => {
        let pos = cur;
        for (const leg of targetPositionOrders(cur, tgt, mode as 'long-only' | 'long-short')) {
          const signed = leg.side === 'BUY' ? dec(leg.qty!) : dec(leg.qty!).neg();
          const next = pos.plus(signed);
          if (leg.reduceOnly) expect(next.sign() === 0 || next.sign() === pos.sign()).toBe(true);
          expect(dec(leg.qty!).isPositive()).toBe(true);
          pos = next;
        }
        const expected = mode === 'long-only' && tgt.isNegative() ? dec(0) : tgt;
        expect(pos.eq(expected)).toBe(true);
      }),
    );
  });
});

describe('targetFor', () => {
  it('maps a direction to ±qty or to a quote notional of the equity', () => {
    expect(targetFor('long', { kind: 'qty', qty: '2' }, undefined).target).toBe('2');
    expect(targetFor('short', { kind: 'qty', qty: '2' }, undefined).target).toBe('-2');
    expect(targetFor('long', { kind: 'fraction', fraction: '1' }, '800').target).toEqual({
      direction: 'long',
      quoteQty: '800',
    });
    // Unknown equity: the entry cannot be sized, so the target is flat (an opposite position still closes).
    const unknown = targetFor('long', { kind: 'fraction', fraction: '1' }, undefined);
    expect(unknown.target.toString()).toBe('0');
    expect(unknown.inputs).toEqual({ sizeFraction: '1', equity: 'unknown' });
  });
});
