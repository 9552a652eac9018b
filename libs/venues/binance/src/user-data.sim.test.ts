import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { ClientOrderId, FillEvent, InstrumentSymbol, OrderStatusUpdate } from '@bourse/contracts';
import type { UserDataEvent, UserDataFeed } from '@bourse/venues';
import type { BinanceVenueClient } from './binance-venue.js';
import { connectClient, startSim, waitFor, type RunningSim } from './testing.js';

const BTC = InstrumentSymbol.parse('BTC/USDT');
const cid = (s: string) => ClientOrderId.parse(`${s}-${Math.random().toString(36).slice(2, 10)}`);

describe('user data over the WebSocket API (userDataStream.subscribe.signature)', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;
  let feed: UserDataFeed;

  const orderEvent = (id: string, status: string) =>
    waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'order' }>>(
      (l) => feed.on(l),
      (e) => (e.kind === 'order' && e.update.clientOrderId === id && e.update.status === status ? e : undefined),
      10_000,
      `${status} for ${id}`,
    );

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '2' });
    client = await connectClient(sim, started.apiKey, started.apiSecret);
    feed = client.userData();
    await feed.start();
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  it('executionReport NEW → CANCELED become OrderStatusUpdates, without fills', async () => {
    const id = cid('ud');
    const newP = orderEvent(id, 'new');
    await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    const created = await newP;
    expect(OrderStatusUpdate.safeParse(created.update).success).toBe(true);
    expect(created.fill).toBeUndefined();
    expect(created.executionType).toBe('NEW');

    const canceledP = orderEvent(id, 'canceled');
    await client.cancelOrder({ symbol: BTC, clientOrderId: id, cancelClientOrderId: cid('cxl') });
    const canceled = await canceledP;
    // Named by the order's own id, not the cancel request's.
    expect(canceled.update.clientOrderId).toBe(id);
  });

  it('a taker fill: FillEvent with last qty/price, commission, trade id, maker flag; and the balances', async () => {
    const id = cid('fill');
    const filledP = orderEvent(id, 'filled');
    const balancesP = waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'balances' }>>(
      (l) => feed.on(l),
      (e) => (e.kind === 'balances' ? e : undefined),
      10_000,
      'balances',
    );
    const placed = await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'market',
      quantity: '0.05',
    });
    expect(placed.outcome).toBe('accepted');
    const filled = await filledP;
    expect(filled.fill).toBeDefined();
    expect(FillEvent.safeParse(filled.fill).success).toBe(true);
    expect(filled.fill).toMatchObject({
      clientOrderId: id,
      side: 'BUY',
      qty: '0.05',
      price: '50010',
      liquidity: 'taker',
      instrument: 'BTC/USDT',
    });
    expect(filled.fill?.venueFillId).toMatch(/^BTCUSDT:\d+$/);
    expect(filled.update).toMatchObject({ filledQty: '0.05', avgPrice: '50010', status: 'filled' });
    if (placed.outcome === 'accepted') expect(filled.update.venueOrderId).toBe(placed.order.venueOrderId);
    const balances = await balancesP;
    expect(balances.balances.map((b) => b.asset)).toEqual(expect.arrayContaining(['BTC', 'USDT']));
  });

  it('re-subscribes after a dropped connection: later events still arrive', async () => {
    const reopened = waitFor<UserDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'connection' && e.state === 'open' ? true : undefined),
      10_000,
      'user data reconnected',
    );
    sim.dropWsConnections();
    await reopened;
    const id = cid('after');
    const newP = orderEvent(id, 'new');
    await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    expect((await newP).update.clientOrderId).toBe(id);
  });

  it('re-subscribes when the venue ends the subscription (eventStreamTerminated)', async () => {
    const reopened = waitFor<UserDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'connection' && e.state === 'open' ? true : undefined),
      10_000,
      'user data resubscribed',
    );
    expect(sim.expireUserData()).toBeGreaterThan(0);
    await reopened;
    const id = cid('expired');
    const newP = orderEvent(id, 'new');
    await client.placeOrder({
      clientOrderId: id,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    expect((await newP).update.clientOrderId).toBe(id);
  });

  it('balanceUpdate (a deposit) → a balance delta', async () => {
    const deltaP = waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'balance-delta' }>>(
      (l) => feed.on(l),
      (e) => (e.kind === 'balance-delta' ? e : undefined),
      10_000,
      'balance delta',
    );
    const accounts = sim.engine.listAccounts().filter((a) => a !== sim.marketMakerAccount && a !== sim.takerAccount);
    sim.deposit(accounts[0]!, 'USDT', '123.45');
    const delta = await deltaP;
    expect(delta).toMatchObject({ asset: 'USDT' });
    expect(Number(delta.delta)).toBe(123.45);
  });
});

describe('user data through a listenKey (fallback for venues without the WS-API subscription)', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;
  let feed: UserDataFeed;

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    client = await connectClient(sim, started.apiKey, started.apiSecret, {
      userDataMode: 'listen-key',
      orderPath: 'rest',
    });
    feed = client.userData();
    await feed.start();
  });
  afterAll(async () => {
    await client?.close();
    await sim?.close();
  });

  const newEvent = (id: string) =>
    waitFor<UserDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'order' && e.update.clientOrderId === id && e.update.status === 'new' ? true : undefined),
      10_000,
      `new for ${id}`,
    );

  it('delivers executionReports, and a new key after the venue expires the old one', async () => {
    const first = cid('lk');
    const p1 = newEvent(first);
    await client.placeOrder({
      clientOrderId: first,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    expect(await p1).toBe(true);

    const reopened = waitFor<UserDataEvent, true>(
      (l) => feed.on(l),
      (e) => (e.kind === 'connection' && e.state === 'open' ? true : undefined),
      10_000,
      'reconnected with a new key',
    );
    expect(sim.expireUserData()).toBeGreaterThan(0);
    await reopened;
    const second = cid('lk2');
    const p2 = newEvent(second);
    await client.placeOrder({
      clientOrderId: second,
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '45000',
    });
    expect(await p2).toBe(true);
  });
});
