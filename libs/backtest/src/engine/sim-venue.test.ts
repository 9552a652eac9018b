import { describe, expect, it } from 'vitest';
import { dec, type Decimal } from '@bourse/domain';
import type { PlaceOrderRequest } from '@bourse/venues';
import { executionModel, type ExecutionConfig } from './execution.js';
import { barPath } from './liquidity.js';
import { SimVenue, type VenueReport } from './sim-venue.js';
import { VirtualClock } from './virtual-clock.js';

// The venue's fills come from the matching engine over the liquidity the data makes. These cases are
// the ones the engine-level tests (services/cli/src/backtest/execution.test.ts) do not reach.

function venue(execution: Partial<ExecutionConfig> = {}, allowShort = false) {
  const clock = new VirtualClock(0);
  const v = new SimVenue({
    clock,
    model: executionModel({ tick: '0.01', lot: '1', ...execution }),
    venue: 'backtest',
    symbol: 'TEST/USD',
    venueSymbol: 'TESTUSD',
    cash: '10000',
    allowShort,
  });
  return { v, clock };
}

let seq = 0;
function order(request: Partial<PlaceOrderRequest> & Pick<PlaceOrderRequest, 'side' | 'style'>): PlaceOrderRequest {
  return {
    clientOrderId: `o-${++seq}` as PlaceOrderRequest['clientOrderId'],
    symbol: 'TEST/USD' as PlaceOrderRequest['symbol'],
    quantity: '10',
    ...request,
  } as PlaceOrderRequest;
}

const at = (time: number, price: string, market = true) => ({
  time,
  bid: dec(price),
  ask: dec(price),
  volume: 1000,
  market,
});

function bar(time: number, o: string, h: string, l: string, c: string) {
  const d = (x: string): Decimal => dec(x);
  return {
    time,
    bid: d(o),
    ask: d(o),
    volume: 1000,
    market: false,
    range: { open: d(o), high: d(h), low: d(l), close: d(c) },
    rangeFrom: time - 1,
  };
}

const fills = (reports: VenueReport[]) =>
  reports.flatMap((r) => (r.fill === undefined ? [] : [[r.fill.side, r.fill.qty, r.fill.price, r.fill.liquidity]]));
const closes = (reports: VenueReport[]) =>
  reports.filter((r) => r.fill === undefined).map((r) => [r.update.status, r.update.reason]);

describe('bar paths', () => {
  it('go to the extreme the bar direction implies first', () => {
    expect(barPath({ open: dec('100'), high: dec('110'), low: dec('90'), close: dec('105') }).map(String)).toEqual([
      '100',
      '90',
      '110',
      '105',
    ]);
    expect(barPath({ open: dec('100'), high: dec('110'), low: dec('90'), close: dec('95') }).map(String)).toEqual([
      '100',
      '110',
      '90',
      '95',
    ]);
    // Flat: the nearer extreme first; without a close NautilusTrader's open, high, low.
    expect(barPath({ open: dec('100'), high: dec('101'), low: dec('90'), close: dec('100') }).map(String)).toEqual([
      '100',
      '101',
      '90',
      '100',
    ]);
    expect(barPath({ open: dec('100'), high: dec('110'), low: dec('90') }).map(String)).toEqual(['100', '110', '90']);
  });

  it('fill resting limit orders in the order the path meets them, at their own prices, as makers', async () => {
    for (const [close, first] of [
      ['105', 'BUY'],
      ['95', 'SELL'],
    ] as const) {
      const { v, clock } = venue({}, true);
      clock.set(1000);
      v.onPrice(at(1000, '100'));
      await v.placeOrder(order({ side: 'BUY', style: 'limit', price: '92', timeInForce: 'GTC' }));
      await v.placeOrder(order({ side: 'SELL', style: 'limit', price: '108', timeInForce: 'GTC' }));
      expect(v.drain()).toEqual([]);
      clock.set(2000);
      v.onPrice(bar(2000, '100', '110', '90', close));
      const got = fills(v.drain());
      expect(got.map((f) => f[0])).toEqual(first === 'BUY' ? ['BUY', 'SELL'] : ['SELL', 'BUY']);
      expect(got.map((f) => [f[2], f[3]])).toEqual(
        first === 'BUY'
          ? [
              ['92', 'maker'],
              ['108', 'maker'],
            ]
          : [
              ['108', 'maker'],
              ['92', 'maker'],
            ],
      );
    }
  });

  it('stop at every price where an order waits, in the order the leg passes them', async () => {
    const { v, clock } = venue({}, true);
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'SELL', style: 'limit', price: '108', timeInForce: 'GTC' }));
    await v.placeOrder(order({ side: 'BUY', style: 'stop', stopPrice: '106', quantity: '5' }));
    await v.placeOrder(order({ side: 'SELL', style: 'limit', price: '104', timeInForce: 'GTC' }));
    clock.set(2000);
    v.onPrice(bar(2000, '100', '110', '99', '95'));
    expect(fills(v.drain())).toEqual([
      ['SELL', '10', '104', 'maker'],
      ['BUY', '5', '106', 'taker'],
      ['SELL', '10', '108', 'maker'],
    ]);
  });

  it('trigger a resting stop where the path reaches it; it takes the liquidity around the stop, spread and slippage', async () => {
    const { v, clock } = venue({ spreadBps: '100', slippageBps: '10' });
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'stop', stopPrice: '104' }));
    clock.set(2000);
    v.onPrice(bar(2000, '100', '110', '90', '95'));
    // 104 × 1.005 = 104.52 (the ask around the stop), × 1.001 = 104.62452 → 104.63.
    expect(fills(v.drain())).toEqual([['BUY', '10', '104.63', 'taker']]);
  });
});

