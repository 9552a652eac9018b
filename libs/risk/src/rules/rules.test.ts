import { describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { RiskState } from '../risk-state.js';
import {
  ManualClock,
  T0,
  VENUE,
  failedRules,
  failuresOf,
  fill,
  freshState,
  gate,
  intent,
  limits,
  orderRequest,
  quote,
  seedPosition,
  status,
  tradingState,
} from '../test-support.js';
import { inWindow } from './trading-session.js';

// Each rule: one intent that trips it (with the reason and its numbers), and one at the boundary that passes.

describe('trading-state', () => {
  it('HALTED globally rejects everything, reducing intents included', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.5', '50000');
    state.applyTradingState(tradingState({ kind: 'global' }, 'HALTED'));
    const g = gate(state);
    for (const i of [intent(), intent({ side: 'SELL', qty: '0.1', price: '50000', reduceOnly: true })]) {
      const r = g.onIntent(i);
      expect(failuresOf(r, 'trading-state')).toEqual([
        { rule: 'trading-state', message: 'trading is HALTED for global (test)' },
      ]);
    }
  });

  it('HALTED on the instrument or the strategy rejects; on another instrument it does not', () => {
    const state = freshState();
    state.applyTradingState(tradingState({ kind: 'instrument', symbol: 'ETHUSDT' }, 'HALTED'));
    state.applyTradingState(tradingState({ kind: 'strategy', strategyId: 'beta' }, 'HALTED'));
    const g = gate(state);
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
    expect(failuresOf(g.onIntent(intent({ instrument: 'ETH/USDT', price: '3000' })), 'trading-state')[0]?.message).toBe(
      'trading is HALTED for instrument ETHUSDT (test)',
    );
    expect(failuresOf(g.onIntent(intent({ strategyId: 'beta' })), 'trading-state')[0]?.message).toMatch(
      /strategy beta/,
    );
  });

  it('without a global entry applies whenGlobalStateMissing', () => {
    const g = gate(freshState(), limits({ whenGlobalStateMissing: 'HALTED' }));
    expect(failuresOf(g.onIntent(intent()), 'trading-state')[0]?.message).toMatch(/no global trading state is set/);
  });

  it('REDUCING lets a reducing intent through and rejects an increasing or flipping one', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.5', '50000');
    state.applyTradingState(tradingState({ kind: 'global' }, 'REDUCING'));
    const g = gate(state);
    expect(g.onIntent(intent({ side: 'SELL', qty: '0.2', price: '50000' })).decision.outcome).toBe('accepted');

    const increasing = failuresOf(g.onIntent(intent({ side: 'BUY', qty: '0.1' })), 'trading-state');
    expect(increasing).toEqual([
      {
        rule: 'trading-state',
        message: expect.stringMatching(/REDUCING for global .*strategy position 0.5 would become 0.6/),
        limit: '0.5',
        actual: '0.6',
      },
    ]);
    // 0.2 is already on its way out; selling 0.4 more would take 0.5 to -0.1: a flip.
    const flipping = failuresOf(g.onIntent(intent({ side: 'SELL', qty: '0.4', price: '50000' })), 'trading-state');
    expect(flipping[0]?.message).toMatch(/would become -0.1/);
  });

  it('REDUCING also needs the net position across strategies to shrink', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.5', '50000');
    seedPosition(state, 'beta', 'SELL', '0.5', '50000');
    state.applyTradingState(tradingState({ kind: 'instrument', symbol: 'BTCUSDT' }, 'REDUCING'));
    // alpha's own position shrinks, but the net (0) would go to -0.1.
    const r = gate(state).onIntent(intent({ side: 'SELL', qty: '0.1', price: '50000' }));
    expect(failuresOf(r, 'trading-state')[0]?.message).toMatch(/net position 0 would become -0.1/);
  });
});

describe('reduce-only', () => {
  it('passes when it reduces and rejects one that would open or grow the position', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.3', '50000');
    const g = gate(state);
    expect(g.onIntent(intent({ side: 'SELL', qty: '0.1', price: '50000', reduceOnly: true })).decision.outcome).toBe(
      'accepted',
    );
    expect(failuresOf(g.onIntent(intent({ side: 'BUY', qty: '0.1', reduceOnly: true })), 'reduce-only')).toEqual([
      {
        rule: 'reduce-only',
        message: 'reduce-only intent would not reduce the position: position 0.3 would become 0.4',
        limit: '0.3',
        actual: '0.4',
      },
    ]);
    const flat = gate(freshState()).onIntent(intent({ side: 'SELL', qty: '0.1', price: '50000', reduceOnly: true }));
    expect(failedRules(flat)).toEqual(['reduce-only']);
  });
});

