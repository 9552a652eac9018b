import { describe, expect, it } from 'vitest';
import { InstrumentRegistry } from '@bourse/domain';
import { OrderListRequest } from '@bourse/contracts';
import { UserDataStreamEvent } from './common/models.js';
import { parseUserDataEvent } from './common/parse.js';
import { toOrderListCall } from './order-list-params.js';
import { toNewOrderParams } from './order-params.js';
import { ClientOrderId, InstrumentSymbol } from '@bourse/contracts';

describe('order list requests → Binance parameters', () => {
  it('names an OTOCO the way POST /api/v3/orderList/otoco documents it', () => {
    const call = toOrderListCall(
      OrderListRequest.parse({
        v: 1,
        kind: 'otoco',
        symbol: 'LTCBTC',
        listClientOrderId: 'L1',
        working: { type: 'LIMIT', side: 'SELL', qty: '1', price: '1', timeInForce: 'GTC', clientOrderId: 'w' },
        pendingSide: 'BUY',
        pendingQty: '5',
        pendingAbove: { type: 'STOP_LOSS_LIMIT', stopPrice: '6', price: '1', timeInForce: 'IOC', clientOrderId: 'a' },
        pendingBelow: { type: 'LIMIT_MAKER', price: '3', clientOrderId: 'b' },
      }),
    );
    expect(call).toMatchObject({ kind: 'otoco', wsMethod: 'orderList.place.otoco', orders: 3 });
    expect(Object.fromEntries(Object.entries(call.params).filter(([, v]) => v !== undefined))).toEqual({
      symbol: 'LTCBTC',
      listClientOrderId: 'L1',
      workingType: 'LIMIT',
      workingClientOrderId: 'w',
      workingPrice: '1',
      workingTimeInForce: 'GTC',
      workingSide: 'SELL',
      workingQuantity: '1',
      pendingSide: 'BUY',
      pendingQuantity: '5',
      pendingAboveType: 'STOP_LOSS_LIMIT',
      pendingAboveClientOrderId: 'a',
      pendingAbovePrice: '1',
      pendingAboveStopPrice: '6',
      pendingAboveTimeInForce: 'IOC',
      pendingBelowType: 'LIMIT_MAKER',
      pendingBelowClientOrderId: 'b',
      pendingBelowPrice: '3',
    });
  });

  it('reads the documented listStatus event into a list-status user-data event', () => {
    const raw = {
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
    const event = parseUserDataEvent(UserDataStreamEvent.parse(raw), new InstrumentRegistry('binance'), 'binance');
    expect(event).toEqual({
      kind: 'list-status',
      time: 1564035303637,
      list: {
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
      },
    });
  });
});

describe('trailing stops as single orders', () => {
  const base = {
    clientOrderId: ClientOrderId.parse('t-1'),
    symbol: InstrumentSymbol.parse('BTC/USDT'),
    side: 'SELL' as const,
    quantity: '0.01',
  };

  it('sends trailingDelta on a stop without stopPrice, and both when given', () => {
    expect(toNewOrderParams({ ...base, style: 'stop', trailingDelta: 250 }, 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      newClientOrderId: 't-1',
      quantity: '0.01',
      trailingDelta: 250,
    });
    expect(
      toNewOrderParams(
        { ...base, style: 'stop-limit', price: '49000', stopPrice: '49500', trailingDelta: 100 },
        'BTCUSDT',
      ),
    ).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '49500', trailingDelta: 100, timeInForce: 'GTC' });
  });

  it('refuses trailingDelta on a limit order and a stop with neither stopPrice nor trailingDelta', () => {
    expect(() => toNewOrderParams({ ...base, style: 'limit', price: '1', trailingDelta: 100 }, 'BTCUSDT')).toThrow(
      /trailingDelta is allowed on stop and stop-limit orders only/,
    );
    expect(() => toNewOrderParams({ ...base, style: 'stop' }, 'BTCUSDT')).toThrow(/stopPrice or trailingDelta/);
    expect(() => toNewOrderParams({ ...base, style: 'stop', trailingDelta: 2.5 }, 'BTCUSDT')).toThrow(/whole number/);
  });
});
