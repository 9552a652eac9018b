import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientOrderId, InstrumentSymbol, OrderListRequest, OrderListStatus } from '@bourse/contracts';
import type { UserDataEvent, UserDataFeed } from '@bourse/venues';
import type { BinanceVenueClient } from './binance-venue.js';
import { connectClient, startSim, waitFor, type RunningSim } from './testing.js';

// The adapter's order lists against the exchange simulator: OTOCO over the WS-API with its listStatus
// and leg events on the user-data feed, OCO over REST, a refusal, and a placement whose response is
// lost, resolved by querying the list client order id.

const tag = () => Math.random().toString(36).slice(2, 8);

function bracket(id: string): OrderListRequest {
  return OrderListRequest.parse({
    v: 1,
    kind: 'otoco',
    symbol: 'BTCUSDT',
    listClientOrderId: id,
    working: { type: 'LIMIT', side: 'BUY', qty: '0.01', price: '49900', timeInForce: 'GTC', clientOrderId: `${id}-in` },
    pendingSide: 'SELL',
    pendingQty: '0.01',
    pendingAbove: { type: 'LIMIT_MAKER', price: '51000', clientOrderId: `${id}-tp` },
    pendingBelow: {
      type: 'STOP_LOSS_LIMIT',
      stopPrice: '49000',
      price: '48900',
      timeInForce: 'GTC',
      clientOrderId: `${id}-sl`,
    },
  });
}

