import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startExchangeSim, type RunningExchangeSim } from './server.js';
import { ManualClock, RestClient, signWsParams, TEST_KEY, WsClient } from './test-support.js';

// A clock the test moves, so the one-minute windows never roll over by accident.
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
let sim: RunningExchangeSim;
let rest: RestClient;

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    clock,
    marketActivity: { enabled: false },
    rateLimits: { requestWeightPerMinute: 10, ordersPer10Seconds: 3, rejectionsBeforeBan: 2, banMs: 120_000 },
  });
  rest = new RestClient(sim.restUrl, TEST_KEY, () => clock.now());
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  clock.advance(60_000 * 60); // a fresh hour: new windows, and past any earlier ban
  await fetch(`${sim.adminUrl}/rate-limits/reset`, { method: 'POST' });
});

describe('request weight', () => {
  it('reports the weight used this minute in X-MBX-USED-WEIGHT-1M', async () => {
    const a = await rest.public('/api/v3/ping');
    const b = await rest.public('/api/v3/time');
    expect(a.headers.get('x-mbx-used-weight-1m')).toBe('1');
    expect(b.headers.get('x-mbx-used-weight-1m')).toBe('2');
    const c = await rest.public('/api/v3/depth', { symbol: 'BTCUSDT' });
    expect(c.headers.get('x-mbx-used-weight-1m')).toBe('7');
  });

  it('answers 429 -1003 with Retry-After until the minute ends', async () => {
    clock.time = clock.time - (clock.time % 60_000) + 45_000; // 15 s before the window ends
    for (let i = 0; i < 10; i += 1) expect((await rest.public('/api/v3/ping')).status).toBe(200);
    const r = await rest.public<{ code: number; msg: string }>('/api/v3/ping');
    expect(r.status).toBe(429);
    expect(r.body.code).toBe(-1003);
    expect(r.body.msg).toContain('current limit is 10 request weight per 1 MINUTE');
    expect(r.headers.get('retry-after')).toBe('15');
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('11');
    clock.advance(15_000);
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });

  it('bans with 418 an IP that keeps going after 429s, for longer each time', async () => {
    for (let i = 0; i < 10; i += 1) await rest.public('/api/v3/ping');
    expect((await rest.public('/api/v3/ping')).status).toBe(429);
    expect((await rest.public('/api/v3/ping')).status).toBe(429);
    const banned = await rest.public<{ code: number; msg: string }>('/api/v3/ping');
    expect(banned.status).toBe(418);
    expect(banned.body.code).toBe(-1003);
    expect(banned.body.msg).toContain('IP banned until');
    expect(banned.headers.get('retry-after')).toBe('120');
    clock.advance(61_000); // a new minute, but the ban holds
    const still = await rest.public('/api/v3/ping');
    expect(still.status).toBe(418);
    expect(still.headers.get('retry-after')).toBe('59');
    clock.advance(60_000);
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });

  it('counts WebSocket API requests against the same IP weight and reports rateLimits', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const r = await ws.request<{ status: number; rateLimits: Record<string, unknown>[] }>({ id: 1, method: 'ping' });
      expect(r.status).toBe(200);
      expect(r.rateLimits).toEqual([
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 10, count: 1 },
      ]);
      const rest1 = await rest.public('/api/v3/ping');
      expect(rest1.headers.get('x-mbx-used-weight-1m')).toBe('2');
      for (let i = 0; i < 8; i += 1) await rest.public('/api/v3/ping');
      const over = await ws.request<{ status: number; error: { code: number; data: { retryAfter: number } } }>({
        id: 2,
        method: 'time',
      });
      expect(over.status).toBe(429);
      expect(over.error.code).toBe(-1003);
      expect(over.error.data.retryAfter).toBeGreaterThan(clock.now());
    } finally {
      ws.close();
    }
  });
});