describe('instrument-filter', () => {
  it('reports every venue filter the rounded order breaks, with its numbers', () => {
    // 0.000049 rounds down to 0.00004; 0.00004 × 50000 = 2 is below the 5 USDT minimum notional.
    const r = gate().onIntent(intent({ qty: '0.000049' }));
    expect(failuresOf(r, 'instrument-filter')).toEqual([
      {
        rule: 'instrument-filter',
        message: expect.stringMatching(/^NOTIONAL: notional 2 is below/),
        limit: '5',
        actual: '2',
      },
    ]);
  });

  it('a quantity that rounds to zero is reported, not sent', () => {
    const r = gate().onIntent(intent({ qty: '0.000001' }));
    expect(failuresOf(r, 'instrument-filter').map((f) => f.message)).toContainEqual(
      expect.stringMatching(/quantity 0 must be greater than zero/),
    );
  });

  it('passes at the minimum notional exactly', () => {
    expect(gate().onIntent(intent({ qty: '0.0001', price: '50000' })).decision.outcome).toBe('accepted');
  });
});

describe('max-order-qty and max-order-notional', () => {
  const config = limits({ defaults: { maxOrderQty: '0.1', maxOrderNotional: '5000' } });

  it('passes at the limits', () => {
    expect(gate(freshState(), config).onIntent(intent({ qty: '0.1', price: '50000' })).decision.outcome).toBe(
      'accepted',
    );
  });

  it('rejects above them with both numbers', () => {
    const r = gate(freshState(), config).onIntent(intent({ qty: '0.10001', price: '50000' }));
    expect(failuresOf(r, 'max-order-qty')).toEqual([
      { rule: 'max-order-qty', message: expect.any(String), limit: '0.1', actual: '0.10001' },
    ]);
    expect(failuresOf(r, 'max-order-notional')).toEqual([
      { rule: 'max-order-notional', message: expect.stringMatching(/5000.5 USDT/), limit: '5000', actual: '5000.5' },
    ]);
  });

  it('values a market order at the mid', () => {
    const r = gate(freshState(), config).onIntent(intent({ style: 'market', price: undefined, qty: '0.1' }));
    expect(r.decision.outcome).toBe('accepted'); // 0.1 at the mid 50000: 5000, at the limit
    const over = gate(freshState(), config).onIntent(intent({ style: 'market', price: undefined, qty: '0.10001' }));
    expect(failuresOf(over, 'max-order-notional')[0]?.actual).toBe('5000.5');
  });
});

describe('max-position and max-aggregate-position', () => {
  it('counts the position plus open orders on the same side; passes at the limit', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.5', '50000');
    state.recordAccepted(orderRequest({ qty: '0.2' })); // in flight: counts as if filled
    const g = gate(state, limits({ defaults: { maxPosition: '0.8' } }));
    expect(g.onIntent(intent({ qty: '0.1' })).decision.outcome).toBe('accepted'); // 0.5 + 0.2 + 0.1
    const r = g.onIntent(intent({ qty: '0.1' })); // 0.5 + 0.3 + 0.1
    expect(failuresOf(r, 'max-position')).toEqual([
      {
        rule: 'max-position',
        message: expect.stringMatching(/would reach 0.9 .*maximum is 0.8/),
        limit: '0.8',
        actual: '0.9',
      },
    ]);
  });

  it('lets a position above a lowered limit be worked down', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '2', '50000');
    const g = gate(state, limits({ defaults: { maxPosition: '1' } }));
    expect(g.onIntent(intent({ side: 'SELL', qty: '0.5', price: '50000' })).decision.outcome).toBe('accepted');
    expect(failedRules(g.onIntent(intent({ side: 'BUY', qty: '0.1' })))).toEqual(['max-position']);
  });

  it('adds up every strategy in the aggregate (combined exposure)', () => {
    const state = freshState();
    seedPosition(state, 'alpha', 'BUY', '0.5', '50000');
    seedPosition(state, 'beta', 'BUY', '0.4', '50000');
    state.recordAccepted(orderRequest({ strategyId: 'beta', qty: '0.05' }));
    const g = gate(state, limits({ defaults: { maxPosition: '1', maxAggregatePosition: '1' } }));
    expect(g.onIntent(intent({ qty: '0.05' })).decision.outcome).toBe('accepted'); // 0.5+0.4+0.05+0.05 = 1
    const r = g.onIntent(intent({ qty: '0.01' }));
    expect(failedRules(r)).toEqual(['max-aggregate-position']); // alpha alone (0.56) is within its own limit
    expect(failuresOf(r, 'max-aggregate-position')[0]).toMatchObject({ limit: '1', actual: '1.01' });
    // A short by another strategy offsets: beta selling reduces the net.
    expect(g.onIntent(intent({ strategyId: 'beta', side: 'SELL', qty: '0.3', price: '50000' })).decision.outcome).toBe(
      'accepted',
    );
  });
});

