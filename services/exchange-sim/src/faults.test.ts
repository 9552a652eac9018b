import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultState, InvalidFaultSpecError, NO_FAULTS, parseFaultSpec, validateFaultSpec } from './faults.js';
import { startExchangeSim, type RunningExchangeSim } from './server.js';
import { RestClient, signWsParams, TEST_KEY, WsClient } from './test-support.js';

let sim: RunningExchangeSim;
let rest: RestClient;

beforeAll(async () => {
  sim = await startExchangeSim({ apiKeys: [TEST_KEY], marketActivity: { enabled: false } });
  rest = new RestClient(sim.restUrl);
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.setFaults({});
  sim.cancelAll('BTCUSDT');
});

describe('fault spec', () => {
  it('parses the --faults string', () => {
    expect(
      parseFaultSpec(
        'delay=200,reorder=0.1,duplicate=0.05,drop-ws=30000,drop-response=1,5xx=3,429=5,skew=-2000,expire-user-data=60000,hide-user-fills=30000',
      ),
    ).toEqual({
      streamDelayMs: 200,
      streamReorderProbability: 0.1,
      streamDuplicateProbability: 0.05,
      dropWsEveryMs: 30000,
      dropResponses: 1,
      serverErrors: 3,
      tooManyRequests: 5,
      clockSkewMs: -2000,
      expireUserDataEveryMs: 60000,
      hideUserFillsMs: 30000,
      userDataDelayMs: 0,
      userDataReorderProbability: 0,
      userDataDuplicateProbability: 0,
      dropRestResponses: 0,
      dropWsApiResponses: 0,
      banMs: 0,
    });
    expect(parseFaultSpec('')).toEqual(NO_FAULTS);
  });

  it('names what is wrong in a bad spec', () => {
    expect(() => parseFaultSpec('explode=1')).toThrow(/bad fault "explode=1"/);
    expect(() => parseFaultSpec('delay=soon')).toThrow(/"soon" is not a number/);
    expect(() => parseFaultSpec('reorder=2')).toThrow(InvalidFaultSpecError);
  });
});

describe('admin endpoint', () => {
  it('GET, PUT (JSON or spec string) and PATCH /admin/faults', async () => {
    const put = await fetch(`${sim.adminUrl}/faults`, { method: 'PUT', body: JSON.stringify({ serverErrors: 2 }) });
    expect(((await put.json()) as { serverErrors: number }).serverErrors).toBe(2);
    const asString = await fetch(`${sim.adminUrl}/faults`, { method: 'PUT', body: '429=4,skew=10' });
    expect(await asString.json()).toMatchObject({ tooManyRequests: 4, clockSkewMs: 10, serverErrors: 0 });
    const patch = await fetch(`${sim.adminUrl}/faults`, {
      method: 'PATCH',
      body: JSON.stringify({ streamDelayMs: 5 }),
    });
    expect(await patch.json()).toMatchObject({ tooManyRequests: 4, streamDelayMs: 5 });
    const get = await fetch(`${sim.adminUrl}/faults`);
    expect(await get.json()).toMatchObject({ tooManyRequests: 4, clockSkewMs: 10, streamDelayMs: 5 });
    const bad = await fetch(`${sim.adminUrl}/faults`, { method: 'PUT', body: JSON.stringify({ teleport: true }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('invalid fault spec');
  });

  it('POST /admin/deposit credits an account, silently with notify false; a bad notify is named', async () => {
    const usdt = () => Number(sim.balances(TEST_KEY.apiKey).find((b) => b.asset === 'USDT')?.free ?? 0);
    const before = usdt();
    const post = (body: unknown) => fetch(`${sim.adminUrl}/deposit`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ account: TEST_KEY.apiKey, asset: 'USDT', amount: '12', notify: false })).status).toBe(200);
    expect(usdt()).toBe(before + 12);
    const bad = await post({ account: TEST_KEY.apiKey, asset: 'USDT', amount: '1', notify: 'no' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('notify');
    expect(usdt()).toBe(before + 12);
  });
});

describe('REST faults', () => {
  it('5xx burst: the next N requests get 503 and are not processed', async () => {
    sim.setFaults({ serverErrors: 2 });
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '40000',
      newClientOrderId: 'five-oh-three',
    };
    const a = await rest.signed('POST', '/api/v3/order', order);
    const b = await rest.public('/api/v3/ping');
    expect([a.status, b.status]).toEqual([503, 503]);
    expect(a.body).toEqual({ code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    const lookup = await rest.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'five-oh-three' });
    expect(lookup.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });

  it('5xx burst on one path: only requests to it get 503, the others pass without using it up', async () => {
    sim.setFaults(parseFaultSpec('5xx=2,5xx-path=/api/v3/time'));
    const statuses: number[] = [];
    for (const path of ['/api/v3/ping', '/api/v3/time', '/api/v3/ping', '/api/v3/time', '/api/v3/time']) {
      statuses.push((await rest.public(path)).status);
    }
    expect(statuses).toEqual([200, 503, 200, 503, 200]);
    expect(() => parseFaultSpec('5xx-path=api/v3/time')).toThrow(/serverErrorsPath/);
  });

  it('429 storm: the next N requests get 429 -1003 with Retry-After', async () => {
    sim.setFaults({ tooManyRequests: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const r = await rest.public<{ code?: number }>('/api/v3/ping');
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.body.code).toBe(-1003);
        expect(r.headers.get('retry-after')).toBe('1');
      }
    }
    expect(statuses).toEqual([429, 429, 429, 200]);
  });

  it('drop-response: the order is accepted but the REST response never comes', async () => {
    sim.setFaults({ dropResponses: 1 });
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '40000',
      newClientOrderId: 'lost-ack',
    };
    await expect(rest.signed('POST', '/api/v3/order', order)).rejects.toThrow();
    const lookup = await rest.signed<{ status: string; clientOrderId: string }>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'lost-ack',
    });
    expect(lookup.body).toMatchObject({ status: 'NEW', clientOrderId: 'lost-ack' });
    expect(sim.faults().dropResponses).toBe(0);
    const next = await rest.signed('POST', '/api/v3/order', { ...order, newClientOrderId: 'heard-ack' });
    expect(next.status).toBe(200);
  });

  it('clock skew shifts serverTime and the recvWindow check', async () => {
    sim.setFaults({ clockSkewMs: -3000 });
    const { body } = await rest.public<{ serverTime: number }>('/api/v3/time');
    const now = Date.now();
    expect(body.serverTime).toBeLessThan(now - 2000);
    const ahead = await rest.signed('GET', '/api/v3/account', { timestamp: now });
    expect(ahead.body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    const synced = await rest.signed('GET', '/api/v3/account', { timestamp: body.serverTime });
    expect(synced.status).toBe(200);
  });
});

