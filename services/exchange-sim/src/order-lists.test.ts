import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ListStatusEvent, OrderListStatus } from '@bourse/contracts';
import { startExchangeSim, type RunningExchangeSim } from './server.js';
import { RestClient, TEST_KEY, WsClient, signWsParams } from './test-support.js';

// Order lists (OCO / OTO / OTOCO) and trailing stops through a raw client: REST with HMAC signatures
// and the WS API, with the parameter names and response fields of Binance's documentation.

type Body = Record<string, unknown>;
type ListBody = Body & { orders: Body[]; orderReports: Body[] };
let sim: RunningExchangeSim;
let rest: RestClient;

const LIST_KEYS = [
  'contingencyType',
  'listClientOrderId',
  'listOrderStatus',
  'listStatusType',
  'orderListId',
  'orderReports',
  'orders',
  'symbol',
  'transactionTime',
];

beforeAll(async () => {
  sim = await startExchangeSim({
    apiKeys: [TEST_KEY],
    balances: { USDT: '100000', BTC: '1' },
    marketActivity: { enabled: false },
  });
  rest = new RestClient(sim.restUrl);
});

afterAll(async () => {
  await sim.close();
});

/** A trade at `price` between the sim's own participants: the last price the list rules refer to. */
function printTrade(price: string): void {
  sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price, quantity: '0.001' });
  sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.001' });
}

