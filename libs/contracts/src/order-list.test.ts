import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.js';
import {
  ListStatusEvent,
  OcoOrderList,
  OrderListRequest,
  OrderListStatus,
  OtoOrderList,
  OtocoOrderList,
  TrailingStopOrder,
  listStatusFromEvent,
} from './order-list.js';
import { violationPaths } from './test-support.js';

const oco = {
  v: 1,
  kind: 'oco',
  symbol: 'BTCUSDT',
  listClientOrderId: 'L1',
  side: 'SELL',
  qty: '0.5',
  above: { type: 'LIMIT_MAKER', clientOrderId: 'L1-tp', price: '65000' },
  below: { type: 'STOP_LOSS_LIMIT', clientOrderId: 'L1-sl', price: '58900', stopPrice: '59000', timeInForce: 'GTC' },
};

const otoco = {
  v: 1,
  kind: 'otoco',
  symbol: 'BTCUSDT',
  listClientOrderId: 'B1',
  working: { type: 'LIMIT', side: 'BUY', qty: '0.5', clientOrderId: 'B1-in', price: '60000', timeInForce: 'GTC' },
  pendingSide: 'SELL',
  pendingQty: '0.5',
  pendingAbove: { type: 'TAKE_PROFIT', clientOrderId: 'B1-tp', stopPrice: '66000' },
  pendingBelow: { type: 'STOP_LOSS', clientOrderId: 'B1-sl', trailingDelta: 200 },
};

describe('order lists', () => {
  it('accepts an OCO with a LIMIT_MAKER above and a STOP_LOSS_LIMIT below', () => {
    expect(decodeMessage('OcoOrderList', OcoOrderList, oco)).toEqual(oco);
  });

  it('accepts an OTOCO whose stop leg trails without a stop price, and the union picks it by kind', () => {
    expect(decodeMessage('OrderListRequest', OrderListRequest, otoco)).toEqual(otoco);
  });

  it('refuses an OCO without a stop-loss leg, naming the leg', () => {
    const bad = { ...oco, below: { type: 'TAKE_PROFIT', clientOrderId: 'x', stopPrice: '1' } };
    expect(violationPaths(OcoOrderList, bad)).toEqual(['below.type']);
  });

  it('refuses legs that share a client order id', () => {
    const bad = { ...oco, below: { ...oco.below, clientOrderId: 'L1-tp' } };
    expect(violationPaths(OcoOrderList, bad)).toEqual(['below.clientOrderId']);
  });

  it('refuses a stop with neither stopPrice nor trailingDelta, and a trailingDelta on a LIMIT', () => {
    const bad = {
      ...otoco,
      working: { ...otoco.working, trailingDelta: 100 },
      pendingBelow: { type: 'STOP_LOSS', clientOrderId: 'B1-sl' },
    };
    expect(violationPaths(OtocoOrderList, bad).sort()).toEqual(['pendingBelow.stopPrice', 'working.trailingDelta']);
  });

  it('refuses a MARKET working leg and a missing TIF on a LIMIT pending leg', () => {
    const bad = {
      v: 1,
      kind: 'oto',
      symbol: 'BTCUSDT',
      listClientOrderId: 'O1',
      working: { type: 'MARKET', side: 'BUY', qty: '1', clientOrderId: 'a' },
      pending: { type: 'LIMIT', side: 'SELL', qty: '1', clientOrderId: 'b', price: '2' },
    };
    expect(violationPaths(OtoOrderList, bad).sort()).toEqual(['pending.timeInForce', 'working.type']);
  });

  it('takes trailingDelta as whole BIPS only', () => {
    const t = {
      v: 1,
      symbol: 'BTCUSDT',
      side: 'SELL',
      qty: '1',
      type: 'STOP_LOSS',
      clientOrderId: 't',
      trailingDelta: 150,
    };
    expect(decodeMessage('TrailingStopOrder', TrailingStopOrder, t)).toEqual(t);
    expect(violationPaths(TrailingStopOrder, { ...t, trailingDelta: 1.5 })).toEqual(['trailingDelta']);
    expect(violationPaths(TrailingStopOrder, { ...t, trailingDelta: '150' })).toEqual(['trailingDelta']);
    expect(violationPaths(TrailingStopOrder, { ...t, type: 'LIMIT', price: '1', timeInForce: 'GTC' })).toContain(
      'type',
    );
  });

  it('reads a listStatus event into the response shape', () => {
    const event = {
      e: 'listStatus',
      E: 1564035303637,
      s: 'ETHBTC',
      g: 2,
      c: 'OCO',
      l: 'EXEC_STARTED',
      L: 'EXECUTING',
      r: 'NONE',
      C: 'F4QN4G8DlFATFlIUQ0cjdD',
      T: 1564035303625,
      O: [
        { s: 'ETHBTC', i: 17, c: 'AJYsMjErWJesZvqlJCTUgL' },
        { s: 'ETHBTC', i: 18, c: 'bfYPSQdLoqAJeNrOr9adzq' },
      ],
    };
    const status = listStatusFromEvent(decodeMessage('ListStatusEvent', ListStatusEvent, event));
    expect(decodeMessage('OrderListStatus', OrderListStatus, status)).toEqual({
      orderListId: 2,
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'F4QN4G8DlFATFlIUQ0cjdD',
      transactionTime: 1564035303625,
      symbol: 'ETHBTC',
      orders: [
        { symbol: 'ETHBTC', orderId: 17, clientOrderId: 'AJYsMjErWJesZvqlJCTUgL' },
        { symbol: 'ETHBTC', orderId: 18, clientOrderId: 'bfYPSQdLoqAJeNrOr9adzq' },
      ],
    });
    expect(violationPaths(ListStatusEvent, { ...event, L: 'DONE' })).toEqual(['L']);
  });
});