describe('order count', () => {
  it('reports X-MBX-ORDER-COUNT-10S/1D and refuses past the limit with 429 -1015 and no Retry-After', async () => {
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '40000',
    };
    const counts: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await rest.signed('POST', '/api/v3/order', order);
      expect(r.status).toBe(200);
      counts.push(r.headers.get('x-mbx-order-count-10s') ?? '');
    }
    expect(counts).toEqual(['1', '2', '3']);
    const refused = await rest.signed<{ code: number; msg: string }>('POST', '/api/v3/order', order);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ code: -1015, msg: 'Too many new orders; current limit is 3 orders per 10 SECOND.' });
    expect(refused.headers.get('retry-after')).toBeNull();
    clock.advance(10_000);
    const again = await rest.signed('POST', '/api/v3/order', order);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(again.headers.get('x-mbx-order-count-1d')).toBe('4');
  });

  it('WS-API order.place reports ORDERS counts in rateLimits', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const r = await ws.request<{
        status: number;
        rateLimits: { rateLimitType: string; interval: string; count: number }[];
      }>({
        id: 'o1',
        method: 'order.place',
        params: signWsParams(
          { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '40000' },
          TEST_KEY,
          () => clock.now(),
        ),
      });
      expect(r.status).toBe(200);
      expect(r.rateLimits.filter((l) => l.rateLimitType === 'ORDERS').map((l) => [l.interval, l.count])).toEqual([
        ['SECOND', 1],
        ['DAY', expect.any(Number) as number],
      ]);
    } finally {
      ws.close();
    }
  });
});

describe('a shorter weight window and the usage report', () => {
  const shortClock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 1));
  let short: RunningExchangeSim;
  let client: RestClient;

  beforeAll(async () => {
    short = await startExchangeSim({
      apiKeys: [TEST_KEY],
      clock: shortClock,
      marketActivity: { enabled: false },
      rateLimits: { requestWeightPerMinute: 25, weightWindowMs: 5_000, ordersPer10Seconds: 2 },
    });
    client = new RestClient(short.restUrl, TEST_KEY, () => shortClock.now());
  });
  afterAll(async () => {
    await short.close();
  });

  it('publishes the window in exchangeInfo and names it in the usage header, as Binance names its own', async () => {
    const info = await client.public<{
      rateLimits: { rateLimitType: string; interval: string; intervalNum: number }[];
    }>('/api/v3/exchangeInfo');
    expect(info.body.rateLimits[0]).toMatchObject({
      rateLimitType: 'REQUEST_WEIGHT',
      interval: 'SECOND',
      intervalNum: 5,
      limit: 25,
    });
    const ping = await client.public('/api/v3/ping');
    expect(ping.headers.get('x-mbx-used-weight-5s')).toBe('21');
  });

  it('reports each window each IP spent and every 429 it answered', async () => {
    await fetch(`${short.adminUrl}/rate-limits/reset`, { method: 'POST' });
    shortClock.time = shortClock.time - (shortClock.time % 5_000) + 5_000; // a window's start
    for (let i = 0; i < 25; i += 1) expect((await client.public('/api/v3/ping')).status).toBe(200);
    expect((await client.public('/api/v3/ping')).status).toBe(429);
    const firstStart = shortClock.time;
    shortClock.advance(5_000); // the next window
    expect((await client.public('/api/v3/ping')).status).toBe(200);
    const usage = (await (await fetch(`${short.adminUrl}/rate-limits`)).json()) as {
      weightWindowMs: number;
      requestWeightLimit: number;
      weight: Record<string, { start: number; count: number }[]>;
      tooManyRequests: number;
      banned: number;
    };
    expect(usage.weightWindowMs).toBe(5_000);
    expect(usage.requestWeightLimit).toBe(25);
    // The refused request is counted, as Binance counts it.
    expect(Object.values(usage.weight)).toEqual([
      [
        { start: firstStart, count: 26 },
        { start: firstStart + 5_000, count: 1 },
      ],
    ]);
    expect(usage.tooManyRequests).toBe(1);
    expect(usage.banned).toBe(0);
  });
});