describe('shared-instrument', () => {
  const config = limits({ instruments: { 'ETH/USDT': { allowSharedInstrument: false } } });
  const eth = (fields: Record<string, unknown> = {}) =>
    intent({ instrument: 'ETH/USDT', price: '3000', qty: '1', ...fields });

  it('rejects a second strategy while another holds the instrument', () => {
    const state = freshState();
    seedPosition(state, 'beta', 'BUY', '2', '3000', { instrument: 'ETH/USDT' });
    const g = gate(state, config);
    expect(failuresOf(g.onIntent(eth()), 'shared-instrument')).toEqual([
      {
        rule: 'shared-instrument',
        message: 'ETH/USDT is not shared and is in use by beta (position or open orders)',
        limit: '1',
        actual: '2',
      },
    ]);
    expect(g.onIntent(eth({ strategyId: 'beta' })).decision.outcome).toBe('accepted');
    // BTC/USDT keeps the default (shared).
    seedPosition(state, 'beta', 'BUY', '1', '50000');
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });

  it('an open order alone holds the instrument; once done, another strategy may trade it', () => {
    const state = freshState();
    const order = orderRequest({ strategyId: 'beta', instrument: 'ETH/USDT', qty: '1', price: '3000' });
    state.recordAccepted(order);
    const g = gate(state, config);
    expect(failedRules(g.onIntent(eth()))).toEqual(['shared-instrument']);
    state.applyExecutionEvent(status(order.clientOrderId, 'canceled', { instrument: 'ETH/USDT' }));
    expect(g.onIntent(eth()).decision.outcome).toBe('accepted');
  });

  it('when allowed, two strategies trade one instrument at once', () => {
    const state = freshState();
    seedPosition(state, 'beta', 'BUY', '2', '3000', { instrument: 'ETH/USDT' });
    expect(gate(state).onIntent(eth()).decision.outcome).toBe('accepted');
  });
});

describe('available-balance', () => {
  function state(): RiskState {
    const s = new RiskState({ venue: VENUE });
    s.applyQuote(quote('BTC/USDT', '49990', '50010'));
    // The venue already moved 2000 USDT to locked for the acknowledged order below.
    s.applyBalances({
      asOf: T0 - 1_000,
      balances: { USDT: { free: dec('10000'), locked: dec('2000') }, BTC: { free: dec('0.3'), locked: dec('0') } },
    });
    const acked = orderRequest({ qty: '0.04', price: '50000' });
    s.recordAccepted(acked);
    s.applyExecutionEvent(status(acked.clientOrderId, 'new'));
    s.recordAccepted(orderRequest({ qty: '0.1', price: '50000' })); // in flight: 5000 USDT
    return s;
  }

  it('is free plus locked minus open orders and in-flight requests; passes at the boundary', () => {
    const s = state();
    expect(s.available('USDT').toString()).toBe('5000');
    expect(gate(s).onIntent(intent({ qty: '0.1', price: '50000' })).decision.outcome).toBe('accepted');
  });

  it('rejects a BUY that needs more quote, and a SELL that needs more base', () => {
    const r = gate(state()).onIntent(intent({ qty: '0.10002', price: '50000' }));
    expect(failuresOf(r, 'available-balance')).toEqual([
      {
        rule: 'available-balance',
        message: 'order needs 5001 USDT; 5000 is available after open orders and in-flight requests',
        limit: '5000',
        actual: '5001',
      },
    ]);
    const sell = gate(state()).onIntent(intent({ side: 'SELL', qty: '0.31', price: '50000' }));
    expect(failuresOf(sell, 'available-balance')[0]).toMatchObject({ limit: '0.3', actual: '0.31' });
  });

  it('a fill moves the balance, and the filled part no longer commits', () => {
    const s = state();
    const inFlight = s.openOrders().find((o) => o.qty?.eq(dec('0.1')));
    s.applyExecutionEvent(
      fill({ clientOrderId: inFlight!.clientOrderId, side: 'BUY', qty: '0.1', price: '49000', venueTime: T0 }),
    );
    // Paid 4900 instead of the 5000 it held: 100 more is free.
    expect(s.available('USDT').toString()).toBe('5100');
    expect(s.available('BTC').toString()).toBe('0.4');
  });

  it('refuses everything until a balance snapshot arrives', () => {
    const s = new RiskState({ venue: VENUE });
    s.applyQuote(quote('BTC/USDT', '49990', '50010'));
    expect(failuresOf(gate(s).onIntent(intent()), 'available-balance')[0]?.message).toBe(
      'no balance snapshot has been received yet',
    );
  });
});

