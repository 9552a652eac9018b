import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';
import type { BinanceVenueClient } from './binance-venue.js';
import { connectClient, startSim, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const cid = (s: string) => ClientOrderId.parse(`${s}-${Math.random().toString(36).slice(2, 10)}`);

describe('BinanceVenueClient against the exchange simulator (happy paths)', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;
  let restClient: BinanceVenueClient;

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '2' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '49990.00', quantity: '2' });
    client = await connectClient(sim, started.apiKey, started.apiSecret);
    restClient = await connectClient(sim, started.apiKey, started.apiSecret, { orderPath: 'rest' });
  });
  afterAll(async () => {
    await client?.close();
    await restClient?.close();
    await sim?.close();
  });

  it('loads exchangeInfo into the instrument registry and measures the clock offset', async () => {
    expect(client.instruments.require('BTC/USDT').venueSymbol).toBe('BTCUSDT');
    expect(client.instruments.require('ETH/USDT').tickSize).toBeDefined();
    expect(Math.abs(client.serverClock.offsetMs)).toBeLessThan(1_000);
  });

  it('places a limit order over the WS-API, queries it, sees it open, and cancels it', async () => {
    const id = cid('ws');
    const placed = await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '49000',
      timeInForce: 'GTC',
    });
    expect(placed.outcome).toBe('accepted');
    if (placed.outcome !== 'accepted') return;
    expect(placed.via).toBe('ws-api');
    expect(placed.order).toMatchObject({
      clientOrderId: id,
      status: 'new',
      side: 'BUY',
      style: 'limit',
      symbol: 'BTC/USDT',
    });

    const queried = await client.queryOrder({ symbol: BTC, clientOrderId: id });
    expect(queried?.venueOrderId).toBe(placed.order.venueOrderId);
    const open = await client.openOrders(BTC);
    expect(open.map((o) => o.clientOrderId)).toContain(id);

    const canceled = await client.cancelOrder({ symbol: BTC, clientOrderId: id });
    expect(canceled.outcome).toBe('canceled');
    if (canceled.outcome === 'canceled') expect(canceled.order.status).toBe('canceled');
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: cid('never') })).toBeUndefined();
  });

  it('places a market order over REST, fills it, and lists the trade and the new balances', async () => {
    const id = cid('rest');
    const before = await restClient.balances();
    const placed = await restClient.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'market',
      quantity: '0.1',
    });
    expect(placed.outcome).toBe('accepted');
    if (placed.outcome !== 'accepted') return;
    expect(placed.via).toBe('rest');
    expect(placed.order.status).toBe('filled');
    expect(placed.order.cumulativeQuantity).toMatch(/^0\.1/);

    const trades = await restClient.trades({ symbol: BTC });
    const mine = trades.filter((t) => t.venueOrderId === placed.order.venueOrderId);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ side: 'BUY', price: '50010.00000000', liquidity: 'taker' });

    const after = await restClient.balances();
    const btc = (list: typeof before) => Number(list.find((b) => b.asset === 'BTC')?.free ?? '0');
    expect(btc(after)).toBeGreaterThan(btc(before));
  });

  it('lists the trades of one order by its venue order id, and nothing of another', async () => {
    const first = await restClient.placeOrder({
      clientOrderId: cid('byorder'),
      symbol: BTC,
      side: 'BUY',
      style: 'market',
      quantity: '0.05',
    });
    const second = await restClient.placeOrder({
      clientOrderId: cid('byorder'),
      symbol: BTC,
      side: 'BUY',
      style: 'market',
      quantity: '0.02',
    });
    if (first.outcome !== 'accepted' || second.outcome !== 'accepted') throw new Error('market orders not accepted');
    const ofFirst = await restClient.trades({ symbol: BTC, orderId: first.order.venueOrderId });
    expect(ofFirst.length).toBeGreaterThan(0);
    expect(ofFirst.every((t) => t.venueOrderId === first.order.venueOrderId)).toBe(true);
    const total = ofFirst.reduce((sum, t) => sum + Number(t.quantity), 0);
    expect(total.toFixed(8)).toBe(Number(first.order.cumulativeQuantity).toFixed(8));
    // Binance refuses an order's trades within a time range (-1128); so does the sim.
    await expect(
      restClient.trades({ symbol: BTC, orderId: first.order.venueOrderId, startTime: 0 }),
    ).rejects.toMatchObject({ venueCode: -1128 });
  });

  it('refuses a bad order with a non-retryable rejection naming the cause', async () => {
    const placed = await client.placeOrder({
      clientOrderId: cid('bad'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '49000.001',
    });
    expect(placed.outcome).toBe('rejected');
    if (placed.outcome === 'rejected') {
      expect(placed.error.kind).toBe('non-retryable');
      expect(placed.error.venueCode).toBe(-1013);
    }
    const noPrice = await client.placeOrder({
      clientOrderId: cid('bad'),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
    });
    expect(noPrice.outcome === 'rejected' && noPrice.error.message).toMatch(/price is required/);
  });
});

