import { describe, it, expect } from 'vitest';
import { decodeMessage } from '../decode.js';
import { violationPaths } from '../test-support.js';
import { ExecutionEvent } from './execution-event.js';
import { FillEvent } from './fill-event.js';
import { OrderStatusUpdate } from './order-status-update.js';

const partial = {
  v: 1,
  type: 'order-status',
  eventId: 'binance:exec:BTCUSDT:28:3',
  venue: 'binance',
  instrument: 'BTC/USDT',
  clientOrderId: 'bsm-sma-cross-000001',
  venueOrderId: '28',
  status: 'partially-filled',
  filledQty: '0.004',
  cumulativeQuoteQty: '256.0004',
  avgPrice: '64000.1',
  venueTime: 1_700_000_000_100,
};

const fill = {
  v: 1,
  type: 'fill',
  eventId: 'binance:fill:BTCUSDT:12345',
  venue: 'binance',
  venueFillId: '12345',
  clientOrderId: 'bsm-sma-cross-000001',
  venueOrderId: '28',
  instrument: 'BTC/USDT',
  side: 'BUY',
  qty: '0.004',
  price: '64000.1',
  fee: '0.000004',
  feeAsset: 'BTC',
  liquidity: 'maker',
  venueTime: 1_700_000_000_100,
};

describe('OrderStatusUpdate', () => {
  it('accepts a partial fill update', () => {
    expect(decodeMessage('OrderStatusUpdate', OrderStatusUpdate, partial)).toEqual(partial);
  });

  it('accepts a rejection before the venue gave an order id', () => {
    const rejected = {
      ...partial,
      status: 'rejected',
      venueOrderId: undefined,
      filledQty: '0',
      cumulativeQuoteQty: '0',
      avgPrice: undefined,
      reason: 'Account has insufficient balance for requested action.',
    };
    expect(OrderStatusUpdate.safeParse(rejected).success).toBe(true);
    for (const rejectedBy of ['venue', 'bourse'] as const) {
      expect(decodeMessage('OrderStatusUpdate', OrderStatusUpdate, { ...rejected, rejectedBy }).rejectedBy).toBe(
        rejectedBy,
      );
    }
  });

  it('accepts an order Bourse let expire unsent, with the age of its decision', () => {
    const expired = {
      ...partial,
      status: 'expired',
      venueOrderId: undefined,
      filledQty: '0',
      cumulativeQuoteQty: '0',
      avgPrice: undefined,
      reason: 'expired: decision 7300 ms old, shelf life 5000 ms; not sent',
      decisionAgeMs: 7_300,
    };
    expect(decodeMessage('OrderStatusUpdate', OrderStatusUpdate, expired).decisionAgeMs).toBe(7_300);
  });

  it.each([
    ['a decision age on an order that did not expire', { ...partial, decisionAgeMs: 10 }, ['decisionAgeMs']],
    [
      'filled with nothing filled',
      { ...partial, status: 'filled', filledQty: '0', cumulativeQuoteQty: '0', avgPrice: undefined },
      ['filledQty'],
    ],
    [
      'an average price before any fill',
      { ...partial, status: 'new', filledQty: '0', cumulativeQuoteQty: '0' },
      ['avgPrice'],
    ],
    [
      'quote spent before any fill',
      { ...partial, status: 'new', filledQty: '0', avgPrice: undefined },
      ['cumulativeQuoteQty'],
    ],
    ['an unknown status', { ...partial, status: 'done' }, ['status']],
    ['a negative filled qty', { ...partial, filledQty: '-0.004' }, ['filledQty']],
    ['a missing event id', { ...partial, eventId: undefined }, ['eventId']],
    ['who rejected on an order that was not rejected', { ...partial, rejectedBy: 'venue' }, ['rejectedBy']],
    [
      'an unknown rejecter',
      {
        ...partial,
        status: 'rejected',
        filledQty: '0',
        cumulativeQuoteQty: '0',
        avgPrice: undefined,
        rejectedBy: 'oms',
      },
      ['rejectedBy'],
    ],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(OrderStatusUpdate, value)).toEqual(paths);
  });
});

describe('FillEvent', () => {
  it('accepts a maker fill, and a rebate as a negative fee', () => {
    expect(decodeMessage('FillEvent', FillEvent, fill)).toEqual(fill);
    expect(FillEvent.safeParse({ ...fill, fee: '-0.01', feeAsset: 'USDT' }).success).toBe(true);
  });

  it.each([
    ['a zero qty', { ...fill, qty: '0' }, ['qty']],
    ['a float price', { ...fill, price: 64000.1 }, ['price']],
    ['an unknown liquidity', { ...fill, liquidity: 'MAKER' }, ['liquidity']],
    ['a lower-case fee asset', { ...fill, feeAsset: 'bnb' }, ['feeAsset']],
    ['a missing venue fill id', { ...fill, venueFillId: '' }, ['venueFillId']],
    ['a missing venue order id', { ...fill, venueOrderId: undefined }, ['venueOrderId']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(FillEvent, value)).toEqual(paths);
  });
});

describe('ExecutionEvent', () => {
  it('tells the two event types apart by type', () => {
    const events = [partial, fill].map((e) => decodeMessage('ExecutionEvent', ExecutionEvent, e));
    expect(events.map((e) => e.type)).toEqual(['order-status', 'fill']);
    const [first, second] = events;
    expect(first?.type === 'order-status' && first.status).toBe('partially-filled');
    expect(second?.type === 'fill' && second.venueFillId).toBe('12345');
  });

  it('applies the member schema, refinements included', () => {
    expect(violationPaths(ExecutionEvent, { ...fill, price: '-1' })).toEqual(['price']);
    expect(
      violationPaths(ExecutionEvent, {
        ...partial,
        status: 'filled',
        filledQty: '0',
        cumulativeQuoteQty: '0',
        avgPrice: undefined,
      }),
    ).toEqual(['filledQty']);
  });

  it('rejects an unknown type at type', () => {
    expect(violationPaths(ExecutionEvent, { ...fill, type: 'trade' })).toEqual(['type']);
  });
});