beforeEach(async () => {
  sim.cancelAll('BTCUSDT');
  await rest.signed('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
  sim.cancelAll('BTCUSDT');
  printTrade('60000');
});

/** Binance's OTOCO example, on our prices: buy 0.01 at 59900, then sell it at 61000 or stop at 59000. */
const bracket = {
  symbol: 'BTCUSDT',
  listClientOrderId: 'bracket-1',
  workingType: 'LIMIT',
  workingSide: 'BUY',
  workingClientOrderId: 'bracket-1-in',
  workingPrice: '59900',
  workingQuantity: '0.01',
  workingTimeInForce: 'GTC',
  pendingSide: 'SELL',
  pendingQuantity: '0.01',
  pendingAboveType: 'LIMIT_MAKER',
  pendingAboveClientOrderId: 'bracket-1-tp',
  pendingAbovePrice: '61000',
  pendingBelowType: 'STOP_LOSS_LIMIT',
  pendingBelowClientOrderId: 'bracket-1-sl',
  pendingBelowStopPrice: '59000',
  pendingBelowPrice: '58900',
  pendingBelowTimeInForce: 'GTC',
};

describe('POST /api/v3/orderList/otoco', () => {
  it('answers with the documented shape: the working leg NEW, the pending pair PENDING_NEW with workingTime -1', async () => {
    const r = await rest.signed<ListBody>('POST', '/api/v3/orderList/otoco', bracket);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(LIST_KEYS);
    const { orderReports: _reports, ...list } = r.body;
    expect(OrderListStatus.parse(list)).toMatchObject({
      contingencyType: 'OTO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'bracket-1',
      symbol: 'BTCUSDT',
    });
    expect(r.body.orders.map((o) => o.clientOrderId)).toEqual(['bracket-1-in', 'bracket-1-sl', 'bracket-1-tp']);
    const [working, sl, tp] = r.body.orderReports;
    expect(working).toMatchObject({ status: 'NEW', type: 'LIMIT', side: 'BUY', price: '59900.00000000' });
    expect(sl).toMatchObject({
      status: 'PENDING_NEW',
      type: 'STOP_LOSS_LIMIT',
      side: 'SELL',
      stopPrice: '59000.00000000',
      price: '58900.00000000',
      workingTime: -1,
      orderListId: r.body.orderListId,
    });
    expect(Object.keys(sl ?? {}).sort()).toEqual(
      [
        'clientOrderId',
        'cummulativeQuoteQty',
        'executedQty',
        'orderId',
        'orderListId',
        'origQty',
        'origQuoteOrderQty',
        'price',
        'selfTradePreventionMode',
        'side',
        'status',
        'stopPrice',
        'symbol',
        'timeInForce',
        'transactTime',
        'type',
        'workingTime',
      ].sort(),
    );
    expect(tp).toMatchObject({ status: 'PENDING_NEW', type: 'LIMIT_MAKER', workingTime: -1 });
    expect(r.headers.get('x-mbx-order-count-10s')).not.toBeNull();
  });

  it('goes through: entry fills, the pair goes to the book, the take-profit fills and the stop expires', async () => {
    const placed = await rest.signed<ListBody>('POST', '/api/v3/orderList/otoco', bracket);
    const orderListId = placed.body.orderListId as number;
    sim.trade({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01' });
    const tp = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'bracket-1-tp',
    });
    expect(tp.body).toMatchObject({ status: 'NEW', isWorking: true, orderListId });
    const open = await rest.signed<Body[]>('GET', '/api/v3/openOrderList');
    expect(open.status).toBe(200);
    expect(open.body).toHaveLength(1);
    expect(OrderListStatus.parse(open.body[0])).toMatchObject({ orderListId, listOrderStatus: 'EXECUTING' });
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
    const byId = await rest.signed<Body>('GET', '/api/v3/orderList', { orderListId });
    expect(OrderListStatus.parse(byId.body)).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    const byClientId = await rest.signed<Body>('GET', '/api/v3/orderList', { origClientOrderId: 'bracket-1' });
    expect(byClientId.body).toEqual(byId.body);
    const sl = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'bracket-1-sl',
    });
    expect(sl.body).toMatchObject({ status: 'EXPIRED' });
    expect((await rest.signed<Body[]>('GET', '/api/v3/openOrderList')).body).toEqual([]);
  });

  it('cancels the whole list when one pending leg is cancelled', async () => {
    await rest.signed('POST', '/api/v3/orderList/otoco', bracket);
    const c = await rest.signed<Body>('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'bracket-1-sl',
    });
    expect(c.status).toBe(200);
    const list = await rest.signed<Body>('GET', '/api/v3/orderList', { origClientOrderId: 'bracket-1' });
    expect(list.body).toMatchObject({ listOrderStatus: 'ALL_DONE' });
    const entry = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'bracket-1-in',
    });
    expect(entry.body).toMatchObject({ status: 'CANCELED' });
  });

  it('refuses legs in the wrong place, missing parameters and a MARKET working leg with Binance codes', async () => {
    const swap = await rest.signed('POST', '/api/v3/orderList/otoco', {
      ...bracket,
      pendingAboveType: 'STOP_LOSS',
      pendingAboveStopPrice: '59000',
    });
    expect(swap.body).toEqual({ code: -1106, msg: "Parameter 'pendingAbovePrice' sent when not required." });
    const { pendingAbovePrice: _p, ...noAbovePrice } = bracket;
    const wrongPlace = await rest.signed('POST', '/api/v3/orderList/otoco', {
      ...noAbovePrice,
      pendingAboveType: 'STOP_LOSS',
      pendingAboveStopPrice: '62000',
    });
    expect(wrongPlace.body).toEqual({ code: -1197, msg: 'A stop loss order in a sell OCO must be below.' });
    const { pendingBelowStopPrice: _s, ...noStop } = bracket;
    const missing = await rest.signed('POST', '/api/v3/orderList/otoco', noStop);
    expect(missing.body).toEqual({
      code: -1102,
      msg: "Param 'pendingBelowStopPrice' or 'pendingBelowTrailingDelta' must be sent, but both were empty/null!",
    });
    const market = await rest.signed('POST', '/api/v3/orderList/otoco', {
      ...bracket,
      workingType: 'MARKET',
    });
    expect(market.body).toEqual({ code: -1116, msg: 'Invalid orderType.' });
    expect((await rest.signed<Body[]>('GET', '/api/v3/openOrderList')).body).toEqual([]);
  });
});

