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
    symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'],
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
  it('answers bad requests with Binance codes 0-3, nested in error as the live endpoint sends them', async () => {
    const c = await connect('/ws');
    const code = (n: number) => (x: Record<string, unknown>) => (x.error as { code?: number } | undefined)?.code === n;
    c.send('{not json');
    expect(await c.next(code(3))).toEqual({
      error: { code: 3, msg: expect.stringContaining('Invalid JSON') as string },
    });
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'] });
    expect(await c.next(code(2))).toEqual({
      error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
    });
    c.send({ method: 'SUBSCRIBEX', params: [], id: 5 });
    const unknown = await c.next<{ error: { msg: string } }>(code(2));
    expect(unknown.error.msg).toContain('unknown variant `SUBSCRIBEX`');
    c.send({ method: 'GET_PROPERTY', params: ['colour'], id: 6 });
    expect(await c.next(code(0))).toEqual({ error: { code: 0, msg: 'Unknown property' }, id: 6 });
  });

  it('answers SUBSCRIBE with an invalid stream name with code 2 and subscribes nothing', async () => {
    const c = await connect('/ws');
    expect(await c.request({ method: 'SUBSCRIBE', params: ['btcusdt@trade', '@@@'], id: 7 })).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 7,
    });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 8 })).toEqual({ result: [], id: 8 });
  });

  it('closes a connection that floods it', async () => {
    const c = await connect('/ws');
    for (let i = 0; i < 7; i += 1) c.send({ method: 'LIST_SUBSCRIPTIONS', id: i });
    expect(await c.waitClosed()).toBe(1008);
  });
});

/** Trades one lot on ETHUSDT; every message a connection gets for it is on the wire before any later reply. */
function printEthTrade(price: string): void {
  sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price, quantity: '1' });
  sim.trade({ symbol: 'ETHUSDT', side: 'BUY', quantity: '0.1' });
  sim.cancelAll('ETHUSDT');
}