describe('WebSocket API faults', () => {
  it('drop-response: order.place gets no reply, yet the order rests and its executionReport arrives', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 'sub', method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      sim.setFaults({ dropResponses: 1 });
      ws.send({
        id: 'lost',
        method: 'order.place',
        params: signWsParams({
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: '40000',
          newClientOrderId: 'ws-lost',
        }),
      });
      const report = await ws.next<{ event: { c: string; X: string } }>(
        (m) => (m.event as { e?: string } | undefined)?.e === 'executionReport',
      );
      expect(report.event).toMatchObject({ c: 'ws-lost', X: 'NEW' });
      const status = await ws.request<{ result: { status: string } }>({
        id: 'q',
        method: 'order.status',
        params: signWsParams({ symbol: 'BTCUSDT', origClientOrderId: 'ws-lost' }),
      });
      expect(status.result.status).toBe('NEW');
      expect(ws.messages.some((m) => (m as { id?: unknown }).id === 'lost')).toBe(false);
    } finally {
      ws.close();
    }
  });
});

describe('stream faults', () => {
  async function tradeStream(): Promise<WsClient> {
    const c = await WsClient.open(`${sim.wsStreamUrl}/ws/btcusdt@trade`);
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '1' });
    return c;
  }

  it('duplicate: every event twice', async () => {
    const c = await tradeStream();
    try {
      sim.setFaults({ streamDuplicateProbability: 1 });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      const a = await c.next((m) => m.e === 'trade');
      const b = await c.next((m) => m.e === 'trade');
      expect(b).toEqual(a);
    } finally {
      c.close();
    }
  });

  it('reorder: a held-back event arrives after the next one', async () => {
    const c = await tradeStream();
    try {
      sim.setFaults({ streamReorderProbability: 1 });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.02' });
      const first = await c.next((m) => m.e === 'trade');
      const second = await c.next((m) => m.e === 'trade');
      expect((first.t as number) > (second.t as number)).toBe(true);
      expect(first.q).toBe('0.02000000');
    } finally {
      c.close();
    }
  });

  it('delay: events arrive after a REST round trip made later', async () => {
    const c = await tradeStream();
    try {
      sim.setFaults({ streamDelayMs: 1500 });
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      await rest.public('/api/v3/ping');
      expect(c.messages).toEqual([]);
      expect(await c.next((m) => m.e === 'trade', 5000)).toMatchObject({ q: '0.01000000' });
    } finally {
      c.close();
    }
  });

  it('drop-ws: the admin action and the periodic fault cut every connection', async () => {
    const a = await WsClient.open(`${sim.wsStreamUrl}/ws/btcusdt@trade`);
    const b = await WsClient.open(sim.wsApiUrl);
    const res = await fetch(`${sim.adminUrl}/faults/drop-ws`, { method: 'POST' });
    expect(((await res.json()) as { dropped: number }).dropped).toBeGreaterThanOrEqual(2);
    expect(await a.waitClosed()).toBe(1006);
    expect(await b.waitClosed()).toBe(1006);
    const c = await WsClient.open(`${sim.wsStreamUrl}/ws`);
    sim.setFaults({ dropWsEveryMs: 100 });
    expect(await c.waitClosed()).toBe(1006);
  });

  it('expire-user-data on a schedule ends WS-API subscriptions with eventStreamTerminated', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 1, method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      sim.setFaults({ expireUserDataEveryMs: 100 });
      const ended = await ws.next((m) => (m.event as { e?: string } | undefined)?.e === 'eventStreamTerminated');
      expect(ended.subscriptionId).toBe(0);
    } finally {
      ws.close();
    }
  });
});