describe('max-open-orders', () => {
  it('counts open and in-flight orders per strategy and for the account', () => {
    const state = freshState();
    state.recordAccepted(orderRequest());
    state.recordAccepted(orderRequest({ strategyId: 'beta' }));
    const config = limits({ defaults: { maxOpenOrders: 2 }, global: { maxOpenOrders: 3 } });
    const g = gate(state, config);
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted'); // alpha 2, account 3
    const r = g.onIntent(intent());
    expect(failuresOf(r, 'max-open-orders')[0]).toMatchObject({ limit: '2', actual: '3' });
    expect(failuresOf(r, 'max-open-orders-global')[0]).toMatchObject({ limit: '3', actual: '4' });
  });
});

describe('order-rate and rejection-cooldown (injected clock)', () => {
  it('allows maxOrders per sliding window and frees up as it slides', () => {
    const clock = new ManualClock();
    const g = gate(freshState(), limits({ defaults: { orderRate: { maxOrders: 2, windowMs: 1_000 } } }), clock);
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
    clock.advance(500);
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
    clock.advance(499);
    expect(failuresOf(g.onIntent(intent()), 'order-rate')).toEqual([
      {
        rule: 'order-rate',
        message: 'alpha would send 3 orders in 1000 ms; the maximum is 2',
        limit: '2',
        actual: '3',
      },
    ]);
    expect(g.onIntent(intent({ strategyId: 'beta' })).decision.outcome).toBe('accepted'); // per strategy
    clock.advance(1); // the first order leaves the window
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });

  it('cools a strategy down after repeated rejections, until the cooldown expires', () => {
    const clock = new ManualClock();
    const config = limits({
      defaults: { maxQuoteAgeMs: 60_000, rejectionCooldown: { afterRejections: 3, cooldownMs: 10_000 } },
    });
    const g = gate(freshState(), config, clock);
    const bad = () => intent({ qty: '0.000001' }); // rounds to zero: rejected
    for (let i = 0; i < 3; i++) {
      expect(failedRules(g.onIntent(bad()))).not.toContain('rejection-cooldown');
      clock.advance(100);
    }
    const cooled = g.onIntent(intent());
    expect(failuresOf(cooled, 'rejection-cooldown')).toEqual([
      {
        rule: 'rejection-cooldown',
        message: `alpha is cooling down after 3 rejections in a row, until ${new Date(T0 + 200 + 10_000).toISOString()}`,
        limit: '3',
        actual: '3',
      },
    ]);
    expect(g.onIntent(intent({ strategyId: 'beta' })).decision.outcome).toBe('accepted');
    clock.ms = T0 + 200 + 9_999;
    expect(failedRules(g.onIntent(intent()))).toEqual(['rejection-cooldown']); // does not extend it
    clock.ms = T0 + 200 + 10_000;
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });

  it('an acceptance ends the streak', () => {
    const config = limits({ defaults: { rejectionCooldown: { afterRejections: 2, cooldownMs: 10_000 } } });
    const g = gate(freshState(), config);
    g.onIntent(intent({ qty: '0.000001' }));
    g.onIntent(intent());
    g.onIntent(intent({ qty: '0.000001' }));
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
  });
});

