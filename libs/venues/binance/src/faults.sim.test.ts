import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';
import { VenueErrorCode } from '@bourse/venues';
import type { BinanceVenueClient } from './binance-venue.js';
import { connectClient, eventually, startSim, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const cid = (s: string) => ClientOrderId.parse(`${s}-${Math.random().toString(36).slice(2, 10)}`);

async function metric(client: BinanceVenueClient, name: string, labels: Record<string, string>): Promise<number> {
  const m = await client.metrics.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('faults injected by the simulator', () => {
  let sim: RunningSim;
  let apiKey: string;
  let apiSecret: string;
  let ws: BinanceVenueClient;
  let rest: BinanceVenueClient;

  beforeAll(async () => {
    ({ sim, apiKey, apiSecret } = await startSim());
    ws = await connectClient(sim, apiKey, apiSecret);
    rest = await connectClient(sim, apiKey, apiSecret, { orderPath: 'rest' });
  });
  afterAll(async () => {
    await ws?.close();
    await rest?.close();
    await sim?.close();
  });

  it('REST response lost after acceptance → unknown → resolved by query, never sent twice', async () => {
    sim.setFaults({ dropResponses: 1 });
    const id = cid('lostrest');
    const placed = await rest.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.02',
      price: '40000',
    });
    expect(placed.outcome).toBe('accepted');
    if (placed.outcome === 'accepted') {
      expect(placed.resolvedByQuery).toBe(true);
      expect(placed.order.clientOrderId).toBe(id);
    }
    const open = await rest.openOrders(BTC);
    expect(open.filter((o) => o.clientOrderId === id)).toHaveLength(1);
    expect(await metric(rest, 'bourse_venue_unknown_order_outcomes_total', { resolution: 'found' })).toBe(1);
  });

  it('WS-API response swallowed after acceptance → unknown → resolved by query, never sent twice', async () => {
    sim.setFaults({ dropResponses: 1 });
    const id = cid('lostws');
    const placed = await ws.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'SELL',
      style: 'limit',
      quantity: '0.02',
      price: '90000',
    });
    expect(placed.outcome).toBe('accepted');
    if (placed.outcome === 'accepted') {
      expect(placed.via).toBe('ws-api');
      expect(placed.resolvedByQuery).toBe(true);
    }
    const open = await ws.openOrders(BTC);
    expect(open.filter((o) => o.clientOrderId === id)).toHaveLength(1);
  });

  it('5xx to an order → unknown → queried; not found → reported unknown (not-found), never resent', async () => {
    sim.setFaults({ serverErrors: 1 });
    const id = cid('503');
    const placed = await rest.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.02',
      price: '40000',
    });
    expect(placed.outcome).toBe('unknown');
    if (placed.outcome === 'unknown') {
      expect(placed.query).toBe('not-found');
      expect(placed.error.httpStatus).toBe(503);
    }
    expect((await rest.openOrders(BTC)).filter((o) => o.clientOrderId === id)).toHaveLength(0);
    expect(await metric(rest, 'bourse_venue_unknown_order_outcomes_total', { resolution: 'not-found' })).toBe(1);
    // The same 5xx on a read is retried with backoff and succeeds.
    sim.setFaults({ serverErrors: 1 });
    expect((await rest.balances()).length).toBeGreaterThan(0);
  });

  it('when the queries fail too, the placement stays unknown (query-failed) and nothing is resent', async () => {
    const postsNow = async () =>
      ((await rest.metrics.registry.getSingleMetric('bourse_venue_requests_total')?.get())?.values ?? [])
        .filter((v) => v.labels.operation === 'POST /api/v3/order')
        .reduce((sum, v) => sum + v.value, 0);
    const postsBefore = await postsNow();
    sim.setFaults({ serverErrors: 1_000 });
    const id = cid('qfail');
    let placed: Awaited<ReturnType<BinanceVenueClient['placeOrder']>>;
    try {
      placed = await rest.placeOrder({
        clientOrderId: id,
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.02',
        price: '40000',
      });
    } finally {
      sim.setFaults({ serverErrors: 0 });
    }
    expect(placed).toMatchObject({ outcome: 'unknown', query: 'query-failed', clientOrderId: id });
    // Exactly one placement reached the venue; every later request was a query.
    expect(await postsNow()).toBe(postsBefore + 1);
    expect(await metric(rest, 'bourse_venue_unknown_order_outcomes_total', { resolution: 'query-failed' })).toBe(1);
  });

  it('429 on a query → waits out Retry-After and succeeds; on an order → a retryable rejection', async () => {
    sim.setFaults({ tooManyRequests: 1 });
    const balances = await rest.balances();
    expect(balances.some((b) => b.asset === 'USDT')).toBe(true);
    expect(
      await metric(rest, 'bourse_venue_requests_total', {
        operation: 'GET /api/v3/account',
        outcome: VenueErrorCode.RATE_LIMITED,
      }),
    ).toBe(1);
    expect(
      await metric(rest, 'bourse_venue_rate_limit_waits_total', { reason: 'rate-limited' }),
    ).toBeGreaterThanOrEqual(1);

    sim.setFaults({ tooManyRequests: 1 });
    const placed = await rest.placeOrder({
      clientOrderId: cid('429'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.02',
      price: '40000',
    });
    expect(placed.outcome).toBe('rejected');
    if (placed.outcome === 'rejected') {
      expect(placed.error.code).toBe(VenueErrorCode.RATE_LIMITED);
      expect(placed.error.retryAfterMs).toBe(1_000);
    }
  });

  it('clock skew → -1021 → offset measured again → the request goes through', async () => {
    sim.setFaults({ clockSkewMs: 30_000 });
    try {
      const id = cid('skew');
      const placed = await ws.placeOrder({
        clientOrderId: id,
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.02',
        price: '40000',
      });
      expect(placed.outcome).toBe('accepted');
      expect(ws.serverClock.offsetMs).toBeGreaterThan(25_000);
      expect(
        await metric(ws, 'bourse_venue_requests_total', {
          operation: 'order.place',
          outcome: VenueErrorCode.CLOCK_SKEW,
        }),
      ).toBe(1);
      const balances = await rest.balances();
      expect(balances.length).toBeGreaterThan(0);
      expect(rest.serverClock.offsetMs).toBeGreaterThan(25_000);
    } finally {
      sim.setFaults({ clockSkewMs: 0 });
    }
  });

  it('-1021 and a 503 on the clock sync (GET /api/v3/time) → a local, retryable failure: ours, not a venue rejection', async () => {
    sim.setFaults({ clockSkewMs: -30_000, serverErrors: 100, serverErrorsPath: '/api/v3/time' });
    try {
      for (const client of [rest, ws]) {
        const id = cid('timesync');
        const placed = await client.placeOrder({
          clientOrderId: id,
          symbol: BTC,
          side: 'BUY',
          style: 'limit',
          quantity: '0.02',
          price: '40000',
        });
        expect(placed.outcome).toBe('rejected');
        if (placed.outcome === 'rejected') {
          expect(placed.error).toMatchObject({
            code: VenueErrorCode.CLOCK_SYNC_FAILED,
            kind: 'retryable',
            local: true,
          });
        }
        sim.setFaults({ clockSkewMs: -30_000, serverErrors: 0 });
        expect(await client.queryOrder({ symbol: BTC, clientOrderId: id })).toBeUndefined();
        sim.setFaults({ clockSkewMs: -30_000, serverErrors: 100, serverErrorsPath: '/api/v3/time' });
      }
    } finally {
      sim.setFaults({ clockSkewMs: 0 });
      await rest.serverClock.sync();
      await ws.serverClock.sync();
    }
  });

  it('an order past its deadline (notAfter) → not sent, over either path: local VENUE_REQUEST_EXPIRED', async () => {
    for (const client of [rest, ws]) {
      const id = cid('late');
      const placed = await client.placeOrder({
        clientOrderId: id,
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.02',
        price: '40000',
        notAfter: Date.now() - 1,
      });
      expect(placed.outcome).toBe('rejected');
      if (placed.outcome === 'rejected') {
        expect(placed.error).toMatchObject({ code: VenueErrorCode.EXPIRED, kind: 'non-retryable', local: true });
      }
      expect(sim.engine.getAllOrders(apiKey, 'BTCUSDT').filter((o) => o.clientOrderId === id)).toEqual([]);
    }
    const inTime = await rest.placeOrder({
      clientOrderId: cid('intime'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.02',
      price: '40000',
      notAfter: Date.now() + 10_000,
    });
    expect(inTime.outcome).toBe('accepted');
  });

  it('an order for an instrument the venue does not list → refused before sending: local', async () => {
    const placed = await rest.placeOrder({
      clientOrderId: cid('nosym'),
      symbol: InstrumentSymbol.parse('NOPE/USDT'),
      side: 'BUY',
      style: 'limit',
      quantity: '1',
      price: '1',
    });
    expect(placed.outcome).toBe('rejected');
    if (placed.outcome === 'rejected')
      expect(placed.error).toMatchObject({ code: VenueErrorCode.INVALID_REQUEST, local: true });
  });

  it('a dropped WS-API connection: orders fall back to REST while it reconnects, then use it again', async () => {
    // Slow reconnects (≥ 500 ms) so the order below is sent while the WS-API is down.
    const slow = await connectClient(sim, apiKey, apiSecret, { reconnectBaseMs: 1_000, reconnectMaxMs: 1_000 });
    try {
      sim.dropWsConnections();
      await eventually(
        () => (slow.orderConnectionState !== 'open' ? true : undefined),
        5_000,
        'the WS-API to notice the drop',
      );
      const placed = await slow.placeOrder({
        clientOrderId: cid('fallback'),
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.02',
        price: '40000',
      });
      expect(placed.outcome).toBe('accepted');
      if (placed.outcome === 'accepted') expect(placed.via).toBe('rest');
      await eventually(
        () => (slow.orderConnectionState === 'open' ? true : undefined),
        10_000,
        'the WS-API to reconnect',
      );
      const again = await slow.placeOrder({
        clientOrderId: cid('back'),
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.02',
        price: '40000',
      });
      expect(again.via).toBe('ws-api');
      expect(await metric(slow, 'bourse_venue_ws_reconnects_total', { connection: 'ws-api' })).toBeGreaterThanOrEqual(
        1,
      );
    } finally {
      await slow.close();
    }
  });
});