describe('POST /api/v3/orderList/oto and /orderList/oco', () => {
  it('OTO: the pending LIMIT leg is PENDING_NEW, and rests once the LIMIT_MAKER working leg has filled', async () => {
    const r = await rest.signed<ListBody>('POST', '/api/v3/orderList/oto', {
      symbol: 'BTCUSDT',
      workingType: 'LIMIT_MAKER',
      workingSide: 'SELL',
      workingPrice: '60500',
      workingQuantity: '0.01',
      pendingType: 'LIMIT',
      pendingSide: 'BUY',
      pendingPrice: '59500',
      pendingQuantity: '0.01',
      pendingTimeInForce: 'GTC',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ contingencyType: 'OTO', listOrderStatus: 'EXECUTING' });
    expect(r.body.orderReports.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW']);
    sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
    const pendingId = (r.body.orders[1] as Body).orderId as number;
    const pending = await rest.signed<Body>('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: pendingId });
    expect(pending.body).toMatchObject({ status: 'NEW', type: 'LIMIT', price: '59500.00000000' });
    const list = await rest.signed<Body>('GET', '/api/v3/orderList', { orderListId: r.body.orderListId as number });
    expect(list.body).toMatchObject({ listOrderStatus: 'ALL_DONE' });
  });

  it('OCO: a TAKE_PROFIT above and a trailing STOP_LOSS below are accepted; two stops are -1197; two LIMIT_MAKERs -1168', async () => {
    const ok = await rest.signed<ListBody>('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'TAKE_PROFIT',
      aboveStopPrice: '62000',
      belowType: 'STOP_LOSS',
      belowTrailingDelta: 300,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.orderReports[0]).toMatchObject({ type: 'STOP_LOSS', trailingDelta: 300 });
    expect(typeof ok.body.orderReports[0]?.trailingTime).toBe('number');
    const stops = await rest.signed('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'STOP_LOSS',
      aboveStopPrice: '62000',
      belowType: 'STOP_LOSS',
      belowStopPrice: '59000',
    });
    expect(stops.body).toEqual({ code: -1197, msg: 'A stop loss order in a sell OCO must be below.' });
    const limits = await rest.signed('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '61000',
      belowType: 'LIMIT_MAKER',
      belowPrice: '59000',
    });
    expect(limits.body).toEqual({ code: -1168, msg: 'At least one OCO order must be contingent.' });
    const trail = await rest.signed('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '61000',
      belowType: 'STOP_LOSS',
      belowTrailingDelta: 5,
    });
    expect(trail.body).toEqual({ code: -1013, msg: 'Filter failure: TRAILING_DELTA' });
  });

  it('GET /api/v3/orderList of an unknown list is -2013; without either id -1102', async () => {
    expect((await rest.signed('GET', '/api/v3/orderList', { orderListId: 999999 })).body).toEqual({
      code: -2013,
      msg: 'Order does not exist.',
    });
    expect((await rest.signed('GET', '/api/v3/orderList')).body).toMatchObject({ code: -1102 });
  });
});

