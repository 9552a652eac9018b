import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { RestClient, TEST_KEY } from '../test-support.js';

let sim: RunningExchangeSim;
let rest: RestClient;

beforeAll(async () => {
  sim = await startExchangeSim({ apiKeys: [TEST_KEY], marketActivity: { enabled: false } });
  rest = new RestClient(sim.restUrl);
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '59990.00', quantity: '0.5' });
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '59980.00', quantity: '1.25' });
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60010.00', quantity: '0.75' });
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60020.00', quantity: '2' });
  sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.25' });
});

afterAll(async () => {
  await sim.close();
});

describe('general endpoints', () => {
  it('ping answers {} with a weight header', async () => {
    const r = await rest.public('/api/v3/ping');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect(Number(r.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThanOrEqual(1);
  });

  it('time answers the server time as a number', async () => {
    const before = Date.now();
    const r = await rest.public<{ serverTime: number }>('/api/v3/time');
    expect(typeof r.body.serverTime).toBe('number');
    expect(r.body.serverTime).toBeGreaterThanOrEqual(before);
  });

  it('exchangeInfo lists the symbols with Binance filters and rate limits', async () => {
    const r = await rest.public<{ symbols: Record<string, unknown>[]; rateLimits: unknown[]; timezone: string }>(
      '/api/v3/exchangeInfo',
    );
    expect(r.status).toBe(200);
    expect(r.body.timezone).toBe('UTC');
    expect(r.body.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const btc = r.body.symbols[0] as {
      filters: Record<string, unknown>[];
      baseAsset: string;
      quoteAsset: string;
      status: string;
    };
    expect(btc).toMatchObject({ baseAsset: 'BTC', quoteAsset: 'USDT', status: 'TRADING' });
    expect(btc.filters).toContainEqual({
      filterType: 'PRICE_FILTER',
      minPrice: '0.01000000',
      maxPrice: '1000000.00000000',
      tickSize: '0.01000000',
    });
    expect(btc.filters).toContainEqual({
      filterType: 'LOT_SIZE',
      minQty: '0.00001000',
      maxQty: '9000.00000000',
      stepSize: '0.00001000',
    });
    expect(btc.filters.find((f) => f.filterType === 'NOTIONAL')).toMatchObject({
      minNotional: '5.00000000',
      applyMinToMarket: true,
    });
    expect(r.body.rateLimits).toContainEqual({
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'MINUTE',
      intervalNum: 1,
      limit: 6000,
    });
    expect(r.body.rateLimits).toContainEqual({
      rateLimitType: 'ORDERS',
      interval: 'SECOND',
      intervalNum: 10,
      limit: 100,
    });
  });

  it('exchangeInfo narrows to symbol or symbols, and refuses an unknown symbol with -1121', async () => {
    const one = await rest.public<{ symbols: { symbol: string }[] }>('/api/v3/exchangeInfo', { symbol: 'ETHUSDT' });
    expect(one.body.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']);
    const two = await rest.public<{ symbols: { symbol: string }[] }>('/api/v3/exchangeInfo', {
      symbols: '["SOLUSDT","BTCUSDT"]',
    });
    expect(two.body.symbols.map((s) => s.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    const bad = await rest.public('/api/v3/exchangeInfo', { symbol: 'DOGEUSDT' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });
});

describe('market data', () => {
  it('depth answers levels as [price, qty] strings with lastUpdateId, weight by limit', async () => {
    const r = await rest.public<{ lastUpdateId: number; bids: string[][]; asks: string[][] }>('/api/v3/depth', {
      symbol: 'BTCUSDT',
      limit: 5,
    });
    expect(r.status).toBe(200);
    expect(r.body.bids).toEqual([
      ['59990.00000000', '0.50000000'],
      ['59980.00000000', '1.25000000'],
    ]);
    expect(r.body.asks).toEqual([
      ['60010.00000000', '0.50000000'],
      ['60020.00000000', '2.00000000'],
    ]);
    expect(r.body.lastUpdateId).toBeGreaterThan(0);
    const before = Number(r.headers.get('x-mbx-used-weight-1m'));
    const big = await rest.public('/api/v3/depth', { symbol: 'BTCUSDT', limit: 1000 });
    expect(Number(big.headers.get('x-mbx-used-weight-1m')) - before).toBe(50);
  });

  it('depth refuses a missing symbol (-1102), a bad limit (-1100) and a limit over 5000', async () => {
    const missing = await rest.public('/api/v3/depth');
    expect(missing.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    const bad = await rest.public<{ code: number; msg: string }>('/api/v3/depth', { symbol: 'BTCUSDT', limit: 'ten' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(-1100);
    expect(bad.body.msg).toContain("parameter 'limit'");
    const over = await rest.public<{ code: number }>('/api/v3/depth', { symbol: 'BTCUSDT', limit: 6000 });
    expect(over.body.code).toBe(-1102);
    const lower = await rest.public<{ code: number }>('/api/v3/depth', { symbol: 'btcusdt' });
    expect(lower.body.code).toBe(-1100);
  });

  it('trades lists the public tape with numbers as strings', async () => {
    const r = await rest.public<Record<string, unknown>[]>('/api/v3/trades', { symbol: 'BTCUSDT' });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({
      price: '60010.00000000',
      qty: '0.25000000',
      quoteQty: '15002.50000000',
      isBuyerMaker: false,
      isBestMatch: true,
    });
    expect(typeof r.body[0]?.id).toBe('number');
    expect(typeof r.body[0]?.time).toBe('number');
  });

  it('ticker/bookTicker answers one symbol as an object and all symbols as an array', async () => {
    const one = await rest.public('/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' });
    expect(one.body).toEqual({
      symbol: 'BTCUSDT',
      bidPrice: '59990.00000000',
      bidQty: '0.50000000',
      askPrice: '60010.00000000',
      askQty: '0.50000000',
    });
    const all = await rest.public<{ symbol: string }[]>('/api/v3/ticker/bookTicker');
    expect(all.body.map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
  });

  it('ticker/price answers the last trade price', async () => {
    const r = await rest.public('/api/v3/ticker/price', { symbol: 'BTCUSDT' });
    expect(r.body).toEqual({ symbol: 'BTCUSDT', price: '60010.00000000' });
    const some = await rest.public<{ symbol: string }[]>('/api/v3/ticker/price', { symbols: '["ETHUSDT","BTCUSDT"]' });
    expect(some.body.map((t) => t.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
    const bad = await rest.public<{ code: number }>('/api/v3/ticker/price', { symbols: 'BTCUSDT' });
    expect(bad.body.code).toBe(-1100);
  });

  it('avgPrice answers the reference price Binance uses for market notional', async () => {
    const r = await rest.public('/api/v3/avgPrice', { symbol: 'BTCUSDT' });
    expect(r.body).toMatchObject({ mins: 5, price: '60010.00000000' });
  });

  it('klines roll the tape into Binance kline arrays', async () => {
    const r = await rest.public<unknown[][]>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1m' });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    const [k] = r.body;
    expect(k?.slice(1, 6)).toEqual([
      '60010.00000000',
      '60010.00000000',
      '60010.00000000',
      '60010.00000000',
      '0.25000000',
    ]);
    expect((k?.[6] as number) - (k?.[0] as number)).toBe(59_999);
    expect(k?.[8]).toBe(1);
    const hour = await rest.public<unknown[][]>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', limit: 5 });
    expect((hour.body[0]?.[0] as number) % 3_600_000).toBe(0);
    // Binance Spot serves 1s klines (a platform warming up on them used to get -1120 here).
    const second = await rest.public<unknown[][]>('/api/v3/klines', { symbol: 'BTCUSDT', interval: '1s' });
    expect(second.status).toBe(200);
    expect(second.body).toHaveLength(1);
    expect(second.body[0]?.slice(1, 6)).toEqual(k?.slice(1, 6));
    expect((second.body[0]?.[0] as number) % 1000).toBe(0);
    expect((second.body[0]?.[6] as number) - (second.body[0]?.[0] as number)).toBe(999);
    const bad = await rest.public('/api/v3/klines', { symbol: 'BTCUSDT', interval: '7m' });
    expect(bad.body).toEqual({ code: -1120, msg: 'Invalid interval.' });
  });

  it('unknown paths are 404 and wrong methods 405', async () => {
    const r = await fetch(`${sim.restUrl}/api/v3/nope`);
    expect(r.status).toBe(404);
    const m = await fetch(`${sim.restUrl}/api/v3/ping`, { method: 'DELETE' });
    expect(m.status).toBe(405);
  });
});