describe('418: the adapter stops entirely until the ban ends', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;

  beforeAll(async () => {
    const started = await startSim({
      rateLimits: { requestWeightPerMinute: 200, rejectionsBeforeBan: 0, banMs: 120_000 },
    });
    sim = started.sim;
    client = await connectClient(sim, started.apiKey, started.apiSecret, { orderPath: 'rest' });
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  it('gets banned (another process on this IP overspent), then refuses locally without sending', async () => {
    // Another process on the same IP spends the minute's weight and keeps going: the IP is banned.
    let status = 200;
    for (let i = 0; i < 20 && status !== 418; i++) status = (await fetch(`${sim.restUrl}/api/v3/exchangeInfo`)).status;
    expect(status).toBe(418);

    const first = await client.placeOrder({
      clientOrderId: cid('ban'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '40000',
    });
    expect(first.outcome).toBe('rejected');
    if (first.outcome === 'rejected') {
      expect(first.error.code).toBe(VenueErrorCode.IP_BANNED);
      expect(first.error.kind).toBe('fatal');
      expect(first.error.retryAfterMs).toBeGreaterThan(60_000);
    }
    const sentBefore = await metric(client, 'bourse_venue_requests_total', {
      operation: 'GET /api/v3/account',
      outcome: VenueErrorCode.IP_BANNED,
    });
    await expect(client.balances()).rejects.toMatchObject({
      code: VenueErrorCode.IP_BANNED,
      message: expect.stringMatching(/refused locally/),
    });
    // Counted as a refusal, with no retry behind it.
    expect(
      await metric(client, 'bourse_venue_requests_total', {
        operation: 'GET /api/v3/account',
        outcome: VenueErrorCode.IP_BANNED,
      }),
    ).toBe(sentBefore + 1);
  });
});