describe('trailing stops over REST', () => {
  it('exchangeInfo allows them and lists the TRAILING_DELTA filter', async () => {
    const info = await rest.public<{ symbols: Body[] }>('/api/v3/exchangeInfo', { symbol: 'BTCUSDT' });
    const s = info.body.symbols[0] as Body & { filters: Body[] };
    expect(s).toMatchObject({ allowTrailingStop: true, otoAllowed: true, ocoAllowed: true });
    expect(s.filters.find((f) => f.filterType === 'TRAILING_DELTA')).toEqual({
      filterType: 'TRAILING_DELTA',
      minTrailingAboveDelta: 10,
      maxTrailingAboveDelta: 2000,
      minTrailingBelowDelta: 10,
      maxTrailingBelowDelta: 2000,
    });
  });

  it('a STOP_LOSS sell without stopPrice tracks from the last price and triggers 2 % below the high', async () => {
    const r = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.01',
      trailingDelta: 200,
      newClientOrderId: 'trail-1',
      newOrderRespType: 'RESULT',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'NEW', trailingDelta: 200, stopPrice: '0.00000000', workingTime: -1 });
    expect(r.body.trailingTime).toBeGreaterThan(0);
    printTrade('62000'); // high 62000 → trigger at 60760
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '60000', quantity: '0.01' });
    printTrade('60800');
    const waiting = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'trail-1',
    });
    expect(waiting.body).toMatchObject({ status: 'NEW', isWorking: false, trailingDelta: 200 });
    printTrade('60760');
    const done = await rest.signed<Body>('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'trail-1' });
    expect(done.body).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '600.00000000' });
  });

  it('refuses trailingDelta out of the filter range, and on a LIMIT order', async () => {
    const low = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '62000',
      trailingDelta: 2001,
    });
    expect(low.body).toEqual({ code: -1013, msg: 'Filter failure: TRAILING_DELTA' });
    const limit = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '59000',
      trailingDelta: 100,
    });
    expect(limit.body).toEqual({ code: -1106, msg: "Parameter 'trailingDelta' sent when not required." });
  });
});

