import { describe, expect, it } from 'vitest';
import { MatchingEngine } from './engine.js';
import { formatUnits } from './decimal.js';
import { isMatchingError, toBinanceError } from './errors.js';
import { BTCUSDT, fundedEngine, manualClock } from './test-kit.js';
import type { EngineEvent, NewOrderRequest } from './types.js';

const S = 'BTCUSDT';
const limit = (
  accountId: string,
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  extra: Partial<NewOrderRequest> = {},
) => ({ accountId, symbol: S, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price, ...extra }) as NewOrderRequest;

describe('fees', () => {
  it('charge the buyer in base and the seller in quote, at maker or taker rate, into the fee account', () => {
    const { engine } = fundedEngine();
    engine.setFeeRates('alice', { makerFeeRate: '0.0002', takerFeeRate: '0.0004' });
    engine.setFeeRates('bob', { makerFeeRate: '0.001', takerFeeRate: '0.00075' });
    engine.placeOrder(limit('alice', 'SELL', '2', '30000'));
    const { fills } = engine.placeOrder(limit('bob', 'BUY', '2', '30000'));
    // bob takes: 2 BTC × 0.00075 = 0.0015 BTC; alice makes: 60000 USDT × 0.0002 = 12 USDT.
    expect(fills).toEqual([
      { price: '30000.00000000', qty: '2.00000000', commission: '0.00150000', commissionAsset: 'BTC', tradeId: 1 },
    ]);
    expect(engine.getBalance('bob', 'BTC').free).toBe('11.99850000');
    expect(engine.getBalance('alice', 'USDT').free).toBe('1059988.00000000');
    expect(engine.getBalance(engine.feeAccountId, 'BTC').free).toBe('0.00150000');
    expect(engine.getBalance(engine.feeAccountId, 'USDT').free).toBe('12.00000000');
    const [aliceTrade] = engine.getMyTrades('alice', S);
    expect(aliceTrade).toMatchObject({
      isBuyer: false,
      isMaker: true,
      commission: '12.00000000',
      commissionAsset: 'USDT',
      quoteQty: '60000.00000000',
    });
    const [bobTrade] = engine.getMyTrades('bob', S);
    expect(bobTrade).toMatchObject({ isBuyer: true, isMaker: false, commission: '0.00150000', commissionAsset: 'BTC' });
    expect(engine.totalOf('BTC')).toBe('30.00000000');
    expect(engine.totalOf('USDT')).toBe('3000000.00000000');
    expect(engine.recentTrades(S)).toEqual([
      {
        id: 1,
        price: '30000.00000000',
        qty: '2.00000000',
        quoteQty: '60000.00000000',
        time: 1_700_000_000_000,
        isBuyerMaker: false,
        isBestMatch: true,
      },
    ]);
  });
});

describe('balances', () => {
  it('lock on placement, release price improvement on fill, refuse what is not there', () => {
    const { engine } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '29000'));
    expect(engine.getBalance('alice', 'BTC')).toEqual({ asset: 'BTC', free: '9.00000000', locked: '1.00000000' });
    engine.placeOrder(limit('bob', 'BUY', '2', '30000'));
    // 1 BTC filled at 29000 (the 1000 saved back to free), 1 BTC still locked at 30000.
    expect(engine.getBalance('bob', 'USDT')).toEqual({
      asset: 'USDT',
      free: '941000.00000000',
      locked: '30000.00000000',
    });
    try {
      engine.placeOrder(limit('bob', 'BUY', '40', '30000'));
      expect.unreachable();
    } catch (err) {
      expect(isMatchingError(err) && err.code).toBe('INSUFFICIENT_BALANCE');
      if (isMatchingError(err))
        expect(toBinanceError(err)).toEqual({
          code: -2010,
          msg: 'Account has insufficient balance for requested action.',
        });
    }
    expect(engine.withdraw('bob', 'USDT', '941000')).toEqual({
      asset: 'USDT',
      free: '0.00000000',
      locked: '30000.00000000',
    });
  });
});