describe('BinanceOrderLists against the exchange simulator', () => {
  let sim: RunningSim;
  let client: BinanceVenueClient;
  let restClient: BinanceVenueClient;
  let feed: UserDataFeed;
  /** The sim names the key's account after the key. */
  let account: string;

  beforeAll(async () => {
    const started = await startSim();
    sim = started.sim;
    account = started.apiKey;
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '50010.00', quantity: '2' });
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.001' }); // last price 50010
    client = await connectClient(sim, started.apiKey, started.apiSecret);
    restClient = await connectClient(sim, started.apiKey, started.apiSecret, { orderPath: 'rest' });
    feed = client.userData();
    await feed.start();
  });
  afterAll(async () => {
    await client?.close();
    await restClient?.close();
    await sim?.close();
  });

  const listEvent = (id: string, status: string) =>
    waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'list-status' }>>(
      (l) => feed.on(l),
      (e) =>
        e.kind === 'list-status' && e.list.listClientOrderId === id && e.list.listOrderStatus === status
          ? e
          : undefined,
      10_000,
      `listStatus ${status} of ${id}`,
    );
  const orderEvent = (clientOrderId: string, status: string) =>
    waitFor<UserDataEvent, Extract<UserDataEvent, { kind: 'order' }>>(
      (l) => feed.on(l),
      (e) =>
        e.kind === 'order' && e.update.clientOrderId === clientOrderId && e.update.status === status ? e : undefined,
      10_000,
      `${status} of ${clientOrderId}`,
    );

  it('places an OTOCO over the WS-API; the feed carries listStatus and the legs; the pair goes live on the fill; cancel ends it', async () => {
    const id = `br-${tag()}`;
    const started = listEvent(id, 'EXECUTING');
    const pending = orderEvent(`${id}-tp`, 'pending-new');
    const placed = await client.orderLists.place(bracket(id));
    expect(placed).toMatchObject({ outcome: 'accepted', via: 'ws-api', resolvedByQuery: false });
    if (placed.outcome !== 'accepted' || !('orderReports' in placed.list))
      throw new Error('expected the full response');
    expect(placed.list).toMatchObject({
      contingencyType: 'OTO',
      listStatusType: 'EXEC_STARTED',
      listClientOrderId: id,
    });
    expect(placed.list.orderReports.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW', 'PENDING_NEW']);
    const startedEvent = await started;
    expect(OrderListStatus.parse(startedEvent.list).orders.map((o) => o.clientOrderId)).toEqual([
      `${id}-in`,
      `${id}-sl`,
      `${id}-tp`,
    ]);
    expect((await pending).update.status).toBe('pending-new');

    const live = orderEvent(`${id}-tp`, 'new');
    sim.trade({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01' });
    expect((await live).executionType).toBe('NEW');

    const queried = await client.orderLists.query({ listClientOrderId: id });
    expect(queried).toMatchObject({ listOrderStatus: 'EXECUTING', orderListId: placed.list.orderListId });
    expect((await client.orderLists.open()).map((l) => l.listClientOrderId)).toContain(id);

    const done = listEvent(id, 'ALL_DONE');
    const canceled = await client.orderLists.cancel({ symbol: 'BTCUSDT', listClientOrderId: id });
    expect(canceled.listOrderStatus).toBe('ALL_DONE');
    // The entry had filled; the pair is what was still open.
    expect(canceled.orderReports.map((o) => o.status)).toEqual(['FILLED', 'CANCELED', 'CANCELED']);
    expect((await done).list.listStatusType).toBe('ALL_DONE');
    expect((await client.orderLists.open()).map((l) => l.listClientOrderId)).not.toContain(id);
  });

  it('an OCO whose limit leg fills: the stop leg arrives expired with expiryReason OCO_TRIGGER', async () => {
    const id = `fill-${tag()}`;
    const expired = orderEvent(`${id}-sl`, 'expired');
    const placed = await client.orderLists.place(
      OrderListRequest.parse({
        v: 1,
        kind: 'oco',
        symbol: 'BTCUSDT',
        listClientOrderId: id,
        side: 'SELL',
        qty: '0.01',
        above: { type: 'LIMIT_MAKER', price: '50005', clientOrderId: `${id}-tp` },
        below: { type: 'STOP_LOSS', stopPrice: '49000', clientOrderId: `${id}-sl` },
      }),
    );
    expect(placed.outcome).toBe('accepted');
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
    expect(await expired).toMatchObject({ executionType: 'EXPIRED', expiryReason: 'OCO_TRIGGER' });
  });

  it('places an OCO with a trailing stop over REST and refuses a stop placed above a sell', async () => {
    const id = `oco-${tag()}`;
    const placed = await restClient.orderLists.place(
      OrderListRequest.parse({
        v: 1,
        kind: 'oco',
        symbol: 'BTCUSDT',
        listClientOrderId: id,
        side: 'SELL',
        qty: '0.01',
        above: { type: 'LIMIT_MAKER', price: '52000', clientOrderId: `${id}-tp` },
        below: { type: 'STOP_LOSS', trailingDelta: 150, clientOrderId: `${id}-ts` },
      }),
    );
    expect(placed).toMatchObject({ outcome: 'accepted', via: 'rest' });
    if (placed.outcome !== 'accepted' || !('orderReports' in placed.list))
      throw new Error('expected the full response');
    expect(placed.list.orderReports[0]).toMatchObject({
      clientOrderId: `${id}-ts`,
      type: 'STOP_LOSS',
      trailingDelta: 150,
    });
    await restClient.orderLists.cancel({ symbol: 'BTCUSDT', listClientOrderId: id });

    const bad = await restClient.orderLists.place(
      OrderListRequest.parse({
        v: 1,
        kind: 'oco',
        symbol: 'BTCUSDT',
        listClientOrderId: `bad-${tag()}`,
        side: 'SELL',
        qty: '0.01',
        above: { type: 'STOP_LOSS', stopPrice: '52000', clientOrderId: 'a' },
        below: { type: 'TAKE_PROFIT', stopPrice: '49000', clientOrderId: 'b' },
      }),
    );
    expect(bad).toMatchObject({ outcome: 'rejected', via: 'rest' });
    if (bad.outcome === 'rejected') expect(bad.error).toMatchObject({ kind: 'non-retryable', venueCode: -1197 });
    expect(await restClient.orderLists.query({ listClientOrderId: 'never-placed' })).toBeUndefined();
  });

  it('places a trailing stop as a single order through placeOrder (WS-API)', async () => {
    const clientOrderId = ClientOrderId.parse(`ts-${tag()}`);
    const placed = await client.placeOrder({
      clientOrderId,
      symbol: InstrumentSymbol.parse('BTC/USDT'),
      side: 'SELL',
      style: 'stop',
      quantity: '0.01',
      trailingDelta: 250,
    });
    expect(placed).toMatchObject({ outcome: 'accepted', via: 'ws-api' });
    const atVenue = sim.engine.getOrder({
      accountId: account,
      symbol: 'BTCUSDT',
      origClientOrderId: clientOrderId,
    });
    expect(atVenue).toMatchObject({ type: 'STOP_LOSS', trailingDelta: 250, stopPrice: '0.00000000', isWorking: false });
    await client.cancelOrder({ symbol: InstrumentSymbol.parse('BTC/USDT'), clientOrderId });
  });

  it('a placement whose REST response is lost is resolved by querying its list client order id, not sent again', async () => {
    const id = `lost-${tag()}`;
    sim.setFaults({ dropRestResponses: 1 });
    const placed = await restClient.orderLists.place(bracket(id));
    expect(placed).toMatchObject({ outcome: 'accepted', resolvedByQuery: true });
    const open = (await restClient.orderLists.open()).filter((l) => l.listClientOrderId === id);
    expect(open).toHaveLength(1);
    await restClient.orderLists.cancel({ symbol: 'BTCUSDT', listClientOrderId: id });
  });
});
