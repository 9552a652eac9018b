import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacHex } from '../auth.js';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import {
  ed25519TestKey,
  OTHER_KEY,
  RestClient,
  signWsParams,
  signWsParamsEd25519,
  TEST_KEY,
  WsClient,
} from '../test-support.js';

type Reply = {
  id: unknown;
  status: number;
  result?: Record<string, unknown>;
  error?: { code: number; msg: string };
  rateLimits?: unknown[];
};
let sim: RunningExchangeSim;
let api: WsClient;
let nextId = 1;
const id = (): number => nextId++;
const ED_KEY = ed25519TestKey('test-ed25519-key');

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY, OTHER_KEY, ED_KEY.config],
    marketActivity: { enabled: false },
  });
  api = await WsClient.open(sim.wsApiUrl);
});

afterAll(async () => {
  api.close();
  await sim.close();
});

describe('WebSocket API requests', () => {
  it('ping and time answer with status 200 and rateLimits', async () => {
    const ping = await api.request<Reply>({ id: 'p1', method: 'ping' });
    expect(ping).toMatchObject({ id: 'p1', status: 200, result: {} });
    expect(ping.rateLimits).toHaveLength(1);
    const time = await api.request<Reply>({ id: id(), method: 'time' });
    expect(typeof time.result?.serverTime).toBe('number');
  });

  it('order.place, order.status and order.cancel speak Binance shapes', async () => {
    const placed = await api.request<Reply>({
      id: id(),
      method: 'order.place',
      params: signWsParams({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '50000',
        newClientOrderId: 'ws-1',
      }),
    });
    expect(placed.status).toBe(200);
    expect(placed.result).toMatchObject({
      symbol: 'BTCUSDT',
      clientOrderId: 'ws-1',
      status: 'NEW',
      price: '50000.00000000',
      fills: [],
    });
    const orderId = placed.result?.orderId as number;
    const status = await api.request<Reply>({
      id: id(),
      method: 'order.status',
      params: signWsParams({ symbol: 'BTCUSDT', orderId }),
    });
    expect(status.result).toMatchObject({ orderId, status: 'NEW', clientOrderId: 'ws-1' });
    const open = await api.request<{ result: { orderId: number }[] }>({
      id: id(),
      method: 'openOrders.status',
      params: signWsParams({ symbol: 'BTCUSDT' }),
    });
    expect(open.result.map((o) => o.orderId)).toEqual([orderId]);
    const cancel = await api.request<Reply>({
      id: id(),
      method: 'order.cancel',
      params: signWsParams({ symbol: 'BTCUSDT', origClientOrderId: 'ws-1' }),
    });
    expect(cancel.result).toMatchObject({ orderId, origClientOrderId: 'ws-1', status: 'CANCELED' });
    const again = await api.request<Reply>({
      id: id(),
      method: 'order.cancel',
      params: signWsParams({ symbol: 'BTCUSDT', orderId }),
    });
    expect(again).toMatchObject({ status: 400, error: { code: -2011, msg: 'Unknown order sent.' } });
    const unknown = await api.request<Reply>({
      id: id(),
      method: 'order.status',
      params: signWsParams({ symbol: 'BTCUSDT', orderId: 424242 }),
    });
    expect(unknown).toMatchObject({ status: 400, error: { code: -2013, msg: 'Order does not exist.' } });
  });

  it('leaves rateLimits out when returnRateLimits=false (URL or request)', async () => {
    const quiet = await WsClient.open(`${sim.wsApiUrl}?returnRateLimits=false`);
    try {
      const r = await quiet.request<Reply>({ id: 1, method: 'ping' });
      expect(r).toEqual({ id: 1, status: 200, result: {} });
      const loud = await quiet.request<Reply>({ id: 2, method: 'ping', params: { returnRateLimits: true } });
      expect(loud.rateLimits).toHaveLength(1);
    } finally {
      quiet.close();
    }
    const r = await api.request<Reply>({ id: id(), method: 'time', params: { returnRateLimits: false } });
    expect(r.rateLimits).toBeUndefined();
  });

  it('takes numbers as JSON numbers in params, signed as their text', async () => {
    const r = await api.request<Reply>({
      id: id(),
      method: 'order.test',
      params: signWsParams({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: 0.001,
        price: 50000,
      }),
    });
    expect(r).toMatchObject({ status: 200, result: {} });
  });

  it('account.status answers the account', async () => {
    const r = await api.request<Reply>({ id: id(), method: 'account.status', params: signWsParams({}) });
    expect(r.status).toBe(200);
    expect(r.result).toMatchObject({ canTrade: true, accountType: 'SPOT' });
    expect(Array.isArray(r.result?.balances)).toBe(true);
  });

  it('refuses a bad signature, stale timestamp, missing params and filter failures', async () => {
    const params = signWsParams({ symbol: 'BTCUSDT' });
    const tampered = await api.request<Reply>({
      id: id(),
      method: 'openOrders.status',
      params: { ...params, symbol: 'ETHUSDT' },
    });
    expect(tampered).toMatchObject({
      status: 400,
      error: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
    const stale = await api.request<Reply>({
      id: id(),
      method: 'account.status',
      params: signWsParams({ timestamp: Date.now() - 60_000 }),
    });
    expect(stale.error?.code).toBe(-1021);
    const noKey = await api.request<Reply>({ id: id(), method: 'account.status', params: { timestamp: Date.now() } });
    expect(noKey).toMatchObject({ status: 401, error: { code: -2014 } });
    const missing = await api.request<Reply>({
      id: id(),
      method: 'order.place',
      params: signWsParams({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '1' }),
    });
    expect(missing.error).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    });
    const filter = await api.request<Reply>({
      id: id(),
      method: 'order.place',
      params: signWsParams({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '50000.001',
      }),
    });
    expect(filter.error).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    const method = await api.request<Reply>({ id: id(), method: 'order.teleport', params: {} });
    expect(method.status).toBe(400);
    expect(method.error?.code).toBe(-1020);
    api.send('not json');
    expect(await api.next((m) => m.id === null)).toMatchObject({ status: 400, error: { code: -1135 } });
  });
});

