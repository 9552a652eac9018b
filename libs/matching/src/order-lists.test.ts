import { describe, expect, it } from 'vitest';
import { isMatchingError } from './errors.js';
import { MatchingEngine } from './engine.js';
import { fundedEngine, manualClock } from './test-kit.js';
import type { EngineEvent, ExecutionReportEvent, ListStatusEvent, NewOrderRequest, NewOtocoRequest } from './types.js';

// Hand-computed cases for OTO / OTOCO / OCO lists. Every account starts with 10 BTC and 1,000,000 USDT;
// commission is 0.1 % of what each side receives.

const S = 'BTCUSDT';
const limit = (accountId: string, side: 'BUY' | 'SELL', quantity: string, price: string): NewOrderRequest => ({
  accountId,
  symbol: S,
  side,
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity,
  price,
});

/** Prints a trade at `price` between alice and carol, leaving nothing on the book. */
function printTrade(engine: MatchingEngine, price: string): void {
  engine.placeOrder(limit('alice', 'SELL', '0.1', price));
  engine.placeOrder(limit('carol', 'BUY', '0.1', price));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isMatchingError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

/** bob buys 1 BTC at 29900, then sells it with a take-profit at 31000 and a stop-loss at 29000. */
const bracket: NewOtocoRequest = {
  accountId: 'bob',
  symbol: S,
  listClientOrderId: 'br-1',
  working: { type: 'LIMIT', side: 'BUY', quantity: '1', price: '29900', timeInForce: 'GTC', clientOrderId: 'br-1-in' },
  pendingSide: 'SELL',
  pendingQuantity: '1',
  pendingAbove: { type: 'LIMIT_MAKER', price: '31000', clientOrderId: 'br-1-tp' },
  pendingBelow: { type: 'STOP_LOSS', stopPrice: '29000', clientOrderId: 'br-1-sl' },
};

const bobReports = (events: EngineEvent[]): string[] =>
  events
    .filter((e): e is ExecutionReportEvent => e.type === 'executionReport' && e.accountId === 'bob')
    .map((e) => `${e.order.clientOrderId}:${e.execType}:${e.order.status}`);
const listEvents = (events: EngineEvent[]): string[] =>
  events.filter((e): e is ListStatusEvent => e.type === 'listStatus').map((e) => `${e.orderList.listStatusType}`);

function order(engine: MatchingEngine, clientOrderId: string) {
  return engine.getOrder({ accountId: 'bob', symbol: S, origClientOrderId: clientOrderId });
}

describe('OTOCO bracket', () => {
  it('places only the working leg; the pair waits as PENDING_NEW with nothing locked', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    events.length = 0;
    const res = engine.placeOtoco(bracket);
    expect(res.orderList).toMatchObject({
      contingencyType: 'OTO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'br-1',
    });
    expect(res.orderList.orders.map((o) => o.clientOrderId)).toEqual(['br-1-in', 'br-1-sl', 'br-1-tp']);
    expect(res.orderReports.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW', 'PENDING_NEW']);
    expect(res.orderReports.every((o) => o.orderListId === res.orderList.orderListId)).toBe(true);
    expect(engine.getBalance('bob', 'USDT').locked).toBe('29900.00000000');
    expect(engine.getBalance('bob', 'BTC').locked).toBe('0.00000000');
    expect(engine.depth(S).asks).toEqual([]);
    expect(bobReports(events)).toEqual(['br-1-in:NEW:NEW', 'br-1-sl:NEW:PENDING_NEW', 'br-1-tp:NEW:PENDING_NEW']);
    expect(listEvents(events)).toEqual(['EXEC_STARTED']);
  });

  it('keeps the pair pending while the entry is only partly filled', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOtoco(bracket);
    engine.placeOrder(limit('alice', 'SELL', '0.4', '29900'));
    expect(order(engine, 'br-1-in')).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.40000000' });
    expect(order(engine, 'br-1-tp').status).toBe('PENDING_NEW');
    expect(order(engine, 'br-1-sl').status).toBe('PENDING_NEW');
    engine.placeOrder(limit('alice', 'SELL', '0.6', '29900'));
    expect(order(engine, 'br-1-in').status).toBe('FILLED');
    expect(order(engine, 'br-1-tp')).toMatchObject({ status: 'NEW', isWorking: true });
    expect(order(engine, 'br-1-sl')).toMatchObject({ status: 'NEW', isWorking: false });
    expect(engine.depth(S).asks).toEqual([['31000.00000000', '1.00000000']]);
    expect(engine.getBalance('bob', 'BTC').locked).toBe('1.00000000');
  });

  it('take-profit fills first: the stop expires, the list is ALL_DONE, balances as computed by hand', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOtoco(bracket);
    // Entry: bob buys 1 BTC at 29900 as maker → +0.999 BTC (0.001 commission), −29900 USDT.
    engine.placeOrder(limit('alice', 'SELL', '1', '29900'));
    events.length = 0;
    // Exit: carol lifts the take-profit at 31000 → bob +31000 − 31 = 30969 USDT, −1 BTC.
    engine.placeOrder(limit('carol', 'BUY', '1', '31000'));
    expect(bobReports(events)).toEqual(['br-1-tp:TRADE:FILLED', 'br-1-sl:EXPIRED:EXPIRED']);
    const expired = events.find(
      (e): e is ExecutionReportEvent => e.type === 'executionReport' && e.execType === 'EXPIRED',
    );
    expect(expired?.expiryReason).toBe('OCO_TRIGGER');
    expect(listEvents(events)).toEqual(['ALL_DONE']);
    const list = engine.getOrderList({ accountId: 'bob', symbol: S, listClientOrderId: 'br-1' });
    expect(list).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(engine.getBalance('bob', 'USDT')).toEqual({ asset: 'USDT', free: '1001069.00000000', locked: '0.00000000' });
    expect(engine.getBalance('bob', 'BTC')).toEqual({ asset: 'BTC', free: '9.99900000', locked: '0.00000000' });
    expect(engine.getOpenOrders('bob', S)).toEqual([]);
    expect(engine.getOpenOrderLists('bob')).toEqual([]);
  });

  it('stop triggers first in a gap: the print at 28500 jumps the 29000 stop, which sells at the 28000 bid', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOtoco(bracket);
    engine.placeOrder(limit('alice', 'SELL', '1', '29900'));
    engine.placeOrder(limit('carol', 'BUY', '1', '28000'));
    events.length = 0;
    printTrade(engine, '28500');
    expect(bobReports(events)).toEqual(['br-1-tp:EXPIRED:EXPIRED', 'br-1-sl:NEW:NEW', 'br-1-sl:TRADE:FILLED']);
    expect(listEvents(events)).toEqual(['ALL_DONE']);
    expect(order(engine, 'br-1-sl')).toMatchObject({
      type: 'STOP_LOSS',
      executedQty: '1.00000000',
      cummulativeQuoteQty: '28000.00000000',
    });
    // 1,000,000 − 29900 + (28000 − 28) = 998,072 USDT; 10 + 0.999 − 1 = 9.999 BTC.
    expect(engine.getBalance('bob', 'USDT')).toEqual({ asset: 'USDT', free: '998072.00000000', locked: '0.00000000' });
    expect(engine.getBalance('bob', 'BTC')).toEqual({ asset: 'BTC', free: '9.99900000', locked: '0.00000000' });
    expect(engine.depth(S).asks).toEqual([]);
  });

  it('cancelling a pending leg cancels the whole list, entry included', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOtoco(bracket);
    events.length = 0;
    engine.cancelOrder({ accountId: 'bob', symbol: S, origClientOrderId: 'br-1-tp', newClientOrderId: 'cx' });
    expect(bobReports(events)).toEqual([
      'br-1-in:CANCELED:CANCELED',
      'br-1-sl:CANCELED:CANCELED',
      'br-1-tp:CANCELED:CANCELED',
    ]);
    expect(engine.getBalance('bob', 'USDT')).toEqual({ asset: 'USDT', free: '1000000.00000000', locked: '0.00000000' });
  });

  it('an entry that expires unfilled (IOC) expires the pending pair and ends the list', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    const res = engine.placeOtoco({ ...bracket, working: { ...bracket.working, timeInForce: 'IOC' } });
    expect(res.orderReports.map((o) => o.status)).toEqual(['EXPIRED', 'EXPIRED', 'EXPIRED']);
    expect(res.orderList.listOrderStatus).toBe('ALL_DONE');
    const reasons = events
      .filter((e): e is ExecutionReportEvent => e.type === 'executionReport' && e.execType === 'EXPIRED')
      .map((e) => `${e.order.clientOrderId}:${e.expiryReason}`);
    expect(reasons).toEqual([
      'br-1-in:UNFILLED_IOC_QUANTITY_EXPIRED',
      'br-1-sl:OTO_PHASE_ONE_EXPIRED',
      'br-1-tp:OTO_PHASE_ONE_EXPIRED',
    ]);
  });

  it('refuses a pair without a stop-loss leg and a MARKET working leg, before anything changes', () => {
    const { engine } = fundedEngine();
    expect(
      codeOf(() =>
        engine.placeOtoco({
          ...bracket,
          pendingBelow: { type: 'TAKE_PROFIT', stopPrice: '29000', clientOrderId: 'x' },
        }),
      ),
    ).toBe('OCO_ORDER_TYPE');
    expect(
      codeOf(() => engine.placeOtoco({ ...bracket, working: { type: 'MARKET', side: 'BUY', quantity: '1' } })),
    ).toBe('INVALID_ORDER_TYPE');
    expect(codeOf(() => engine.placeOtoco({ ...bracket, pendingAbove: { type: 'LIMIT_MAKER', price: '28000' } }))).toBe(
      'OCO_PRICES',
    );
    expect(engine.getOpenOrders('bob')).toEqual([]);
  });

  it('survives a snapshot with its pair pending, then activates after restore', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOtoco(bracket);
    const restored = MatchingEngine.restore(engine.snapshot(), { clock: manualClock() });
    expect(restored.snapshot()).toEqual(engine.snapshot());
    restored.placeOrder(limit('alice', 'SELL', '1', '29900'));
    expect(order(restored, 'br-1-tp').status).toBe('NEW');
    expect(restored.depth(S).asks).toEqual([['31000.00000000', '1.00000000']]);
  });
});