describe('self-trade prevention', () => {
  it('EXPIRE_TAKER expires the taker with EXPIRED_IN_MATCH and keeps the maker', () => {
    const { engine, events } = fundedEngine();
    const maker = engine.placeOrder(limit('bob', 'SELL', '1', '30000')).order;
    events.length = 0;
    const { order } = engine.placeOrder(limit('bob', 'BUY', '1', '30000', { selfTradePreventionMode: 'EXPIRE_TAKER' }));
    expect(order).toMatchObject({
      status: 'EXPIRED_IN_MATCH',
      executedQty: '0.00000000',
      preventedMatchId: 1,
      preventedQuantity: '1.00000000',
    });
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: maker.orderId }).status).toBe('NEW');
    expect(events.some((e) => e.type === 'executionReport' && e.execType === 'TRADE_PREVENTION')).toBe(true);
    expect(engine.getBalance('bob', 'USDT').locked).toBe('0.00000000');
  });

  it('EXPIRE_MAKER expires own makers and keeps matching others', () => {
    const { engine } = fundedEngine();
    const own = engine.placeOrder(limit('bob', 'SELL', '1', '30000')).order;
    engine.placeOrder(limit('alice', 'SELL', '1', '30001'));
    const { order } = engine.placeOrder(limit('bob', 'BUY', '1', '30001', { selfTradePreventionMode: 'EXPIRE_MAKER' }));
    expect(order).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '30001.00000000' });
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: own.orderId }).status).toBe('EXPIRED_IN_MATCH');
    expect(engine.getBalance('bob', 'BTC').locked).toBe('0.00000000');
  });

  it('EXPIRE_BOTH expires both; NONE lets the account trade with itself', () => {
    const { engine } = fundedEngine();
    const own = engine.placeOrder(limit('bob', 'SELL', '1', '30000')).order;
    const both = engine.placeOrder(limit('bob', 'BUY', '1', '30000', { selfTradePreventionMode: 'EXPIRE_BOTH' })).order;
    expect(both.status).toBe('EXPIRED_IN_MATCH');
    expect(engine.getOrder({ accountId: 'bob', symbol: S, orderId: own.orderId }).status).toBe('EXPIRED_IN_MATCH');
    engine.placeOrder(limit('bob', 'SELL', '1', '30000'));
    const self = engine.placeOrder(limit('bob', 'BUY', '1', '30000', { selfTradePreventionMode: 'NONE' })).order;
    expect(self.status).toBe('FILLED');
    expect(engine.getMyTrades('bob', S).map((t) => t.isBuyer)).toEqual([true, false]);
  });
});

describe('events', () => {
  it('report NEW, TRADE, book levels with rising update ids, and one balance event per changed asset', () => {
    const { engine, events } = fundedEngine();
    engine.placeOrder(limit('alice', 'SELL', '1', '30000'));
    engine.placeOrder(limit('bob', 'BUY', '0.25', '30000'));
    const kinds = events.map((e) => (e.type === 'executionReport' ? `${e.accountId}:${e.execType}` : e.type));
    expect(kinds.slice(0, 3)).toEqual(['alice:NEW', 'bookLevel', 'balance']);
    const trade = events.find((e): e is Extract<EngineEvent, { type: 'trade' }> => e.type === 'trade');
    expect(trade).toMatchObject({ price: '30000.00000000', qty: '0.25000000', isBuyerMaker: false, tradeId: 1 });
    const fill = events.find((e) => e.type === 'executionReport' && e.execType === 'TRADE' && e.accountId === 'alice');
    expect(fill).toMatchObject({
      isMaker: true,
      lastExecutedQty: '0.25000000',
      commission: '7.50000000',
      commissionAsset: 'USDT',
    });
    const ids = events.flatMap((e) => (e.type === 'bookLevel' ? [e.updateId] : []));
    expect(ids).toEqual([1, 2]);
    const secondCall = events.slice(events.findIndex((e) => e.type === 'executionReport' && e.accountId === 'bob'));
    const balances = secondCall
      .filter((e) => e.type === 'balance')
      .map((e) => (e.type === 'balance' ? `${e.accountId}:${e.asset}` : ''));
    expect(balances.sort()).toEqual(['FEES:BTC', 'FEES:USDT', 'alice:BTC', 'alice:USDT', 'bob:BTC', 'bob:USDT']);
  });

  it('a throwing listener does not break the engine; the call reports LISTENER_FAILED after the change', () => {
    const engine = new MatchingEngine({
      clock: manualClock(),
      onEvent: () => {
        throw new Error('boom');
      },
    });
    engine.addSymbol(BTCUSDT);
    expect(() => engine.deposit('alice', 'BTC', '1')).toThrow(/listener/);
    expect(engine.getBalance('alice', 'BTC').free).toBe('1.00000000');
  });
});

