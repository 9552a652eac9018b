import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { TEST_KEY, WsClient } from '../test-support.js';

let sim: RunningExchangeSim;
const open: WsClient[] = [];

async function connect(path: string): Promise<WsClient> {
  const c = await WsClient.open(`${sim.wsStreamUrl}${path}`);
  open.push(c);
  return c;
}

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    marketActivity: { enabled: false },
    pingIntervalMs: 200,
    depthIntervalsMs: { fast: 50, slow: 150 },
  });
});

afterAll(async () => {
  for (const c of open) c.close();
  await sim.close();
});

describe('raw streams', () => {
  it('/ws/<symbol>@trade delivers Binance trade payloads', async () => {
    const c = await connect('/ws/ethusdt@trade');
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3000.5', quantity: '1' });
    sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.25' });
    const m = await c.next((x) => x.e === 'trade');
    expect(m).toMatchObject({ e: 'trade', s: 'ETHUSDT', p: '3000.50000000', q: '0.25000000', m: false, M: true });
    expect(typeof m.t).toBe('number');
    expect(typeof m.E).toBe('number');
    expect(typeof m.T).toBe('number');
    sim.cancelAll('ETHUSDT');
  });

  it('aggTrade groups the fills of one taker order at one price', async () => {
    const c = await connect('/ws/solusdt@aggTrade/solusdt@trade');
    sim.placeLiquidity({ symbol: 'SOLUSDT', side: 'BUY', price: '150', quantity: '1' });
    sim.placeLiquidity({ symbol: 'SOLUSDT', side: 'BUY', price: '150', quantity: '2' });
    sim.trade({ symbol: 'SOLUSDT', side: 'SELL', quantity: '2.5' });
    const agg = await c.next((x) => x.e === 'aggTrade');
    expect(agg).toMatchObject({ e: 'aggTrade', s: 'SOLUSDT', p: '150.00000000', q: '2.50000000', m: true });
    expect((agg.l as number) - (agg.f as number)).toBe(1);
    const t1 = await c.next((x) => x.e === 'trade');
    const t2 = await c.next((x) => x.e === 'trade');
    expect([t1.q, t2.q]).toEqual(['1.00000000', '1.50000000']);
    sim.cancelAll('SOLUSDT');
  });

  it('bookTicker pushes the touch with its update id', async () => {
    const c = await connect('/ws/btcusdt@bookTicker');
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '59000', quantity: '0.3' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '61000', quantity: '0.4' });
    const m = await c.next((x) => x.a === '61000.00000000');
    expect(m).toMatchObject({ s: 'BTCUSDT', b: '59000.00000000', B: '0.30000000', A: '0.40000000' });
    expect(typeof m.u).toBe('number');
    sim.cancelAll('BTCUSDT');
  });

  it('@depth5 pushes partial books and @kline_1m candles', async () => {
    const c = await connect('/ws/btcusdt@depth5@100ms');
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '58000', quantity: '0.1' });
    const book = await c.next((x) => Array.isArray(x.bids) && (x.bids as unknown[]).length === 1);
    expect(book).toEqual({
      lastUpdateId: expect.any(Number) as number,
      bids: [['58000.00000000', '0.10000000']],
      asks: [],
    });
    const k = await connect('/ws/btcusdt@kline_1m');
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '58500', quantity: '0.2' });
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.05' });
    const kline = await k.next((x) => x.e === 'kline');
    expect(kline).toMatchObject({
      e: 'kline',
      s: 'BTCUSDT',
      k: { i: '1m', o: '58500.00000000', c: '58500.00000000', v: '0.05000000', n: 1, x: false },
    });
    sim.cancelAll('BTCUSDT');
  });

  it('a bare /ws takes SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE', async () => {
    const c = await connect('/ws');
    expect(await c.request({ method: 'SUBSCRIBE', params: ['ethusdt@trade', 'ethusdt@bookTicker'], id: 1 })).toEqual({
      result: null,
      id: 1,
    });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({
      result: ['ethusdt@trade', 'ethusdt@bookTicker'],
      id: 2,
    });
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3100', quantity: '1' });
    sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.1' });
    expect(await c.next((x) => x.e === 'trade')).toMatchObject({ s: 'ETHUSDT' });
    expect(await c.request({ method: 'UNSUBSCRIBE', params: ['ethusdt@trade'], id: 'u-3' })).toEqual({
      result: null,
      id: 'u-3',
    });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).toEqual({ result: ['ethusdt@bookTicker'], id: 4 });
    sim.cancelAll('ETHUSDT');
  });
});