describe('WS API order lists and user data', () => {
  it('orderList.place.otoco, listStatus and the legs’ executionReports with g, orderList.status, openOrderLists.status, orderList.cancel', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      const sub = await ws.request({
        id: 'sub',
        method: 'userDataStream.subscribe.signature',
        params: signWsParams({}),
      });
      expect(sub).toMatchObject({ status: 200 });
      const placed = await ws.request<{ status: number; result: ListBody }>({
        id: 'place',
        method: 'orderList.place.otoco',
        params: signWsParams({ ...bracket, listClientOrderId: 'ws-bracket' }),
      });
      expect(placed.status).toBe(200);
      const orderListId = placed.result.orderListId;
      expect(placed.result.orderReports.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW', 'PENDING_NEW']);

      const started = await ws.next<{ event: unknown }>(
        (m) => (m.event as Body | undefined)?.e === 'listStatus',
        5000,
        'listStatus EXEC_STARTED',
      );
      expect(ListStatusEvent.parse(started.event)).toMatchObject({
        g: orderListId,
        c: 'OTO',
        l: 'EXEC_STARTED',
        L: 'EXECUTING',
        C: 'ws-bracket',
      });
      const pendingReport = await ws.next<{ event: Body }>(
        (m) => (m.event as Body | undefined)?.c === 'bracket-1-tp',
        5000,
        'the take-profit leg report',
      );
      expect(pendingReport.event).toMatchObject({
        e: 'executionReport',
        x: 'NEW',
        X: 'PENDING_NEW',
        g: orderListId,
        w: false,
      });

      const status = await ws.request<{ result: Body }>({
        id: 'status',
        method: 'orderList.status',
        params: signWsParams({ origClientOrderId: 'ws-bracket' }),
      });
      expect(OrderListStatus.parse(status.result)).toMatchObject({ orderListId, listOrderStatus: 'EXECUTING' });
      const open = await ws.request<{ result: Body[] }>({
        id: 'open',
        method: 'openOrderLists.status',
        params: signWsParams({}),
      });
      expect(open.result.map((l) => l.listClientOrderId)).toEqual(['ws-bracket']);

      const cancel = await ws.request<{ status: number; result: ListBody }>({
        id: 'cancel',
        method: 'orderList.cancel',
        params: signWsParams({ symbol: 'BTCUSDT', listClientOrderId: 'ws-bracket' }),
      });
      expect(cancel.status).toBe(200);
      expect(cancel.result.orderReports.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED', 'CANCELED']);
      const done = await ws.next<{ event: unknown }>(
        (m) => (m.event as Body | undefined)?.e === 'listStatus' && (m.event as Body).l === 'ALL_DONE',
        5000,
        'listStatus ALL_DONE',
      );
      expect(ListStatusEvent.parse(done.event)).toMatchObject({ g: orderListId, L: 'ALL_DONE' });
    } finally {
      ws.close();
    }
  });

  it('orderList.place.oco: the limit leg fills, the stop leg expires with eR OCO_TRIGGER, the list ends ALL_DONE', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 'sub', method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      const placed = await ws.request<{ status: number; result: ListBody }>({
        id: 'oco',
        method: 'orderList.place.oco',
        params: signWsParams({
          symbol: 'BTCUSDT',
          side: 'SELL',
          quantity: '0.01',
          listClientOrderId: 'ws-oco',
          aboveType: 'LIMIT_MAKER',
          abovePrice: '61000',
          aboveClientOrderId: 'ws-oco-tp',
          belowType: 'STOP_LOSS',
          belowStopPrice: '59000',
          belowClientOrderId: 'ws-oco-sl',
        }),
      });
      expect(placed.status).toBe(200);
      sim.trade({ symbol: 'BTCUSDT', side: 'BUY', quantity: '0.01' });
      const expired = await ws.next<{ event: Body }>(
        (m) => (m.event as Body | undefined)?.c === 'ws-oco-sl' && (m.event as Body).x === 'EXPIRED',
        5000,
        'the stop leg expiring',
      );
      expect(expired.event).toMatchObject({ X: 'EXPIRED', eR: 'OCO_TRIGGER', g: placed.result.orderListId });
      const done = await ws.next<{ event: unknown }>(
        (m) => (m.event as Body | undefined)?.e === 'listStatus' && (m.event as Body).l === 'ALL_DONE',
        5000,
        'listStatus ALL_DONE',
      );
      expect(ListStatusEvent.parse(done.event)).toMatchObject({ c: 'OCO', L: 'ALL_DONE', C: 'ws-oco' });
      const tp = await rest.signed<Body>('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'ws-oco-tp' });
      expect(tp.body).toMatchObject({ status: 'FILLED', executedQty: '0.01000000' });
    } finally {
      ws.close();
    }
  });

  it('orderList.place.oto over the WS API; the trailing pending leg reports d (BIPS) and D (-1: not tracking yet)', async () => {
    const ws = await WsClient.open(sim.wsApiUrl);
    try {
      await ws.request({ id: 'sub', method: 'userDataStream.subscribe.signature', params: signWsParams({}) });
      const placed = await ws.request<{ status: number; result: ListBody }>({
        id: 1,
        method: 'orderList.place.oto',
        params: signWsParams({
          symbol: 'BTCUSDT',
          workingType: 'LIMIT',
          workingSide: 'BUY',
          workingPrice: '59000',
          workingQuantity: '0.01',
          workingTimeInForce: 'GTC',
          pendingType: 'STOP_LOSS',
          pendingSide: 'SELL',
          pendingQuantity: '0.01',
          pendingTrailingDelta: 100,
        }),
      });
      expect(placed.status).toBe(200);
      expect(placed.result).toMatchObject({ contingencyType: 'OTO', listStatusType: 'EXEC_STARTED' });
      expect(placed.result.orderReports[1]).toMatchObject({
        status: 'PENDING_NEW',
        type: 'STOP_LOSS',
        trailingDelta: 100,
      });
      const pendingId = (placed.result.orders[1] as Body).orderId;
      const report = await ws.next<{ event: Body }>(
        (m) => (m.event as Body | undefined)?.i === pendingId,
        5000,
        'the pending leg report',
      );
      expect(report.event).toMatchObject({ e: 'executionReport', X: 'PENDING_NEW', o: 'STOP_LOSS', d: 100, D: -1 });
    } finally {
      ws.close();
    }
  });
});
