import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { toFixed8 } from '../binance-numbers.js';
import { startExchangeSim, type RunningExchangeSim } from '../server.js';
import { RestClient, TEST_KEY } from '../test-support.js';

type Body = Record<string, unknown>;
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

beforeEach(async () => {
  // Start every test from an empty book and no open orders of ours.
  sim.cancelAll('BTCUSDT');
  await rest.signed('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
});

function balance(asset: string): { free: string; locked: string } {
  const b = sim.balances(TEST_KEY.apiKey).find((x) => x.asset === asset);
  return { free: toFixed8(b?.free ?? '0'), locked: toFixed8(b?.locked ?? '0') };
}

describe('POST /api/v3/order', () => {
  it('rests a LIMIT order, locks the quote asset and answers FULL by default', async () => {
    const freeBefore = balance('USDT').free;
    const r = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '50000',
      newClientOrderId: 'my-limit-1',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      symbol: 'BTCUSDT',
      orderListId: -1,
      clientOrderId: 'my-limit-1',
      price: '50000.00000000',
      origQty: '0.01000000',
      executedQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      fills: [],
    });
    expect(typeof r.body.orderId).toBe('number');
    expect(typeof r.body.transactTime).toBe('number');
    expect(r.headers.get('x-mbx-order-count-10s')).not.toBeNull();
    expect(r.headers.get('x-mbx-order-count-1d')).not.toBeNull();
    expect(balance('USDT').locked).toBe('500.00000000');
    expect(balance('USDT').free).toBe(toFixed8(dec(freeBefore).minus(dec('500'))));
  });

  it('fills a MARKET order against resting liquidity with fills and commission', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.001' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60001', quantity: '0.001' });
    const r = await rest.signed<Body & { fills: Body[] }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.0015',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'FILLED',
      executedQty: '0.00150000',
      cummulativeQuoteQty: '90.00050000',
      type: 'MARKET',
    });
    expect(r.body.fills).toEqual([
      {
        price: '60000.00000000',
        qty: '0.00100000',
        commission: '0.00000100',
        commissionAsset: 'BTC',
        tradeId: expect.any(Number) as number,
      },
      {
        price: '60001.00000000',
        qty: '0.00050000',
        commission: '0.00000050',
        commissionAsset: 'BTC',
        tradeId: expect.any(Number) as number,
      },
    ]);
  });

  it('answers ACK and RESULT shapes on request', async () => {
    const ack = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '40000',
      newOrderRespType: 'ACK',
    });
    expect(Object.keys(ack.body).sort()).toEqual(['clientOrderId', 'orderId', 'orderListId', 'symbol', 'transactTime']);
    const result = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '40000',
      newOrderRespType: 'RESULT',
    });
    expect(result.body.status).toBe('NEW');
    expect(result.body.fills).toBeUndefined();
  });

  it('a LIMIT_MAKER that would take is refused with -2010', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.01' });
    const r = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '0.001',
      price: '60000',
    });
    expect(r.body).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
  });

  it('fills partially and rests the rest of a LIMIT order at the touch', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.001' });
    const r = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.003',
      price: '60000',
    });
    expect(r.body).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.00100000' });
    const open = await rest.signed<Body[]>('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body.map((o) => o.orderId)).toContain(r.body.orderId);
  });

  it('refuses filter failures with -1013 and Binance messages', async () => {
    const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' };
    const tick = await rest.signed('POST', '/api/v3/order', { ...base, quantity: '0.001', price: '50000.005' });
    expect(tick.body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    const step = await rest.signed('POST', '/api/v3/order', { ...base, quantity: '0.000015', price: '50000' });
    expect(step.body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    const small = await rest.signed('POST', '/api/v3/order', { ...base, quantity: '0.00001', price: '50000' });
    expect(small.body).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '1' });
    const market = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '101',
    });
    expect(market.body).toEqual({ code: -1013, msg: 'Filter failure: MARKET_LOT_SIZE' });
    expect(small.status).toBe(400);
  });

  it('refuses an order the balance cannot cover with -2010', async () => {
    const r = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '50000',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
    const sell = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '5',
      price: '70000',
    });
    expect(sell.body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
  });

  it('refuses a duplicate open clientOrderId with -2010 "Duplicate order sent."', async () => {
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '45000',
      newClientOrderId: 'dup-1',
    };
    const first = await rest.signed('POST', '/api/v3/order', order);
    expect(first.status).toBe(200);
    const second = await rest.signed('POST', '/api/v3/order', order);
    expect(second.body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
  });

  it('takes client order ids in the Binance pattern, colons included, and refuses other characters', async () => {
    const order = (newClientOrderId: string) =>
      rest.signed<Body>('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '40000',
        newClientOrderId,
      });
    const bourseId = 'sma-cross:1:ab12mf3k2x9q001';
    const accepted = await order(bourseId);
    expect(accepted.body.clientOrderId).toBe(bourseId);
    const refused = await order('has space');
    expect(refused.body.code).toBe(-1100);
    expect(String(refused.body.msg)).toContain('newClientOrderId');
  });

  it('refuses missing and malformed parameters with Binance codes', async () => {
    const noType = await rest.signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', quantity: '1' });
    expect(noType.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'type' was not sent, was empty/null, or malformed.",
    });
    const noPrice = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
    });
    expect(noPrice.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
    });
    const badQty = await rest.signed<{ code: number; msg: string }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '1e3',
    });
    expect(badQty.body.code).toBe(-1100);
    expect(badQty.body.msg).toContain("parameter 'quantity'");
    const side = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'HOLD',
      type: 'MARKET',
      quantity: '1',
    });
    expect(side.body).toEqual({ code: -1117, msg: 'Invalid side.' });
    const type = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'ICEBERG',
      quantity: '1',
    });
    expect(type.body).toEqual({ code: -1116, msg: 'Invalid orderType.' });
    const tif = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'DAY',
      quantity: '1',
      price: '1',
    });
    expect(tif.body).toEqual({ code: -1115, msg: 'Invalid timeInForce.' });
    const notRequired = await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      timeInForce: 'GTC',
      quantity: '0.001',
    });
    expect(notRequired.body).toEqual({ code: -1106, msg: "Parameter 'timeInForce' sent when not required." });
    const neither = await rest.signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' });
    expect(neither.body).toEqual({
      code: -1102,
      msg: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    });
    const unread = await rest.signed<{ code: number }>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
      colour: 'blue',
    });
    expect(unread.body.code).toBe(-1104);
    const symbol = await rest.signed('POST', '/api/v3/order', {
      symbol: 'XYZUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '1',
    });
    expect(symbol.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('order/test validates without placing', async () => {
    const ok = await rest.signed('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '50000',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    const open = await rest.signed<Body[]>('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body).toEqual([]);
    const bad = await rest.signed('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '50000.001',
    });
    expect(bad.body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    const rates = await rest.signed<Body>('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '50000',
      computeCommissionRates: 'true',
    });
    expect(rates.body.standardCommissionForOrder).toEqual({ maker: '0.00100000', taker: '0.00100000' });
  });
});