describe('hide-user-fills', () => {
  it('opens a window when set; a PATCH of another fault does not prolong it', () => {
    let now = 1_000;
    const state = new FaultState(parseFaultSpec('hide-user-fills=30000'), undefined, () => now);
    expect(state.hidingUserFills()).toBe(true);
    now += 20_000;
    state.update({ serverErrors: 1 });
    now += 9_999;
    expect(state.hidingUserFills()).toBe(true);
    now += 1;
    expect(state.hidingUserFills()).toBe(false);
    state.update({ hideUserFillsMs: 5 });
    expect(state.hidingUserFills()).toBe(true);
    state.set(validateFaultSpec({}));
    expect(state.hidingUserFills()).toBe(false);
    expect(() => parseFaultSpec('hide-user-fills=-1')).toThrow(InvalidFaultSpecError);
  });

  it('withholds executions and their account position from user data; queries still show them', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 'sub', method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      const put = await fetch(`${sim.adminUrl}/faults`, { method: 'PUT', body: 'hide-user-fills=600000' });
      expect(((await put.json()) as { hideUserFillsMs: number }).hideUserFillsMs).toBe(600000);
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.01' });
      const hidden = await rest.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.002',
        price: '60000',
        newClientOrderId: 'hidden-fill',
      });
      expect(hidden.status).toBe(200);
      // A later event on the same stream: everything sent before it has arrived.
      await rest.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '40000',
        newClientOrderId: 'marker',
      });
      await ws.next((m) => (m.event as { c?: string } | undefined)?.c === 'marker', 5000, 'the marker order');
      const events = ws.messages.map((m) => (m as { event?: Record<string, unknown> }).event).filter(Boolean);
      expect(events.filter((e) => e?.c === 'hidden-fill').map((e) => e?.x)).toEqual(['NEW']);
      expect(events.some((e) => e?.x === 'TRADE')).toBe(false);

      const order = await rest.signed<{ status: string }>('GET', '/api/v3/order', {
        symbol: 'BTCUSDT',
        origClientOrderId: 'hidden-fill',
      });
      expect(order.body.status).toBe('FILLED');
      const trades = await rest.signed<{ qty: string }[]>('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
      expect(trades.body.some((t) => t.qty === '0.00200000')).toBe(true);

      const patch = await fetch(`${sim.adminUrl}/faults`, {
        method: 'PATCH',
        body: JSON.stringify({ hideUserFillsMs: 0 }),
      });
      expect(patch.status).toBe(200);
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.01' });
      await rest.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.003',
        price: '60000',
        newClientOrderId: 'shown-fill',
      });
      const shown = await ws.next<{ event: Record<string, unknown> }>(
        (m) => (m.event as { x?: string } | undefined)?.x === 'TRADE',
      );
      expect(shown.event).toMatchObject({ c: 'shown-fill', X: 'FILLED' });
    } finally {
      ws.close();
    }
  });
});