describe('price-band', () => {
  const config = limits({ defaults: { priceBandBps: '100' } });
  it('passes at the band and rejects a fat finger with the distance in bps', () => {
    const state = freshState(); // mid 50000
    expect(gate(state, config).onIntent(intent({ price: '50500' })).decision.outcome).toBe('accepted');
    const r = gate(state, config).onIntent(intent({ price: '50500.01' }));
    expect(failuresOf(r, 'price-band')).toEqual([
      {
        rule: 'price-band',
        message: 'price 50500.01 is 100.01 bps from the mid 50000; the band is 100 bps',
        limit: '100',
        actual: '100.01',
      },
    ]);
    const low = gate(state, config).onIntent(intent({ side: 'SELL', price: '45000' }));
    expect(failuresOf(low, 'price-band')[0]?.actual).toBe('1000');
  });
});

describe('stale-market-data', () => {
  it('passes a quote exactly maxQuoteAgeMs old and rejects an older one', () => {
    const state = freshState(); // BTC quote received at T0
    const g = gate(state, limits(), new ManualClock(T0 + 5_000));
    expect(g.onIntent(intent()).decision.outcome).toBe('accepted');
    const late = gate(state, limits(), new ManualClock(T0 + 5_001)).onIntent(intent());
    expect(failuresOf(late, 'stale-market-data')).toEqual([
      {
        rule: 'stale-market-data',
        message: 'the latest BTC/USDT quote is 5001 ms old; the maximum is 5000 ms',
        limit: '5000',
        actual: '5001',
      },
    ]);
  });

  it('rejects without any quote, and with an empty side', () => {
    const state = freshState();
    const none = new RiskState({ venue: VENUE });
    expect(failuresOf(gate(none).onIntent(intent()), 'stale-market-data')[0]?.message).toBe(
      'no quote has been received for BTC/USDT',
    );
    state.applyQuote(quote('BTC/USDT', '0', '50010', T0));
    expect(failuresOf(gate(state).onIntent(intent()), 'stale-market-data')[0]?.message).toMatch(/empty side/);
  });
});

describe('trading-session (UTC)', () => {
  const overnight = { days: ['FRI' as const], start: '22:00', end: '02:00' };
  const at = (d: number, h: number, m = 0) => Date.UTC(2024, 2, d, h, m); // March 2024: the 15th is a Friday

  it('a window across midnight belongs to the day it starts on; end is exclusive', () => {
    expect(inWindow(overnight, at(15, 22))).toBe(true); // Fri 22:00
    expect(inWindow(overnight, at(15, 23, 59))).toBe(true);
    expect(inWindow(overnight, at(16, 1, 59))).toBe(true); // Sat 01:59, Friday's session
    expect(inWindow(overnight, at(16, 2))).toBe(false); // Sat 02:00
    expect(inWindow(overnight, at(15, 1))).toBe(false); // Fri 01:00 belongs to Thursday
    expect(inWindow(overnight, at(15, 21, 59))).toBe(false);
    expect(inWindow({ start: '09:00', end: '17:00' }, at(17, 9))).toBe(true); // every day
    expect(inWindow({ start: '09:00', end: '17:00' }, at(17, 17))).toBe(false);
  });

  it('rejects outside every session and passes inside one', () => {
    const config = limits({ defaults: { sessions: [overnight] } });
    const outside = gate(freshState(), config, new ManualClock(at(15, 12))).onIntent(intent());
    expect(failuresOf(outside, 'trading-session')).toEqual([
      {
        rule: 'trading-session',
        message: 'BTC/USDT is outside its trading sessions at 2024-03-15T12:00:00.000Z (UTC sessions: FRI 22:00-02:00)',
      },
    ]);
    const state = freshState();
    state.applyQuote(quote('BTC/USDT', '49990', '50010', at(16, 1)));
    expect(gate(state, config, new ManualClock(at(16, 1))).onIntent(intent()).decision.outcome).toBe('accepted');
    const never = gate(freshState(), limits({ defaults: { sessions: [] } })).onIntent(intent());
    expect(failedRules(never)).toEqual(['trading-session']);
  });
});
