import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { InstrumentRegistry } from '@bourse/domain';
import {
  AccountInfo,
  AccountTrade,
  BinanceErrorBody,
  CanceledOrder,
  ExchangeInfo,
  OrderResponse,
  QueriedOrder,
} from './models.js';
import {
  parseAccountTrade,
  parseBalances,
  parseCanceledOrder,
  parseExchangeInfoInstruments,
  parseOrderResponse,
  parseQueriedOrder,
} from './parse.js';

const fixture = <T = unknown>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../test-data/${name}`, import.meta.url), 'utf8')) as T;
const rest = fixture<Record<string, unknown>>('rest-responses.json');
const registry = new InstrumentRegistry(
  'binance',
  parseExchangeInfoInstruments(ExchangeInfo.parse(fixture('exchange-info.json')), 'binance').specs,
);

describe('REST payloads (documented examples)', () => {
  it('a FULL new-order response, with its fills, becomes a filled market VenueOrder', () => {
    const r = OrderResponse.parse(rest.newOrderFull);
    expect(r.fills).toHaveLength(5);
    expect(parseOrderResponse(r, registry)).toMatchObject({
      status: 'filled',
      style: 'market',
      timeInForce: undefined,
      side: 'SELL',
      cumulativeQuantity: '10.00000000',
      venueOrderId: '28',
    });
  });

  it('query, cancel, trades and account', () => {
    expect(parseQueriedOrder(QueriedOrder.parse(rest.queryOrder), registry)).toMatchObject({
      clientOrderId: 'myOrder1',
      status: 'new',
      stopPrice: undefined,
    });
    expect(parseCanceledOrder(CanceledOrder.parse(rest.cancelOrder), registry, 0)).toMatchObject({
      clientOrderId: 'myOrder1',
      status: 'canceled',
      updatedAt: 1684804350068,
    });
    const [trade] = (rest.myTrades as unknown[]).map((t) => parseAccountTrade(AccountTrade.parse(t), registry));
    expect(trade).toMatchObject({
      venueFillId: 'BTCUSDT:28457',
      venueOrderId: '100234',
      side: 'BUY',
      liquidity: 'taker',
      commissionAsset: 'BNB',
    });
    expect(parseBalances(AccountInfo.parse(rest.account))).toEqual([
      { asset: 'BTC', free: '4723846.89208129', locked: '0.00000000' },
      { asset: 'LTC', free: '4763368.68006011', locked: '0.00000000' },
    ]);
    expect(BinanceErrorBody.parse(rest.errorFilterFailure).code).toBe(-1013);
  });

  it('refuses a payload missing a field the adapter relies on, naming it', () => {
    const { executedQty: _dropped, ...broken } = rest.queryOrder as Record<string, unknown>;
    const result = QueriedOrder.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['executedQty']);
    // A float where a decimal string belongs is refused too.
    expect(QueriedOrder.safeParse({ ...(rest.queryOrder as object), price: 0.1 }).success).toBe(false);
  });
});