describe('combined streams', () => {
  it('wraps payloads as {stream, data}', async () => {
    const c = await connect('/stream?streams=solusdt@trade/solusdt@bookTicker');
    sim.placeLiquidity({ symbol: 'SOLUSDT', side: 'SELL', price: '151', quantity: '3' });
    sim.trade({ symbol: 'SOLUSDT', side: 'BUY', quantity: '1' });
    const trade = await c.next((x) => x.stream === 'solusdt@trade');
    expect(trade.data).toMatchObject({ e: 'trade', p: '151.00000000', q: '1.00000000' });
    const ticker = await c.next((x) => x.stream === 'solusdt@bookTicker');
    expect(ticker.data).toMatchObject({ s: 'SOLUSDT', a: '151.00000000' });
    sim.cancelAll('SOLUSDT');
  });

  it('accepts an empty list and live SUBSCRIBE on it', async () => {
    const c = await connect('/stream?streams=');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(await c.request({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 })).toEqual({ result: null, id: 2 });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60500', quantity: '1' });
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
    const m = await c.next((x) => x.stream === 'btcusdt@trade');
    expect(m.data).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
    sim.cancelAll('BTCUSDT');
  });

  it('SET_PROPERTY combined switches the wrapping; GET_PROPERTY reads it', async () => {
    const c = await connect('/ws/ethusdt@trade');
    expect(await c.request({ method: 'GET_PROPERTY', params: ['combined'], id: 1 })).toEqual({ result: false, id: 1 });
    expect(await c.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 2 })).toEqual({
      result: null,
      id: 2,
    });
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3200', quantity: '1' });
    sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.2' });
    const m = await c.next((x) => x.stream === 'ethusdt@trade');
    expect(m.data).toMatchObject({ e: 'trade' });
    sim.cancelAll('ETHUSDT');
  });
});

describe('protocol errors', () => {
  it('answers bad requests with Binance codes 0-3', async () => {
    const c = await connect('/ws');
    c.send('{not json');
    expect(await c.next((x) => x.code === 3)).toMatchObject({
      code: 3,
      msg: expect.stringContaining('Invalid JSON') as string,
    });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'] });
    expect(await c.next((x) => x.code === 2)).toEqual({
      code: 2,
      msg: 'Invalid request: request ID must be an unsigned integer',
    });
    c.send({ method: 'SUBSCRIBEX', params: [], id: 5 });
    const unknown = await c.next((x) => x.code === 2);
    expect(unknown.msg).toContain('unknown variant `SUBSCRIBEX`');
    c.send({ method: 'GET_PROPERTY', params: ['colour'], id: 6 });
    expect(await c.next((x) => x.code === 0)).toEqual({ code: 0, msg: 'Unknown property', id: 6 });
  });

  it('refuses a URL with an invalid stream name, and closes a connection that floods it', async () => {
    await expect(WsClient.open(`${sim.wsStreamUrl}/ws/BTCUSDT@trade`)).rejects.toThrow(/400/);
    const c = await connect('/ws');
    for (let i = 0; i < 7; i += 1) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect(await c.waitClosed()).toBe(1008);
  });
});

describe('server pings', () => {
  it('pings clients periodically; a client that answers stays connected', async () => {
    const c = await connect('/ws');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ping within 5 s')), 5000);
      c.ws.once('ping', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });
});