describe('jumps (a new open or quote)', () => {
  it('fill a resting limit the market went through at the new touch (taker), one exactly at it as maker', async () => {
    const { v, clock } = venue();
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'limit', price: '97', timeInForce: 'GTC' }));
    await v.placeOrder(order({ side: 'BUY', style: 'limit', price: '95', timeInForce: 'GTC' }));
    clock.set(2000);
    v.onPrice(at(2000, '95'));
    // The 95 rests exactly at the new touch and trades with it first; the 97 re-enters and takes it.
    expect(fills(v.drain())).toEqual([
      ['BUY', '10', '95', 'maker'],
      ['BUY', '10', '95', 'taker'],
    ]);
  });

  it('a resting limit-maker the market jumps through fills at the new touch like any limit', async () => {
    const { v, clock } = venue();
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'limit-maker', price: '98' }));
    clock.set(2000);
    v.onPrice(at(2000, '96'));
    expect(fills(v.drain())).toEqual([['BUY', '10', '96', 'taker']]);
  });

  it('a market buy and a market sell both trade at a trade price (a locked touch)', async () => {
    const { v, clock } = venue({}, true);
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'market' }));
    await v.placeOrder(order({ side: 'SELL', style: 'market', quantity: '15' }));
    expect(fills(v.drain())).toEqual([
      ['BUY', '10', '100', 'taker'],
      ['SELL', '15', '100', 'taker'],
    ]);
    expect(v.position().toString()).toBe('-5');
    expect(v.cash().toString()).toBe('10500');
  });
});

describe('order types are the engine’s', () => {
  it('a limit-maker that would take, and an IOC limit that does not trade, expire', async () => {
    const { v, clock } = venue();
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'limit-maker', price: '101' }));
    await v.placeOrder(order({ side: 'BUY', style: 'limit', price: '99', timeInForce: 'IOC' }));
    const reports = v.drain();
    expect(fills(reports)).toEqual([]);
    expect(closes(reports).map((c) => c[0])).toEqual(['expired', 'expired']);
    expect(v.workingCount).toBe(0);
  });

  it('a resting short sale borrows its base, and gives it back when it ends unfilled', async () => {
    const { v, clock } = venue({}, true);
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'SELL', style: 'limit', price: '105', timeInForce: 'GTC' }));
    expect(v.position().toString()).toBe('0');
    expect(v.equity(dec('100')).toString()).toBe('10000');
    v.cancelAll('the data ended');
    expect(closes(v.drain())).toEqual([['canceled', 'the data ended']]);
    expect(v.position().toString()).toBe('0');
    expect(v.cash().toString()).toBe('10000');
  });

  it('a buy limit locks its cash on the book, and the equity still counts it', async () => {
    const { v, clock } = venue();
    clock.set(1000);
    v.onPrice(at(1000, '100'));
    await v.placeOrder(order({ side: 'BUY', style: 'limit', price: '90', quantity: '100', timeInForce: 'GTC' }));
    expect(v.equity(dec('100')).toString()).toBe('10000');
    expect(v.sizeQuoteOrder('BUY', dec('10000')).toString()).toBe('10');
  });
});