describe('snapshot and restore', () => {
  it('restores an engine that behaves identically', () => {
    const clockA = manualClock();
    const eventsA: EngineEvent[] = [];
    const a = new MatchingEngine({ clock: clockA, onEvent: (e) => eventsA.push(e) });
    a.addSymbol(BTCUSDT);
    for (const who of ['alice', 'bob']) {
      a.deposit(who, 'BTC', '10');
      a.deposit(who, 'USDT', '1000000');
    }
    a.setFeeRates('bob', { makerFeeRate: '0', takerFeeRate: '0.0005' });
    a.placeOrder(limit('alice', 'SELL', '1', '30000'));
    a.placeOrder(limit('alice', 'SELL', '1', '30000'));
    a.placeOrder(limit('bob', 'BUY', '0.5', '30000'));
    a.placeOrder({ accountId: 'bob', symbol: S, side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '29000' });
    a.placeOco({ accountId: 'alice', symbol: S, side: 'BUY', quantity: '1', price: '28000', stopPrice: '31000' });

    const snap = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<MatchingEngine['snapshot']>;
    const clockB = manualClock();
    const eventsB: EngineEvent[] = [];
    const b = MatchingEngine.restore(snap, { clock: clockB, onEvent: (e) => eventsB.push(e) });
    expect(b.snapshot()).toEqual(a.snapshot());
    eventsA.length = 0;

    const script = (e: MatchingEngine) => [
      e.placeOrder(limit('bob', 'BUY', '1', '30000')),
      e.placeOrder(limit('bob', 'SELL', '3', '28000')),
      e.cancelOpenOrders('alice', S),
      e.depth(S),
      e.getMyTrades('bob', S),
      e.getAllOrders('alice', S),
    ];
    expect(script(b)).toEqual(script(a));
    expect(eventsB).toEqual(eventsA);
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it('rejects a snapshot of another version', () => {
    expect(() => MatchingEngine.restore({ version: 2 } as never, { clock: manualClock() })).toThrow(/version 1/);
  });
});

describe('balanceUnits', () => {
  it('is the balance getBalance prints, in units of 10^-18, following locks and fills; zero for an asset never held', () => {
    const { engine } = fundedEngine();
    const same = (account: string, asset: string) => {
      const b = engine.getBalance(account, asset);
      const u = engine.balanceUnits(account, asset);
      expect(formatUnits(u.free)).toBe(b.free);
      expect(formatUnits(u.locked)).toBe(b.locked);
    };
    engine.placeOrder(limit('alice', 'SELL', '2', '30000'));
    same('alice', 'BTC');
    expect(engine.balanceUnits('alice', 'BTC').locked).toBe(2n * 10n ** 18n);
    engine.placeOrder(limit('bob', 'BUY', '0.5', '30000'));
    for (const account of ['alice', 'bob']) for (const asset of ['BTC', 'USDT']) same(account, asset);
    expect(engine.balanceUnits('alice', 'DOGE')).toEqual({ free: 0n, locked: 0n });
    expect(engine.balanceUnits('nobody', 'BTC')).toEqual({ free: 0n, locked: 0n });
  });
});
