import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrototypeClean, hostileTexts, mutated } from '@bourse/contracts/testing';
import { dec } from '@bourse/domain';
import { startExchangeSim, type RunningExchangeSim } from './server.js';
import { RestClient, TEST_KEY, WsClient } from './test-support.js';

// The simulator faces every client Bourse has, test code included: hostile REST parameters and
// WebSocket frames get Binance's own error answers (4xx, `{code,msg}`), never a 5xx or a crash,
// and leave its ledger sound and its sockets serving.

let sim: RunningExchangeSim;
let rest: RestClient;

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    balances: { USDT: '10000', BTC: '0.5' },
    marketActivity: { enabled: false },
  });
  rest = new RestClient(sim.restUrl);
});

afterAll(async () => {
  await sim.close();
});

const order = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '50000',
  newClientOrderId: 'fz-1',
  recvWindow: 5000,
};
const seeds = [
  order,
  { ...order, side: 'SELL', type: 'MARKET', timeInForce: undefined, price: undefined },
  { ...order, type: 'MARKET', quantity: undefined, quoteOrderQty: '100', timeInForce: undefined, price: undefined },
  { ...order, type: 'STOP_LOSS_LIMIT', stopPrice: '49000' },
].map((s) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>);

type Params = Record<string, string>;
const params: fc.Arbitrary<Params> = mutated(seeds)
  .map((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : (JSON.stringify(x) ?? '')]),
        )
      : { symbol: JSON.stringify(v) ?? '' },
  )
  // Node's HTTP server answers a query over its 16 KiB header limit with a bare 431 before the
  // simulator sees it; oversize bodies are covered by POST (64 KiB cap, 413).
  .filter((p) => Object.entries(p).reduce((n, [k, v]) => n + k.length + v.length, 0) < 8_000);

const ROUTES: [string, string, 'signed' | 'public'][] = [
  ['POST', '/api/v3/order', 'signed'],
  ['POST', '/api/v3/order/test', 'signed'],
  ['GET', '/api/v3/order', 'signed'],
  ['DELETE', '/api/v3/order', 'signed'],
  ['GET', '/api/v3/myTrades', 'signed'],
  ['GET', '/api/v3/depth', 'public'],
  ['GET', '/api/v3/klines', 'public'],
  ['GET', '/api/v3/exchangeInfo', 'public'],
];

function expectBinanceAnswer(status: number, body: unknown): void {
  expect(status, JSON.stringify(body).slice(0, 300)).toBeLessThan(500);
  if (status >= 400) {
    const b = body as { code?: unknown; msg?: unknown };
    expect(Number.isInteger(b.code)).toBe(true);
    expect(typeof b.msg).toBe('string');
  }
}

describe('the simulator REST API under hostile parameters', () => {
  it('answers every request with a result or a Binance error, and keeps its ledger sound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), params, async ([method, path, kind], p) => {
        const r = kind === 'signed' ? await rest.signed(method, path, p) : await rest.public(path, p, method);
        expectBinanceAnswer(r.status, r.body);
        assertPrototypeClean();
      }),
      { numRuns: 120 },
    );
    for (const b of sim.balances(TEST_KEY.apiKey)) {
      expect(dec(b.free).isNegative(), `${b.asset} free ${b.free}`).toBe(false);
      expect(dec(b.locked).isNegative(), `${b.asset} locked ${b.locked}`).toBe(false);
    }
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });
});

describe('the simulator REST API under oversize input', () => {
  it('answers a body over its 64 KiB cap with a 413 Binance error rather than dropping the connection', async () => {
    const r = await rest.signed('POST', '/api/v3/order', { ...order, newClientOrderId: 'x'.repeat(70_000) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: -1000 });
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });
});

describe('the simulator WebSockets under hostile frames', () => {
  const wsApiRequests = [
    { id: 'a', method: 'ping' },
    { id: 'b', method: 'time' },
    { id: 'c', method: 'depth', params: { symbol: 'BTCUSDT', limit: 5 } },
    { id: 'd', method: 'order.place', params: { ...order, apiKey: TEST_KEY.apiKey, timestamp: 1, signature: 'x' } },
  ];

  /**
   * Sends hostile frames on one connection, then a valid request that must be answered. A frame the
   * server will not take (over its 64 KiB limit, not text) may close the connection, with a proper
   * close code (never 1006, a dropped socket, or 1011, a server error); the next run reconnects.
   */
  async function survives(
    url: string,
    runs: number,
    frames: fc.Arbitrary<string[]>,
    valid: () => { id: unknown } & Record<string, unknown>,
    answered: (reply: Record<string, unknown>) => void,
  ): Promise<void> {
    let c = await WsClient.open(url);
    const closes: number[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(frames, async (batch) => {
          if (c.closed) {
            closes.push(await c.waitClosed());
            c = await WsClient.open(url);
          }
          for (const f of batch) c.send(f);
          const request = valid();
          let reply: Record<string, unknown> | undefined;
          try {
            // A close ends the wait at once; otherwise the answer must come.
            const closed = c.waitClosed(2_000).then(
              () => undefined,
              () => undefined,
            );
            reply = await Promise.race([c.request(request, 2_000), closed]);
          } catch (err) {
            // Only a closed connection excuses a missing answer.
            if (!c.closed) throw err;
          }
          if (reply !== undefined) answered(reply);
          c.messages.splice(0);
        }),
        { numRuns: runs, interruptAfterTimeLimit: 50_000 },
      );
    } finally {
      c.close();
    }
    for (const code of closes) expect([1003, 1007, 1008, 1009]).toContain(code);
  }

  it('WS API: answers or ignores each frame, and still answers a valid request after them', async () => {
    await survives(
      sim.wsApiUrl,
      40,
      fc.array(
        hostileTexts(wsApiRequests).filter((t) => t.length < 1_000_000),
        { maxLength: 4 },
      ),
      () => ({ id: `ok-${Math.random().toString(36).slice(2)}`, method: 'ping' }),
      (reply) => expect(reply['status']).toBe(200),
    );
  });

  it('market streams: answers or ignores each frame, and still answers a valid request after them', async () => {
    const controls = [
      { method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 },
      { method: 'UNSUBSCRIBE', params: ['btcusdt@bookTicker'], id: 2 },
      { method: 'LIST_SUBSCRIPTIONS', id: 3 },
      { method: 'SET_PROPERTY', params: ['combined', true], id: 4 },
    ];
    await survives(
      `${sim.wsStreamUrl}/stream`,
      40,
      fc.array(
        hostileTexts(controls).filter((t) => t.length < 1_000_000),
        { maxLength: 4 },
      ),
      () => ({ method: 'LIST_SUBSCRIPTIONS', id: Math.floor(Math.random() * 1e9) + 10 }),
      (reply) => expect(reply).toHaveProperty('result'),
    );
  }, 60_000);
});
