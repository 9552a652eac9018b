import { describe, expect, it } from 'vitest';
import { OrderRequest, RiskDecision } from '@bourse/contracts';
import { ClientOrderIdGenerator, parseClientOrderId } from '@bourse/domain';
import { DAY_MS } from './daily-pnl.js';
import { evaluateIntent } from './risk-gate.js';
import {
  ManualClock,
  T0,
  failedRules,
  failuresOf,
  fill,
  freshState,
  gate,
  intent,
  limits,
  orderRequest,
  registry,
  seedPosition,
  tradingState,
} from './test-support.js';

describe('evaluateIntent: acceptance', () => {
  it('turns a valid intent into a contract-valid order on the grids, with a generated client order id', () => {
    const r = gate().onIntent(
      intent({
        qty: '0.123456789',
        price: '50000.019',
        constraints: { marketFallback: false },
        marketDataAt: T0 - 7,
      }),
    );
    expect(r.decision.outcome).toBe('accepted');
    const order = OrderRequest.parse(r.orderRequest);
    expect(order).toMatchObject({
      qty: '0.12345', // down to the 0.00001 step
      price: '50000.01', // a BUY rounds down (passive)
      timeInForce: 'GTC', // the configured default
      venueSymbol: 'BTCUSDT',
      strategyId: 'alpha',
      // Carried for the order manager's tick-to-trade.
      marketDataAt: T0 - 7,
      createdAt: T0,
    });
    expect(RiskDecision.parse(r.decision)).toMatchObject({ clientOrderId: order.clientOrderId, decidedAt: T0 });
    const parsed = parseClientOrderId(order.clientOrderId);
    expect(parsed.ok && parsed.value.strategyId).toBe('alpha');
  });

  it('carries the strategy version and code hash of the intent onto the order request', () => {
    const codeHash = 'c0de'.repeat(16);
    const r = gate().onIntent(intent({ codeHash }));
    expect(OrderRequest.parse(r.orderRequest)).toMatchObject({ strategyVersion: intent().strategyVersion, codeHash });
    expect(gate().onIntent(intent()).orderRequest).not.toHaveProperty('codeHash');
  });

  it('rounds a SELL price up and keeps an explicit time in force', () => {
    const r = gate().onIntent(intent({ side: 'SELL', price: '50000.011', timeInForce: 'IOC' }));
    expect(r.orderRequest).toMatchObject({ price: '50000.02', timeInForce: 'IOC' });
  });

  it('converts quoteQty to a qty at the limit price, and keeps it on a market order', () => {
    const limit = gate().onIntent(intent({ qty: undefined, quoteQty: '1234.56', price: '49999' }));
    // 1234.56 / 49999 = 0.0246916..., down to the step.
    expect(limit.orderRequest).toMatchObject({ qty: '0.02469' });
    expect(limit.orderRequest?.quoteQty).toBeUndefined();
    const market = gate().onIntent(intent({ qty: undefined, quoteQty: '1000', style: 'market', price: undefined }));
    expect(market.orderRequest).toMatchObject({ quoteQty: '1000', style: 'market' });
    expect(market.orderRequest?.qty).toBeUndefined();
  });

  it('returns the same decision for a redelivered intent and makes no second order', () => {
    const g = gate();
    const i = intent();
    const first = g.onIntent(i);
    const again = g.onIntent(i);
    expect(again.redelivered).toBe(true);
    expect(again.decision).toEqual(first.decision);
    expect(again.orderRequest).toEqual(first.orderRequest);
    expect(g.state.openOrders()).toHaveLength(1);
  });
});

describe('evaluateIntent: rejections', () => {
  it('refuses an expired intent with the age of its decision, and makes no order', () => {
    const r = gate().onIntent(intent({ createdAt: T0 - 5_300, expiresAt: T0 - 300 }));
    expect(failuresOf(r, 'expired')).toEqual([
      { rule: 'expired', message: 'expired: decision 5300 ms old, shelf life 5000 ms', limit: '5000', actual: '5300' },
    ]);
    expect(r.orderRequest).toBeUndefined();
    expect(failedRules(gate().onIntent(intent({ createdAt: T0 - 100, expiresAt: T0 })))).toContain('expired');
    expect(gate().onIntent(intent({ createdAt: T0 - 100, expiresAt: T0 + 1 })).decision.outcome).toBe('accepted');
  });

  it('rejects an unknown instrument and another venue', () => {
    expect(failedRules(gate().onIntent(intent({ instrument: 'DOGE/USDT' })))).toEqual(['unknown-instrument']);
    expect(failedRules(gate().onIntent(intent({ venue: 'kraken' })))).toEqual(['unknown-instrument']);
  });

  it('runs every rule and reports all that fail, each with its numbers', () => {
    const state = freshState();
    const config = limits({ defaults: { maxOrderQty: '1', priceBandBps: '100', maxQuoteAgeMs: 1_000 } });
    const clock = new ManualClock(T0 + 2_000);
    const r = gate(state, config, clock).onIntent(
      intent({ qty: '2', price: '60000', createdAt: T0, expiresAt: T0 + 1_000 }),
    );
    expect(failedRules(r).sort()).toEqual(['expired', 'max-order-qty', 'price-band', 'stale-market-data'].sort());
    for (const f of r.decision.outcome === 'rejected' ? r.decision.failures : []) {
      expect(f.limit).toBeDefined();
      expect(f.actual).toBeDefined();
    }
    expect(r.orderRequest).toBeUndefined();
  });

  it('is pure: evaluating does not change the state', () => {
    const state = freshState();
    const ids = new ClientOrderIdGenerator({ instanceTag: '0000', clock: () => T0 });
    evaluateIntent(intent(), state, limits(), registry(), new ManualClock(), ids);
    expect(state.openOrders()).toEqual([]);
  });
});