describe('OTO', () => {
  it('places the pending LIMIT once the working leg has filled, and the list is then done', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    engine.placeOto({
      accountId: 'bob',
      symbol: S,
      listClientOrderId: 'oto-1',
      working: { type: 'LIMIT', side: 'SELL', quantity: '0.5', price: '30100', timeInForce: 'GTC', clientOrderId: 'w' },
      pending: { type: 'LIMIT', side: 'BUY', quantity: '0.5', price: '29500', timeInForce: 'GTC', clientOrderId: 'p' },
    });
    expect(engine.getBalance('bob', 'BTC').locked).toBe('0.50000000');
    expect(engine.getBalance('bob', 'USDT').locked).toBe('0.00000000');
    events.length = 0;
    engine.placeOrder(limit('carol', 'BUY', '0.5', '30100'));
    expect(bobReports(events)).toEqual(['w:TRADE:FILLED', 'p:NEW:NEW']);
    expect(listEvents(events)).toEqual(['ALL_DONE']);
    expect(engine.depth(S).bids).toEqual([['29500.00000000', '0.50000000']]);
    expect(engine.getBalance('bob', 'USDT').locked).toBe('14750.00000000');
  });
});

describe('OCO (orderList/oco)', () => {
  it('a TAKE_PROFIT above and a STOP_LOSS below: the take-profit triggers at 31000 and the stop expires', () => {
    const { engine, events } = fundedEngine();
    printTrade(engine, '30000');
    const res = engine.placeOcoList({
      accountId: 'bob',
      symbol: S,
      side: 'SELL',
      quantity: '1',
      listClientOrderId: 'oco-1',
      above: { type: 'TAKE_PROFIT', stopPrice: '31000', clientOrderId: 'tp' },
      below: { type: 'STOP_LOSS', stopPrice: '29000', clientOrderId: 'sl' },
    });
    expect(res.orderList.orders.map((o) => o.clientOrderId)).toEqual(['sl', 'tp']);
    expect(engine.getBalance('bob', 'BTC').locked).toBe('1.00000000');
    engine.placeOrder(limit('carol', 'BUY', '1', '30900'));
    events.length = 0;
    printTrade(engine, '31000');
    expect(bobReports(events)).toEqual(['sl:EXPIRED:EXPIRED', 'tp:NEW:NEW', 'tp:TRADE:FILLED']);
    expect(engine.getOrder({ accountId: 'bob', symbol: S, origClientOrderId: 'tp' }).cummulativeQuoteQty).toBe(
      '30900.00000000',
    );
    expect(engine.getBalance('bob', 'BTC')).toEqual({ asset: 'BTC', free: '9.00000000', locked: '0.00000000' });
  });

  it('refuses prices on the wrong side of the last price', () => {
    const { engine } = fundedEngine();
    printTrade(engine, '30000');
    const req = {
      accountId: 'bob',
      symbol: S,
      side: 'SELL' as const,
      quantity: '1',
      above: { type: 'LIMIT_MAKER' as const, price: '31000' },
      below: { type: 'STOP_LOSS' as const, stopPrice: '30500' },
    };
    expect(codeOf(() => engine.placeOcoList(req))).toBe('OCO_PRICES');
  });
});