describe('stream paths Binance accepts', () => {
  it('/ws/<segment> that is not a stream name behaves as a bare /ws', async () => {
    const c = await connect('/ws/0');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(await c.request({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 2 })).toEqual({ result: null, id: 2 });
    printEthTrade('3300');
    expect(await c.next((x) => x.e === 'trade')).toMatchObject({ s: 'ETHUSDT', p: '3300.00000000' });
    expect(await c.request({ method: 'UNSUBSCRIBE', params: ['ethusdt@trade'], id: 3 })).toEqual({
      result: null,
      id: 3,
    });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).toEqual({ result: [], id: 4 });
  });

  it('a stream name in the path still subscribes at once, beside a segment that is not one', async () => {
    const c = await connect('/ws/1/ethusdt@trade');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: ['ethusdt@trade'], id: 1 });
    printEthTrade('3310');
    expect(await c.next((x) => x.e === 'trade')).toMatchObject({ p: '3310.00000000' });
  });

  it('trailing slashes change nothing: /ws/, /ws/<stream>/, /stream/?streams=<a>/', async () => {
    const bare = await connect('/ws/');
    expect(await bare.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    const raw = await connect('/ws/ethusdt@trade/');
    const combined = await connect('/stream/?streams=ethusdt@trade/');
    expect(await combined.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({
      result: ['ethusdt@trade'],
      id: 1,
    });
    printEthTrade('3320');
    expect(await raw.next((x) => x.e === 'trade')).toMatchObject({ p: '3320.00000000' });
    expect(await combined.next((x) => x.stream === 'ethusdt@trade')).toMatchObject({
      data: { e: 'trade', p: '3320.00000000' },
    });
  });

  it('an upper-case symbol in the path opens the connection and delivers nothing (stream names are lower-case)', async () => {
    const upper = await connect('/ws/ETHUSDT@trade');
    const lower = await connect('/ws/ethusdt@trade');
    printEthTrade('3330');
    await lower.next((x) => x.e === 'trade' && x.p === '3330.00000000');
    // The trade went out before this reply on the same socket: had it been sent, it would be queued already.
    expect(await upper.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(upper.messages).toEqual([]);
  });

  it('/stream without streams= is an empty combined connection that takes SUBSCRIBE', async () => {
    const c = await connect('/stream');
    expect(await c.request({ method: 'GET_PROPERTY', params: ['combined'], id: 1 })).toEqual({ result: true, id: 1 });
    expect(await c.request({ method: 'SUBSCRIBE', params: ['ethusdt@trade', 'ethusdt@bookTicker'], id: 2 })).toEqual({
      result: null,
      id: 2,
    });
    printEthTrade('3340');
    expect(await c.next((x) => x.stream === 'ethusdt@trade')).toMatchObject({ data: { e: 'trade', s: 'ETHUSDT' } });
    expect(await c.next((x) => x.stream === 'ethusdt@bookTicker')).toMatchObject({
      data: { s: 'ETHUSDT', a: '3340.00000000' },
    });
  });

  it('@depth (1000 ms) and @depth@100ms are two diff streams, each continuous', async () => {
    const c = await connect('/stream?streams=solusdt@depth/solusdt@depth@100ms');
    const market = setInterval(() => sim.stepMarket(), 10);
    try {
      for (const stream of ['solusdt@depth', 'solusdt@depth@100ms']) {
        let prev = await c.next<{ data: { U: number; u: number } }>((x) => x.stream === stream);
        for (let i = 0; i < 2; i += 1) {
          const e = await c.next<{ data: { e: string; s: string; U: number; u: number } }>((x) => x.stream === stream);
          expect(e.data).toMatchObject({ e: 'depthUpdate', s: 'SOLUSDT' });
          expect(e.data.U).toBe(prev.data.u + 1);
          prev = e;
        }
      }
    } finally {
      clearInterval(market);
      sim.cancelAll('SOLUSDT');
    }
  });

  it('@depth5 and @depth10@100ms push the top 5 and 10 levels with lastUpdateId', async () => {
    for (let i = 0; i < 12; i += 1) {
      sim.placeLiquidity({ symbol: 'BNBUSDT', side: 'BUY', price: String(500 - i), quantity: '1' });
      sim.placeLiquidity({ symbol: 'BNBUSDT', side: 'SELL', price: String(510 + i), quantity: '2' });
    }
    try {
      const c = await connect('/stream?streams=bnbusdt@depth5/bnbusdt@depth10@100ms');
      const five = await c.next<{ data: { lastUpdateId: number; bids: string[][]; asks: string[][] } }>(
        (x) => x.stream === 'bnbusdt@depth5',
      );
      expect(five.data.bids.map(([p]) => p)).toEqual(['500', '499', '498', '497', '496'].map((p) => `${p}.00000000`));
      expect(five.data.asks).toHaveLength(5);
      expect(five.data.asks[0]).toEqual(['510.00000000', '2.00000000']);
      const ten = await c.next<{ data: { lastUpdateId: number; bids: string[][]; asks: string[][] } }>(
        (x) => x.stream === 'bnbusdt@depth10@100ms',
      );
      expect(ten.data.bids).toHaveLength(10);
      expect(ten.data.asks).toHaveLength(10);
      expect(ten.data.bids[9]).toEqual(['491.00000000', '1.00000000']);
      expect(ten.data.lastUpdateId).toBe(sim.engine.depth('BNBUSDT', 10).lastUpdateId);
    } finally {
      sim.cancelAll('BNBUSDT');
    }
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

describe('server shutdown', () => {
  it('sends serverShutdown (raw, and as !serverShutdown when combined) and closes the connection', async () => {
    const own = await startExchangeSim({ marketActivity: { enabled: false } });
    const raw = await WsClient.open(`${own.wsStreamUrl}/ws/btcusdt@trade`);
    const combined = await WsClient.open(`${own.wsStreamUrl}/stream?streams=btcusdt@trade`);
    const before = Date.now();
    await own.close();
    expect(await raw.next((x) => x.e === 'serverShutdown')).toEqual({
      e: 'serverShutdown',
      E: expect.any(Number) as number,
    });
    const wrapped = await combined.next<{ stream: string; data: { e: string; E: number } }>(
      (x) => x.stream === '!serverShutdown',
    );
    expect(wrapped.data.e).toBe('serverShutdown');
    expect(wrapped.data.E).toBeGreaterThanOrEqual(before);
    expect(await raw.waitClosed()).toBe(1001);
    expect(await combined.waitClosed()).toBe(1001);
  });
});

describe('timeUnit', () => {
  it('timeUnit=MICROSECOND (or microsecond) sends time fields in microseconds; ids stay', async () => {
    const milli = await connect('/ws/ethusdt@trade/ethusdt@kline_1m');
    const micro = await connect('/stream?streams=ethusdt@trade/ethusdt@kline_1m&timeUnit=microsecond');
    printEthTrade('3350');
    const ms = await milli.next<{ E: number; T: number; t: number }>((x) => x.e === 'trade');
    const us = await micro.next<{ data: { E: number; T: number; t: number } }>((x) => x.stream === 'ethusdt@trade');
    expect(us.data.T).toBe(ms.T * 1000);
    expect(us.data.E).toBe(ms.E * 1000);
    expect(us.data.t).toBe(ms.t);
    const kMs = await milli.next<{ k: { t: number; T: number } }>((x) => x.e === 'kline');
    const kUs = await micro.next<{ data: { k: { t: number; T: number } } }>((x) => x.stream === 'ethusdt@kline_1m');
    expect(kUs.data.k.t).toBe(kMs.k.t * 1000);
    expect(kUs.data.k.T).toBe(kMs.k.T * 1000);
    await expect(WsClient.open(`${sim.wsStreamUrl}/ws?timeUnit=NANOSECOND`)).rejects.toThrow(/400/);
  });
});
