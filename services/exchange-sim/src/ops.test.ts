// The sim's ops endpoints: /healthz, /readyz and /metrics with requests by endpoint and status,
// orders, trades and injected faults, counted from real REST and WebSocket API traffic.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

async function scrape(): Promise<string> {
  const res = await fetch(`${sim.restUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of the one sample of `name` carrying all of `labels` (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('ops endpoints', () => {
  it('/healthz and /readyz answer like every service', async () => {
    const health = await fetch(`${sim.restUrl}/healthz`);
    expect({ status: health.status, body: await health.json() }).toEqual({
      status: 200,
      body: { status: 'ok', reasons: [] },
    });
    const ready = await fetch(`${sim.restUrl}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ok', reasons: [] },
    });
  });

  it('/metrics counts requests by endpoint and status, orders, trades and injected faults', async () => {
    await rest.public('/api/v3/ping');
    await rest.public('/api/v3/ping');
    await rest.public('/api/v3/depth', { symbol: 'NOPEUSDT' });
    await fetch(`${sim.restUrl}/api/v3/no-such-thing`);
    sim.setFaults('5xx=1');
    await rest.public('/api/v3/time');
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '1' });
    await rest.signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 1, method: 'ping' });
      await ws.request({
        id: 2,
        method: 'order.place',
        params: signWsParams({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.02' }),
      });
      await ws.request({ id: 3, method: 'no.such.method' });
    } finally {
      ws.close();
    }
    sim.cancelAll('BTCUSDT');

    const text = await scrape();
    const req = (labels: Record<string, string>): number => sample(text, 'bourse_sim_requests_total', labels);
    expect(req({ transport: 'rest', endpoint: 'GET /api/v3/ping', status: '200' })).toBe(2);
    expect(req({ transport: 'rest', endpoint: 'GET /api/v3/depth', status: '400' })).toBe(1);
    expect(req({ transport: 'rest', endpoint: 'unknown', status: '404' })).toBe(1);
    expect(req({ transport: 'rest', endpoint: 'GET /api/v3/time', status: '503' })).toBe(1);
    expect(req({ transport: 'rest', endpoint: 'POST /api/v3/order', status: '200' })).toBe(1);
    expect(req({ transport: 'ws-api', endpoint: 'ping', status: '200' })).toBe(1);
    expect(req({ transport: 'ws-api', endpoint: 'order.place', status: '200' })).toBe(1);
    expect(req({ transport: 'ws-api', endpoint: 'unknown', status: '400' })).toBe(1);
    const orders = (participant: string): number =>
      sample(text, 'bourse_sim_orders_total', { symbol: 'BTCUSDT', participant });
    expect(orders('user')).toBe(2);
    expect(orders('market-activity')).toBe(1);
    expect(sample(text, 'bourse_sim_trades_total', { symbol: 'BTCUSDT' })).toBe(2);
    expect(sample(text, 'bourse_sim_faults_injected_total', { fault: 'serverErrors' })).toBe(1);
    expect(text).toContain('service="exchange-sim"');
  });

  it('counts a swallowed order response as dropped, and cut connections', async () => {
    sim.placeLiquidity({ symbol: 'ETHUSDT', side: 'SELL', price: '3000', quantity: '1' });
    sim.setFaults('drop-response=1');
    await expect(
      rest.signed('POST', '/api/v3/order', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }),
    ).rejects.toThrow();
    sim.cancelAll('ETHUSDT');
    const c = await WsClient.open(`${sim.wsStreamUrl}/ws`);
    expect(sim.dropWsConnections()).toBe(1);
    await c.waitClosed();
    const text = await scrape();
    expect(
      sample(text, 'bourse_sim_requests_total', {
        transport: 'rest',
        endpoint: 'POST /api/v3/order',
        status: 'dropped',
      }),
    ).toBe(1);
    expect(sample(text, 'bourse_sim_faults_injected_total', { fault: 'dropResponses' })).toBe(1);
    expect(sample(text, 'bourse_sim_faults_injected_total', { fault: 'dropWs' })).toBe(1);
  });
});
