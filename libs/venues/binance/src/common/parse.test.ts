import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { FillEvent, OrderStatusUpdate } from '@bourse/contracts';
import { InstrumentRegistry } from '@bourse/domain';
import { VenueError, VenueErrorCode } from '@bourse/venues';
import { mapBinanceError } from './errors.js';
import {
  ExchangeInfo,
  OrderResponse,
  QueriedOrder,
  CanceledOrder,
  UserDataStreamEvent,
  WsApiEventFrame,
  WsApiResponse,
} from './models.js';
import {
  mapOrderStatus,
  mapOrderType,
  mapTimeInForce,
  orderStyleToBinance,
  parseCanceledOrder,
  parseExchangeInfoInstruments,
  parseExecutionReport,
  parseOrderResponse,
  parseQueriedOrder,
  parseUserDataEvent,
} from './parse.js';

const fixture = <T = unknown>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../test-data/${name}`, import.meta.url), 'utf8')) as T;

const info = ExchangeInfo.parse(fixture('exchange-info.json'));
const { specs, skipped } = parseExchangeInfoInstruments(info, 'binance');
const registry = new InstrumentRegistry('binance', specs);
const events = fixture<Record<string, unknown>>('user-data-events.json');
const report = (status: string) => {
  const frame = WsApiEventFrame.parse(events[status]);
  const event = UserDataStreamEvent.parse(frame.event);
  if (event.e !== 'executionReport') throw new Error('fixture is not an executionReport');
  return event;
};

describe('exchangeInfo → instrument registry', () => {
  it('reads every symbol, with every filter type present, into the domain registry', () => {
    expect(skipped).toEqual([]);
    expect(registry.size).toBe(3);
    const eth = registry.require('ETH/BTC');
    expect(eth.venueSymbol).toBe('ETHBTC');
    expect(eth.tickSize?.toString()).toBe('0.000001');
    expect(eth.stepSize?.toString()).toBe('0.001');
    expect(eth.maxQty?.toString()).toBe('100000');
    expect(eth.marketMaxQty?.toString()).toBe('2000');
    // MIN_NOTIONAL (0.001) and NOTIONAL (0.0001) are both listed: the stricter minimum wins.
    expect(eth.minNotional?.toString()).toBe('0.001');
    expect(eth.maxNotional?.toString()).toBe('9000000');
    expect(eth.priceBand?.bidUp.toString()).toBe('1.2');
    expect(eth.maxNumOrders).toBe(200);
    expect(registry.toInternalSymbol('btcusdt')).toBe('BTC/USDT');
    expect(registry.require('BNB/BTC').trading).toBe(false);
  });

  it('reads rateLimits and tolerates fields it does not know', () => {
    expect(info.rateLimits.map((r) => `${r.rateLimitType}:${r.intervalNum}${r.interval}:${r.limit}`)).toEqual([
      'REQUEST_WEIGHT:1MINUTE:6000',
      'ORDERS:10SECOND:100',
      'ORDERS:1DAY:200000',
      'RAW_REQUESTS:5MINUTE:61000',
    ]);
  });

  it('skips a malformed symbol and names it, keeping the others', () => {
    const bad = ExchangeInfo.parse({
      ...info,
      symbols: [
        ...info.symbols,
        {
          symbol: 'BADBTC',
          status: 'TRADING',
          baseAsset: 'BAD',
          quoteAsset: 'BTC',
          orderTypes: ['LIMIT'],
          filters: [{ filterType: 'PRICE_FILTER', tickSize: 0.1 }],
        },
        { symbol: 'NOFILTERS' },
      ],
    });
    const parsed = parseExchangeInfoInstruments(bad, 'binance');
    expect(parsed.specs).toHaveLength(3);
    expect(parsed.skipped.map((s) => s.venueSymbol)).toEqual(['BADBTC', 'NOFILTERS']);
    expect(parsed.skipped[0]?.reason).toMatch(/tickSize/);
  });
});

describe('status, type and time-in-force mapping', () => {
  it.each([
    ['NEW', 'new'],
    ['PARTIALLY_FILLED', 'partially-filled'],
    ['FILLED', 'filled'],
    ['CANCELED', 'canceled'],
    ['PENDING_CANCEL', 'pending-cancel'],
    ['REJECTED', 'rejected'],
    ['EXPIRED', 'expired'],
    ['EXPIRED_IN_MATCH', 'expired'],
    ['PENDING_NEW', 'pending-new'],
  ])('%s → %s', (venue, bourse) => {
    expect(mapOrderStatus(venue)).toBe(bourse);
  });

  it('round-trips every order style and refuses unknown values with a typed error', () => {
    for (const style of ['market', 'limit', 'limit-maker', 'stop', 'stop-limit'] as const) {
      expect(mapOrderType(orderStyleToBinance(style))).toBe(style);
    }
    expect(mapTimeInForce('IOC', 'limit')).toBe('IOC');
    expect(mapTimeInForce('GTC', 'market')).toBeUndefined();
    expect(() => mapOrderStatus('WEIRD')).toThrow(VenueError);
    expect(() => mapOrderType('OCO_THING')).toThrow(/unknown Binance order type/);
    expect(() => mapTimeInForce('GTD', 'limit')).toThrow(/time in force/);
  });
});

describe('executionReport → OrderStatusUpdate and FillEvent', () => {
  it('NEW: status only, no fill', () => {
    const { update, fill, executionType } = parseExecutionReport(report('NEW'), registry, 'binance');
    expect(OrderStatusUpdate.safeParse(update).success).toBe(true);
    expect(update).toMatchObject({
      instrument: 'ETH/BTC',
      clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW',
      venueOrderId: '4293153',
      status: 'new',
      filledQty: '0',
      venueTime: 1499405658657,
    });
    expect(update.avgPrice).toBeUndefined();
    expect(fill).toBeUndefined();
    expect(executionType).toBe('NEW');
  });

  it('PARTIALLY_FILLED: a maker fill with its commission, trade id and cumulative quantity', () => {
    const { update, fill } = parseExecutionReport(report('PARTIALLY_FILLED'), registry, 'binance');
    expect(update).toMatchObject({
      status: 'partially-filled',
      filledQty: '0.4',
      cumulativeQuoteQty: '0.04105764',
      avgPrice: '0.1026441',
    });
    expect(fill).toBeDefined();
    expect(FillEvent.safeParse(fill).success).toBe(true);
    expect(fill).toMatchObject({
      venueFillId: 'ETHBTC:12345',
      clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW',
      venueOrderId: '4293153',
      instrument: 'ETH/BTC',
      side: 'BUY',
      qty: '0.4',
      price: '0.1026441',
      fee: '0.00000041',
      feeAsset: 'BNB',
      liquidity: 'maker',
      venueTime: 1499405658699,
    });
  });

  it('FILLED: a taker fill; the cumulative quantity reaches the order quantity', () => {
    const { update, fill } = parseExecutionReport(report('FILLED'), registry, 'binance');
    expect(update).toMatchObject({ status: 'filled', filledQty: '1' });
    expect(fill).toMatchObject({
      qty: '0.6',
      price: '0.10264',
      liquidity: 'taker',
      feeAsset: 'ETH',
      venueFillId: 'ETHBTC:12346',
    });
  });

  it('CANCELED and PENDING_CANCEL: the order is named by its original id, not the cancel request id', () => {
    const canceled = parseExecutionReport(report('CANCELED'), registry, 'binance');
    expect(canceled.update).toMatchObject({
      status: 'canceled',
      clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW',
      filledQty: '0.4',
    });
    expect(canceled.fill).toBeUndefined();
    expect(parseExecutionReport(report('PENDING_CANCEL'), registry, 'binance').update.status).toBe('pending-cancel');
  });

  it('REJECTED, EXPIRED and EXPIRED_IN_MATCH carry their reason and no fill', () => {
    const rejected = parseExecutionReport(report('REJECTED'), registry, 'binance');
    expect(rejected.update).toMatchObject({
      status: 'rejected',
      reason: 'INSUFFICIENT_BALANCES',
      clientOrderId: 'rejectMe-0001',
    });
    expect(parseExecutionReport(report('EXPIRED'), registry, 'binance').update.status).toBe('expired');
    const stp = parseExecutionReport(report('EXPIRED_IN_MATCH'), registry, 'binance');
    expect(stp.update).toMatchObject({ status: 'expired', reason: 'TRADE_PREVENTION' });
    expect(stp.fill).toBeUndefined();
  });

  it('a market sell fill charged in the quote asset', () => {
    const { fill } = parseExecutionReport(report('MARKET_FILLED'), registry, 'binance');
    expect(fill).toMatchObject({ side: 'SELL', qty: '0.5', price: '0.1026', fee: '0.0000513', feeAsset: 'BTC' });
  });

  it('gives a duplicated report the same event ids, and different reports different ids', () => {
    const a = parseExecutionReport(report('PARTIALLY_FILLED'), registry, 'binance');
    const b = parseExecutionReport(report('PARTIALLY_FILLED'), registry, 'binance');
    const c = parseExecutionReport(report('FILLED'), registry, 'binance');
    expect(a.update.eventId).toBe(b.update.eventId);
    expect(a.fill?.eventId).toBe(b.fill?.eventId);
    const ids = new Set(
      ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'PENDING_CANCEL'].map(
        (s) => parseExecutionReport(report(s), registry, 'binance').update.eventId,
      ),
    );
    expect(ids.size).toBe(5);
    expect(c.fill?.eventId).not.toBe(a.fill?.eventId);
  });

  it('refuses a report for a symbol not in exchangeInfo', () => {
    expect(() => parseExecutionReport({ ...report('NEW'), s: 'XYZABC' }, registry, 'binance')).toThrow(
      /not in exchangeInfo/,
    );
  });
});

describe('balances', () => {
  it('outboundAccountPosition → absolute balances; balanceUpdate → a delta', () => {
    const pos = UserDataStreamEvent.parse(WsApiEventFrame.parse(events.outboundAccountPosition).event);
    expect(parseUserDataEvent(pos, registry, 'binance')).toEqual({
      kind: 'balances',
      balances: [{ asset: 'ETH', free: '10000.000000', locked: '0.000000' }],
      time: 1564034571073,
    });
    const delta = UserDataStreamEvent.parse(WsApiEventFrame.parse(events.balanceUpdate).event);
    expect(parseUserDataEvent(delta, registry, 'binance')).toEqual({
      kind: 'balance-delta',
      asset: 'BTC',
      delta: '100.00000000',
      time: 1573200697068,
    });
    const end = UserDataStreamEvent.parse(WsApiEventFrame.parse(events.eventStreamTerminated).event);
    expect(parseUserDataEvent(end, registry, 'binance')).toBeUndefined();
  });
});

describe('WS-API responses and errors (documented examples)', () => {
  const ws = fixture<Record<string, unknown>>('ws-api-responses.json');
  const withBtcUsdt = registry;

  it('order.place, order.status and order.cancel results become VenueOrders', () => {
    const placed = WsApiResponse.parse(ws.orderPlaceResult);
    expect(placed.rateLimits?.find((r) => r.rateLimitType === 'ORDERS')?.count).toBe(1);
    const order = parseOrderResponse(OrderResponse.parse(placed.result), withBtcUsdt);
    expect(order).toMatchObject({
      symbol: 'BTC/USDT',
      venueOrderId: '12569099453',
      status: 'new',
      side: 'SELL',
      style: 'limit',
      timeInForce: 'GTC',
      quantity: '0.00847000',
    });

    const status = parseQueriedOrder(QueriedOrder.parse(WsApiResponse.parse(ws.orderStatusResult).result), withBtcUsdt);
    expect(status).toMatchObject({
      status: 'filled',
      cumulativeQuantity: '0.00847000',
      stopPrice: undefined,
      createdAt: 1660801715639,
      updatedAt: 1660801717945,
    });

    const canceled = parseCanceledOrder(
      CanceledOrder.parse(WsApiResponse.parse(ws.orderCancelResult).result),
      withBtcUsdt,
      0,
    );
    expect(canceled).toMatchObject({ status: 'canceled', clientOrderId: '4d96324ff9d44481926157' });
  });

  it.each([
    ['errorInvalidTimestamp', 'retryable', VenueErrorCode.CLOCK_SKEW],
    ['errorInsufficientBalance', 'non-retryable', VenueErrorCode.INSUFFICIENT_BALANCE],
    ['errorOrderNotFound', 'non-retryable', VenueErrorCode.UNKNOWN_ORDER],
    ['errorRateLimited', 'retryable', VenueErrorCode.RATE_LIMITED],
    ['errorBanned', 'fatal', VenueErrorCode.IP_BANNED],
    ['errorInvalidSignature', 'fatal', VenueErrorCode.AUTH],
  ])('%s → %s %s', (name, kind, code) => {
    const r = WsApiResponse.parse(ws[name]);
    expect(r.error).toBeDefined();
    const err = mapBinanceError({
      httpStatus: r.status,
      code: r.error?.code,
      msg: r.error?.msg,
      operation: 'order.place',
      mutating: true,
    });
    expect(err.kind).toBe(kind);
    expect(err.code).toBe(code);
  });
});
