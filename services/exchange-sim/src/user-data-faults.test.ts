// The faults the chaos run needs beyond the original set: duplicated, reordered and delayed events on
// the user data stream, a lost order response on one transport only, and a 418 ban.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFaultSpec } from './faults.js';
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

let seq = 0;
function restingBuy(clientOrderId: string): Record<string, string> {
  return {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.001',
    price: '40000',
    newClientOrderId: clientOrderId,
  };
}

async function userData(): Promise<WsClient> {
  const ws = await WsClient.open(sim.wsApiUrl);
  await ws.request({ id: `sub${(seq += 1)}`, method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
  return ws;
}

type Event = { e?: string; c?: string; X?: string };
const events = (ws: WsClient): Event[] =>
  ws.messages.map((m) => (m as { event?: Event }).event).filter((e): e is Event => e !== undefined);

describe('fault spec keys', () => {
  it('parses the user-data, one-transport drop and ban keys', () => {
    expect(
      parseFaultSpec(
        'user-delay=500,user-reorder=0.2,user-duplicate=0.1,drop-rest-response=2,drop-ws-api-response=1,ban=3000',
      ),
    ).toMatchObject({
      userDataDelayMs: 500,
      userDataReorderProbability: 0.2,
      userDataDuplicateProbability: 0.1,
      dropRestResponses: 2,
      dropWsApiResponses: 1,
      banMs: 3000,
    });
  });
});

describe('user data stream faults', () => {
  it('duplicate: an execution report arrives twice', async () => {
    const ws = await userData();
    try {
      sim.setFaults({ userDataDuplicateProbability: 1 });
      await rest.signed('POST', '/api/v3/order', restingBuy('dup-er'));
      sim.setFaults({});
      await rest.signed('POST', '/api/v3/order', restingBuy('dup-marker'));
      await ws.next((m) => (m.event as Event | undefined)?.c === 'dup-marker', 5000, 'the marker order');
      expect(events(ws).filter((e) => e.c === 'dup-er' && e.e === 'executionReport')).toHaveLength(2);
    } finally {
      ws.close();
    }
  });

  it('reorder: an execution report is held back past the account update that followed it', async () => {
    const ws = await userData();
    try {
      sim.setFaults({ userDataReorderProbability: 1 });
      await rest.signed('POST', '/api/v3/order', restingBuy('reordered'));
      // Leave the report in the queue: the marker's own report comes after it whatever the fault does.
      sim.setFaults({});
      await rest.signed('POST', '/api/v3/order', restingBuy('reorder-marker'));
      await ws.next((m) => (m.event as Event | undefined)?.c === 'reorder-marker', 5000, 'the marker order');
      const kinds = events(ws).map((e) => (e.e === 'executionReport' ? `er:${e.c}` : e.e));
      expect(kinds.slice(0, 2)).toEqual(['outboundAccountPosition', 'er:reordered']);
    } finally {
      ws.close();
    }
  });

  it('delay: an execution report arrives after a REST round trip made later', async () => {
    const ws = await userData();
    try {
      sim.setFaults({ userDataDelayMs: 1500 });
      const before = ws.messages.length;
      await rest.signed('POST', '/api/v3/order', restingBuy('delayed'));
      await rest.public('/api/v3/ping');
      expect(ws.messages.length).toBe(before);
      const report = await ws.next<{ event: Event }>((m) => (m.event as Event | undefined)?.c === 'delayed', 5000);
      expect(report.event).toMatchObject({ e: 'executionReport', X: 'NEW' });
    } finally {
      ws.close();
    }
  });
});

describe('lost order responses on one transport', () => {
  it('drop-rest-response swallows a REST answer and leaves the WS API alone', async () => {
    sim.setFaults({ dropRestResponses: 1 });
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const placed = await ws.request<{ status: number }>({
        id: 'ws-heard',
        method: 'order.place',
        params: signWsParams(restingBuy('ws-heard')),
      });
      expect(placed.status).toBe(200);
      expect(sim.faults().dropRestResponses).toBe(1);
      await expect(rest.signed('POST', '/api/v3/order', restingBuy('rest-lost'))).rejects.toThrow();
      expect(sim.faults().dropRestResponses).toBe(0);
      const lookup = await rest.signed<{ status: string }>('GET', '/api/v3/order', {
        symbol: 'BTCUSDT',
        origClientOrderId: 'rest-lost',
      });
      expect(lookup.body.status).toBe('NEW');
    } finally {
      ws.close();
    }
  });

  it('drop-ws-api-response swallows a WS API answer and leaves REST alone', async () => {
    sim.setFaults({ dropWsApiResponses: 1 });
    const heard = await rest.signed('POST', '/api/v3/order', restingBuy('rest-heard'));
    expect(heard.status).toBe(200);
    expect(sim.faults().dropWsApiResponses).toBe(1);
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      ws.send({ id: 'ws-lost', method: 'order.place', params: signWsParams(restingBuy('ws-lost-2')) });
      const status = await ws.request<{ result: { status: string } }>({
        id: 'q',
        method: 'order.status',
        params: signWsParams({ symbol: 'BTCUSDT', origClientOrderId: 'ws-lost-2' }),
      });
      expect(status.result.status).toBe('NEW');
      expect(ws.messages.some((m) => (m as { id?: unknown }).id === 'ws-lost')).toBe(false);
      expect(sim.faults().dropWsApiResponses).toBe(0);
    } finally {
      ws.close();
    }
  });
});

describe('418 ban', () => {
  it('refuses every REST request with 418 -1003 and Retry-After while the ban lasts; lifting it ends it', async () => {
    const put = await fetch(`${sim.adminUrl}/faults`, { method: 'PATCH', body: JSON.stringify({ banMs: 60_000 }) });
    expect(put.status).toBe(200);
    const banned = await rest.public<{ code: number; msg: string }>('/api/v3/ping');
    expect(banned.status).toBe(418);
    expect(banned.body.code).toBe(-1003);
    expect(banned.body.msg).toMatch(/IP banned until \d+/);
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(50);
    const order = await rest.signed('POST', '/api/v3/order', restingBuy('while-banned'));
    expect(order.status).toBe(418);
    await fetch(`${sim.adminUrl}/faults`, { method: 'PATCH', body: JSON.stringify({ banMs: 0 }) });
    expect((await rest.public('/api/v3/ping')).status).toBe(200);
  });
});