describe('user data over the WebSocket API', () => {
  it('userDataStream.subscribe.signature delivers executionReport and outboundAccountPosition wrapped with subscriptionId', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const sub = await ws.request<Reply>({
        id: 's1',
        method: 'userDataStream.subscribe.signature',
        params: signWsParams({}),
      });
      expect(sub).toMatchObject({ status: 200, result: { subscriptionId: 0 } });
      const dup = await ws.request<Reply>({
        id: 's2',
        method: 'userDataStream.subscribe.signature',
        params: signWsParams({}),
      });
      expect(dup.error?.code).toBe(-2035);

      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.01' });
      const rest = new RestClient(sim.restUrl);
      const order = await rest.signed<{ orderId: number }>('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price: '60000',
        newClientOrderId: 'ud-1',
      });
      const report = await ws.next<{ subscriptionId: number; event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'executionReport',
      );
      expect(report.subscriptionId).toBe(0);
      expect(report.event).toMatchObject({
        e: 'executionReport',
        s: 'BTCUSDT',
        c: 'ud-1',
        S: 'BUY',
        o: 'LIMIT',
        f: 'GTC',
        q: '0.00200000',
        p: '60000.00000000',
        i: order.body.orderId,
      });
      const fill = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { x?: string } | undefined)?.x === 'TRADE',
      );
      expect(fill.event).toMatchObject({
        X: 'FILLED',
        l: '0.00200000',
        L: '60000.00000000',
        z: '0.00200000',
        m: false,
        N: 'BTC',
      });
      expect(typeof fill.event.t).toBe('number');
      const position = await ws.next<{ event: { e: string; B: { a: string; f: string; l: string }[] } }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'outboundAccountPosition',
      );
      expect(position.event.B.map((b) => b.a).sort()).toEqual(['BTC', 'USDT']);

      sim.deposit(TEST_KEY.apiKey, 'USDT', '25.5');
      const deposit = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'balanceUpdate',
      );
      expect(deposit.event).toMatchObject({ e: 'balanceUpdate', a: 'USDT', d: '25.50000000' });
      // A silent credit sends nothing: the next balanceUpdate is the one after it.
      sim.deposit(TEST_KEY.apiKey, 'USDT', '7', { notify: false });
      sim.deposit(TEST_KEY.apiKey, 'USDT', '1.5');
      const next = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'balanceUpdate',
      );
      expect(next.event).toMatchObject({ a: 'USDT', d: '1.50000000' });

      expect(sim.expireUserData()).toBeGreaterThanOrEqual(1);
      const ended = await ws.next<{ subscriptionId: number; event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'eventStreamTerminated',
      );
      expect(ended.subscriptionId).toBe(0);
      expect(typeof ended.event.E).toBe('number');
    } finally {
      ws.close();
    }
  });

  it('a cancel reports c = the cancel id and C = the original id', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 'sub', method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      const placed = await ws.request<Reply>({
        id: 'p',
        method: 'order.place',
        params: signWsParams({
          symbol: 'ETHUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '2000',
          newClientOrderId: 'orig-id',
        }),
      });
      const created = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { x?: string } | undefined)?.x === 'NEW',
      );
      expect(created.event).toMatchObject({ c: 'orig-id', C: '', X: 'NEW', w: true, N: null, l: '0.00000000', t: -1 });
      await ws.request({
        id: 'c',
        method: 'order.cancel',
        params: signWsParams({
          symbol: 'ETHUSDT',
          orderId: placed.result?.orderId as number,
          newClientOrderId: 'cancel-id',
        }),
      });
      const canceled = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { x?: string } | undefined)?.x === 'CANCELED',
      );
      expect(canceled.event).toMatchObject({ c: 'cancel-id', C: 'orig-id', X: 'CANCELED', w: false });
    } finally {
      ws.close();
    }
  });

  it('delivers only the subscribed account, and unsubscribes on request', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const sub = await ws.request<Reply>({
        id: 1,
        method: 'userDataStream.subscribe.signature',
        params: signWsParams({}, OTHER_KEY),
      });
      const subscriptionId = sub.result?.subscriptionId as number;
      sim.deposit(TEST_KEY.apiKey, 'BTC', '0.1');
      sim.deposit(OTHER_KEY.apiKey, 'ETH', '2');
      const ev = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'balanceUpdate',
      );
      expect(ev.event.a).toBe('ETH');
      const unsub = await ws.request<Reply>({
        id: 2,
        method: 'userDataStream.unsubscribe',
        params: { subscriptionId },
      });
      expect(unsub.status).toBe(200);
      const list = await ws.request<{ result: unknown[] }>({ id: 3, method: 'session.subscriptions' });
      expect(list.result).toEqual([]);
    } finally {
      ws.close();
    }
  });

  it('session.logon with an Ed25519 key authenticates the connection for unsigned requests and userDataStream.subscribe', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const logon = await ws.request<Reply>({
        id: 1,
        method: 'session.logon',
        params: signWsParamsEd25519({}, ED_KEY),
      });
      expect(logon.status).toBe(200);
      expect(logon.result).toMatchObject({ apiKey: ED_KEY.apiKey, userDataStream: false });
      const account = await ws.request<Reply>({ id: 2, method: 'account.status', params: { timestamp: Date.now() } });
      expect(account.status).toBe(200);
      const sub = await ws.request<Reply>({ id: 3, method: 'userDataStream.subscribe' });
      expect(sub.result).toEqual({ subscriptionId: 0 });
      sim.deposit(ED_KEY.apiKey, 'BTC', '0.5');
      const ev = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'balanceUpdate',
      );
      expect(ev.event).toMatchObject({ a: 'BTC', d: '0.50000000' });
      const logout = await ws.request<Reply>({ id: 4, method: 'session.logout' });
      expect(logout.result?.apiKey).toBeNull();
    } finally {
      ws.close();
    }
  });

  it('session.logon refuses an HMAC key (Binance: Ed25519 only) and a wrong Ed25519 signature', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const hmac = await ws.request<Reply>({ id: 1, method: 'session.logon', params: signWsParams({}) });
      expect(hmac.status).toBe(401);
      expect(hmac.error?.code).toBe(-1002);
      const forged = signWsParamsEd25519({}, ED_KEY);
      const other = ed25519TestKey(ED_KEY.apiKey);
      const bad = await ws.request<Reply>({
        id: 2,
        method: 'session.logon',
        params: { ...forged, signature: other.sign(`apiKey=${ED_KEY.apiKey}&timestamp=${String(forged.timestamp)}`) },
      });
      expect(bad.error).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
      const status = await ws.request<Reply>({ id: 3, method: 'session.status' });
      expect(status.result?.apiKey).toBeNull();
    } finally {
      ws.close();
    }
  });

  it('an Ed25519 key signs single requests too (order.place with a base64 signature)', async () => {
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '2500', quantity: '1' });
    sim.deposit(ED_KEY.apiKey, 'USDT', '10000');
    const placed = await api.request<Reply>({
      id: id(),
      method: 'order.place',
      params: signWsParamsEd25519({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' }, ED_KEY),
    });
    expect(placed.status).toBe(200);
    expect(placed.result).toMatchObject({ status: 'FILLED', executedQty: '0.10000000' });
    sim.cancelAll('ETHUSDT');
  });
});