describe('max daily loss and the kill switch', () => {
  const today = T0 - 60_000;

  function losing(): ReturnType<typeof freshState> {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '1', '50000', { venueTime: today });
    seedPosition(state, 'alpha', 'SELL', '1', '49000', { venueTime: today + 1 });
    return state;
  }

  it('passes at the limit and rejects past it, asking for the strategy kill switch', () => {
    expect(
      gate(losing(), limits({ defaults: { maxDailyLoss: { USDT: '1000' } } })).onIntent(intent()).decision.outcome,
    ).toBe('accepted');
    const r = gate(losing(), limits({ defaults: { maxDailyLoss: { USDT: '999' } } })).onIntent(intent());
    expect(failuresOf(r, 'max-daily-loss')).toEqual([
      {
        rule: 'max-daily-loss',
        message: 'alpha daily loss is 1000 USDT (realized -1000, unrealized 0, fees 0); the maximum is 999',
        limit: '999',
        actual: '1000',
      },
    ]);
    expect(r.effects).toEqual([
      {
        kind: 'trip-kill-switch',
        scope: { kind: 'strategy', strategyId: 'alpha' },
        reason: expect.stringMatching(/1000 USDT/),
        trigger: 'daily-loss',
      },
    ]);
  });

  it('counts unrealized P&L at the mid and trips the global switch on the sum of strategies', () => {
    const state = losing();
    seedPosition(state, 'beta', 'BUY', '1', '51000', { venueTime: today }); // mid 50000: -1000 unrealized
    const config = limits({ global: { maxDailyLoss: { USDT: '1999' } }, defaults: { maxDailyLoss: { USDT: '1000' } } });
    const r = gate(state, config).onIntent(intent({ strategyId: 'gamma' }));
    expect(failuresOf(r, 'max-daily-loss-global')[0]).toMatchObject({ limit: '1999', actual: '2000' });
    expect(failedRules(r)).toEqual(['max-daily-loss-global']);
    expect(r.effects).toEqual([
      { kind: 'trip-kill-switch', scope: { kind: 'global' }, reason: expect.any(String), trigger: 'daily-loss' },
    ]);
  });

  it('counts only fills of the current UTC day', () => {
    const state = freshState();
    const yesterday = Math.floor(T0 / DAY_MS) * DAY_MS - 1; // 23:59:59.999 the day before
    seedPosition(state, 'alpha', 'BUY', '1', '50000', { venueTime: yesterday - 1 });
    seedPosition(state, 'alpha', 'SELL', '1', '49000', { venueTime: yesterday });
    const config = limits({ defaults: { maxDailyLoss: { USDT: '1' } } });
    expect(gate(state, config).onIntent(intent()).decision.outcome).toBe('accepted');
    expect(state.dailyPnl(yesterday).get('USDT')?.realized.toString()).toBe('-1000');
  });

  it('the core reports the trip after the fill that causes it, and not again once HALTED', () => {
    const config = limits({ defaults: { maxDailyLoss: { USDT: '500' } } });
    const g = gate(freshState(), config);
    seedPosition(g.state, 'alpha', 'BUY', '1', '50000', { venueTime: today });
    expect(g.checkKillSwitch()).toEqual([]);
    const sell = orderRequest({ side: 'SELL', qty: '1', price: '49000' });
    g.state.recordAccepted(sell);
    const applied = g.onExecutionEvent(
      fill({ clientOrderId: sell.clientOrderId, side: 'SELL', qty: '1', price: '49000', venueTime: today + 1 }),
    );
    expect(applied.effects).toEqual([
      {
        kind: 'trip-kill-switch',
        scope: { kind: 'strategy', strategyId: 'alpha' },
        reason: expect.any(String),
        trigger: 'daily-loss',
      },
    ]);
    expect(g.checkKillSwitch()).toEqual(applied.effects);
    g.onTradingState(tradingState({ kind: 'strategy', strategyId: 'alpha' }, 'HALTED', T0));
    expect(g.checkKillSwitch()).toEqual([]);
    const r = g.onIntent(intent());
    expect(failedRules(r).sort()).toEqual(['max-daily-loss', 'trading-state']);
    expect(r.effects).toEqual([]);
  });
});

describe('RiskGateCore.setLimits', () => {
  it('returns one limit-changed effect per changed limit', () => {
    const g = gate();
    const effects = g.setLimits(limits({ defaults: { maxOrderQty: '5' }, global: { maxOpenOrders: 10 } }));
    expect(effects).toEqual([
      { kind: 'limit-changed', path: 'defaults.maxOrderQty', before: '100', after: '5' },
      { kind: 'limit-changed', path: 'global.maxOpenOrders', after: '10' },
    ]);
    expect(failedRules(g.onIntent(intent({ qty: '6' })))).toEqual(['max-order-qty']);
  });
});