describe('query and cancel', () => {
  it('GET order by orderId and by origClientOrderId; unknown is -2013', async () => {
    const placed = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '45000',
      newClientOrderId: 'query-me',
    });
    const byId = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId as number,
    });
    expect(byId.body).toMatchObject({
      clientOrderId: 'query-me',
      status: 'NEW',
      isWorking: true,
      stopPrice: '0.00000000',
      icebergQty: '0.00000000',
    });
    const byClient = await rest.signed<Body>('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'query-me',
    });
    expect(byClient.body.orderId).toBe(placed.body.orderId);
    const unknown = await rest.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 999_999 });
    expect(unknown.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    const neither = await rest.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT' });
    expect(neither.body).toEqual({
      code: -1102,
      msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    });
  });

  it('DELETE order cancels and unlocks; cancelling again is -2011', async () => {
    const placed = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: '45000',
      newClientOrderId: 'cancel-me',
    });
    expect(balance('USDT').locked).toBe('90.00000000');
    const c = await rest.signed<Body>('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId as number,
      newClientOrderId: 'the-cancel',
    });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({
      symbol: 'BTCUSDT',
      origClientOrderId: 'cancel-me',
      clientOrderId: 'the-cancel',
      status: 'CANCELED',
      orderId: placed.body.orderId,
    });
    expect(balance('USDT').locked).toBe('0.00000000');
    const again = await rest.signed('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId as number,
    });
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    const byClient = await rest.signed('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'never-was',
    });
    expect(byClient.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('DELETE openOrders cancels all of a symbol; with none open it is -2011', async () => {
    for (const price of ['41000', '42000']) {
      await rest.signed('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price,
      });
    }
    const r = await rest.signed<Body[]>('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(r.body).toHaveLength(2);
    expect(r.body.every((o) => o.status === 'CANCELED')).toBe(true);
    const none = await rest.signed('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(none.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('allOrders and myTrades list history, oldest first', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.01' });
    const bought = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.002',
    });
    const all = await rest.signed<Body[]>('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
    expect(all.status).toBe(200);
    const ids = all.body.map((o) => o.orderId as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toContain(bought.body.orderId);
    const trades = await rest.signed<Body[]>('GET', '/api/v3/myTrades', {
      symbol: 'BTCUSDT',
      orderId: bought.body.orderId as number,
    });
    expect(trades.body).toHaveLength(1);
    expect(trades.body[0]).toMatchObject({
      symbol: 'BTCUSDT',
      price: '60000.00000000',
      qty: '0.00200000',
      isBuyer: true,
      isMaker: false,
      commissionAsset: 'BTC',
    });
    const limited = await rest.signed<Body[]>('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT', limit: 1 });
    expect(limited.body).toHaveLength(1);
    expect(limited.body[0]?.orderId).toBe(Math.max(...ids));
  });

  it('myTrades pages through more than 500 trades from the oldest by fromId', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '60000', quantity: '0.06' });
    const before = await rest.signed<Body[]>('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', limit: 1000 });
    for (let i = 0; i < 520; i++) {
      sim.engine.placeOrder({
        accountId: TEST_KEY.apiKey,
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.0001',
      });
    }
    const ids: number[] = [];
    for (let from = 0; ;) {
      const page = await rest.signed<Body[]>('GET', '/api/v3/myTrades', {
        symbol: 'BTCUSDT',
        fromId: from,
        limit: 200,
      });
      ids.push(...page.body.map((t) => t.id as number));
      if (page.body.length < 200) break;
      from = (page.body[page.body.length - 1]?.id as number) + 1;
    }
    expect(ids).toHaveLength(before.body.length + 520);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('account shows free and locked balances', async () => {
    await rest.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '90000',
    });
    const r = await rest.signed<{
      balances: { asset: string; free: string; locked: string }[];
      canTrade: boolean;
      accountType: string;
    }>('GET', '/api/v3/account', {
      omitZeroBalances: 'true',
    });
    expect(r.body.canTrade).toBe(true);
    expect(r.body.accountType).toBe('SPOT');
    const btc = r.body.balances.find((b) => b.asset === 'BTC');
    expect(btc?.locked).toBe('0.01000000');
    expect(r.body.balances.every((b) => b.free !== '0.00000000' || b.locked !== '0.00000000')).toBe(true);
  });
});