describe('legacy listenKey user data stream', () => {
  it('POST/PUT/DELETE userDataStream manage a key whose /ws/<listenKey> stream carries events', async () => {
    const rest = new RestClient(sim.restUrl);
    const created = await rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream');
    const listenKey = created.body.listenKey;
    const again = await rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream');
    expect(again.body.listenKey).toBe(listenKey);
    const ws = await WsClient.open(`${sim.wsStreamUrl}/ws/${listenKey}`);
    try {
      sim.deposit(TEST_KEY.apiKey, 'SOL', '3');
      expect(await ws.next((m) => m.e === 'balanceUpdate')).toMatchObject({
        e: 'balanceUpdate',
        a: 'SOL',
        d: '3.00000000',
      });
      expect((await rest.keyed('PUT', '/api/v3/userDataStream', { listenKey })).body).toEqual({});
      expect((await rest.keyed('DELETE', '/api/v3/userDataStream', { listenKey })).body).toEqual({});
      const gone = await rest.keyed('PUT', '/api/v3/userDataStream', { listenKey });
      expect(gone.body).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
    } finally {
      ws.close();
    }
  });

  it('an expired listenKey stream gets listenKeyExpired', async () => {
    const rest = new RestClient(sim.restUrl, OTHER_KEY);
    const { listenKey } = (await rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream')).body;
    const ws = await WsClient.open(`${sim.wsStreamUrl}/stream?streams=${listenKey}`);
    try {
      sim.expireUserData();
      const m = await ws.next((x) => x.stream === listenKey);
      expect(m.data).toMatchObject({ e: 'listenKeyExpired', listenKey });
    } finally {
      ws.close();
    }
  });

  it('signs WebSocket API params sorted by name', () => {
    const p = signWsParams({ symbol: 'BTCUSDT', timestamp: 1 }, TEST_KEY);
    expect(p.signature).toBe(hmacHex(TEST_KEY.apiSecret, `apiKey=${TEST_KEY.apiKey}&symbol=BTCUSDT&timestamp=1`));
  });
});