describe('secrets stay out of errors', () => {
  let sim: RunningSim;
  let apiKey: string;
  let apiSecret: string;

  beforeAll(async () => {
    ({ sim, apiKey, apiSecret } = await startSim());
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('a wrong secret is a fatal AUTH error that carries neither key, secret nor signature', async () => {
    const wrongSecret = `${apiSecret}00`;
    const client = await connectClient(sim, apiKey, wrongSecret, { orderPath: 'rest' });
    try {
      const placed = await client.placeOrder({
        clientOrderId: cid('auth'),
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.01',
        price: '40000',
      });
      expect(placed.outcome).toBe('rejected');
      if (placed.outcome !== 'rejected') return;
      expect(placed.error.kind).toBe('fatal');
      expect(placed.error.venueCode).toBe(-1022);
      const text = [
        placed.error.message,
        JSON.stringify(placed.error),
        String(placed.error.cause ?? ''),
        placed.error.stack ?? '',
      ].join('\n');
      expect(text).not.toContain(wrongSecret);
      expect(text).not.toContain(apiKey);
      expect(text).not.toMatch(/signature=/);
      expect(text).not.toMatch(/[0-9a-f]{64}/);
    } finally {
      await client.close();
    }
  });

  it('a transport failure (nothing listening) names the operation, not the signed URL', async () => {
    const client = await connectClient(sim, apiKey, apiSecret, { orderPath: 'rest' });
    const deadUrl = 'http://127.0.0.1:9';
    const { BinanceRestClient } = await import('./http/rest-client.js');
    const { BinanceSpotRest } = await import('./http/spot-api.js');
    const { loadApiCredentials } = await import('./common/credentials.js');
    const rest = new BinanceSpotRest(
      new BinanceRestClient({
        restUrl: deadUrl,
        credentials: loadApiCredentials({
          target: 'sim',
          env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_API_SECRET: apiSecret },
        }),
        limiter: client.limiter,
        serverClock: client.serverClock,
        clock: { now: () => Date.now() },
        recvWindowMs: 5000,
        requestTimeoutMs: 1000,
        maxRetries: 1,
        retryBaseMs: 1,
        retryMaxMs: 2,
        venue: 'binance',
      }),
    );
    try {
      const err = await rest.account().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ kind: 'retryable', code: 'VENUE_NETWORK', operation: 'GET /api/v3/account' });
      const text = `${String((err as Error).message)}\n${String((err as Error).cause)}\n${JSON.stringify(err)}`;
      expect(text).not.toContain(apiKey);
      expect(text).not.toMatch(/signature/);
    } finally {
      await client.close();
    }
  });
});

describe('read-only and key-less clients', () => {
  let sim: RunningSim;
  let apiKey: string;
  let apiSecret: string;

  beforeAll(async () => {
    ({ sim, apiKey, apiSecret } = await startSim());
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('a read-only key reads balances and orders but is refused orders before anything is sent', async () => {
    const { BinanceVenueClient } = await import('./binance-venue.js');
    const { loadApiCredentials } = await import('./common/credentials.js');
    const endpoints = { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl };
    const readOnly = await BinanceVenueClient.connect({
      options: { target: { name: 'sim', endpoints }, timeSyncIntervalMs: 0 },
      credentials: loadApiCredentials({
        target: 'sim',
        env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_API_SECRET: apiSecret, BINANCE_SIM_READ_ONLY: 'true' },
      }),
    });
    try {
      expect((await readOnly.balances()).length).toBeGreaterThan(0);
      expect(await readOnly.openOrders(BTC)).toEqual([]);
      expect(readOnly.orderConnectionState).toBeUndefined();
      const placed = await readOnly.placeOrder({
        clientOrderId: cid('ro'),
        symbol: BTC,
        side: 'BUY',
        style: 'limit',
        quantity: '0.01',
        price: '40000',
      });
      expect(placed.outcome === 'rejected' && placed.error.message).toMatch(/read-only/);
      const orderRequests = (
        await readOnly.metrics.registry.getSingleMetric('bourse_venue_requests_total')?.get()
      )?.values.filter((v) => String(v.labels.operation).includes('order'));
      expect(orderRequests?.filter((v) => v.labels.operation !== 'GET /api/v3/openOrders')).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });

  it('without any key: instruments and market data work, user data is refused with a clear error', async () => {
    const { BinanceVenueClient } = await import('./binance-venue.js');
    const endpoints = { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl };
    const anonymous = await BinanceVenueClient.connect({
      options: { target: { name: 'sim', endpoints }, timeSyncIntervalMs: 0 },
    });
    try {
      expect(anonymous.instruments.size).toBe(2);
      const feed = anonymous.marketData();
      await feed.subscribe([{ symbol: BTC, channel: 'trades' }]);
      expect(feed.state).toBe('open');
      expect(() => anonymous.userData()).toThrow(/needs an API key/);
      await expect(anonymous.balances()).rejects.toMatchObject({ kind: 'fatal', code: 'VENUE_AUTH' });
    } finally {
      await anonymous.close();
    }
  });
});