describe('cancelReplace and OCO', () => {
  it('cancel-replaces an open order', async () => {
    const placed = await rest.signed<Body>('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '45000',
    });
    const r = await rest.signed<{
      cancelResult: string;
      newOrderResult: string;
      cancelResponse: Body;
      newOrderResponse: Body;
    }>('POST', '/api/v3/order/cancelReplace', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '46000',
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: placed.body.orderId as number,
    });
    expect(r.status).toBe(200);
    expect(r.body.cancelResult).toBe('SUCCESS');
    expect(r.body.newOrderResult).toBe('SUCCESS');
    expect(r.body.cancelResponse).toMatchObject({ status: 'CANCELED', orderId: placed.body.orderId });
    expect(r.body.newOrderResponse).toMatchObject({ status: 'NEW', price: '46000.00000000' });
  });

  it('a failed cancel with STOP_ON_FAILURE is -2022 with data', async () => {
    const r = await rest.signed<{ code: number; msg: string; data: Body }>('POST', '/api/v3/order/cancelReplace', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '46000',
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: 987654,
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(-2022);
    expect(r.body.msg).toBe('Order cancel-replace failed.');
    expect(r.body.data).toMatchObject({
      cancelResult: 'FAILURE',
      newOrderResult: 'NOT_ATTEMPTED',
      cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
      newOrderResponse: null,
    });
  });

  it('places and cancels an OCO through orderList/oco and DELETE orderList', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '59000', quantity: '0.01' });
    sim.trade({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.001' });
    const r = await rest.signed<Body & { orderReports: Body[]; orders: Body[] }>('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '65000',
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: '55000',
      belowPrice: '54900',
      belowTimeInForce: 'GTC',
      listClientOrderId: 'my-oco',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ contingencyType: 'OCO', listClientOrderId: 'my-oco', listOrderStatus: 'EXECUTING' });
    expect(r.body.orderReports).toHaveLength(2);
    expect(r.headers.get('x-mbx-order-count-10s')).not.toBeNull();
    const c = await rest.signed<Body & { orderReports: Body[] }>('DELETE', '/api/v3/orderList', {
      symbol: 'BTCUSDT',
      listClientOrderId: 'my-oco',
    });
    expect(c.status).toBe(200);
    expect(c.body.listOrderStatus).toBe('ALL_DONE');
    expect(c.body.orderReports.every((o) => o.status === 'CANCELED')).toBe(true);
    const bad = await rest.signed('POST', '/api/v3/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      aboveType: 'LIMIT',
      abovePrice: '65000',
      belowType: 'STOP_LOSS',
      belowStopPrice: '55000',
    });
    expect(bad.body).toEqual({ code: -1158, msg: 'Order type not supported in OCO.' });
  });

  it('the older POST /api/v3/order/oco places the same pair', async () => {
    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'BUY', price: '59000', quantity: '0.01' });
    sim.trade({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.001' });
    const r = await rest.signed<Body & { orderReports: Body[] }>('POST', '/api/v3/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      price: '66000',
      stopPrice: '54000',
      stopLimitPrice: '53900',
      stopLimitTimeInForce: 'GTC',
    });
    expect(r.status).toBe(200);
    expect(r.body.orderReports.map((o) => o.type).sort()).toEqual(['LIMIT_MAKER', 'STOP_LOSS_LIMIT']);
    const missing = await rest.signed('POST', '/api/v3/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      price: '66000',
    });
    expect(missing.body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
    });
  });
});
