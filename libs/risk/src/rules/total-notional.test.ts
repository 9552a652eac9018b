import { describe, expect, it } from 'vitest';
import { failuresOf, freshState, gate, intent, limits, seedPosition } from '../test-support.js';
import { LimitsConfigError } from '../errors.js';

// max-total-notional: a strategy's gross notional across its instruments (a unit's legs together),
// and max-total-notional-global: every strategy's, per quote asset; both with their numbers.

function pairHolding() {
  const state = freshState(); // mids: BTC/USDT 50000, ETH/USDT 3000
  seedPosition(state, 'alpha', 'BUY', '0.2', '50000'); // 10000 USDT
  seedPosition(state, 'alpha', 'SELL', '3', '3000', { instrument: 'ETH/USDT' }); // 9000 USDT (short)
  return state;
}

describe('max-total-notional', () => {
  it('refuses an order that takes the strategy past its total across instruments, with the numbers', () => {
    const g = gate(pairHolding(), limits({ strategies: { alpha: { maxTotalNotional: { USDT: '25000' } } } }));
    const r = g.onIntent(intent({ side: 'BUY', qty: '0.2', price: '50000' }));
    expect(r.decision.outcome).toBe('rejected');
    expect(failuresOf(r, 'max-total-notional')).toEqual([
      {
        rule: 'max-total-notional',
        message:
          'total notional of alpha across BTC/USDT, ETH/USDT would reach 29000.00 USDT (now 19000.00, open orders included); the maximum is 25000 USDT',
        limit: '25000',
        actual: '29000',
      },
    ]);
  });

  it('passes an order exactly at the limit, and one that shrinks the total even above it', () => {
    const atLimit = gate(pairHolding(), limits({ strategies: { alpha: { maxTotalNotional: { USDT: '25000' } } } }));
    expect(atLimit.onIntent(intent({ side: 'BUY', qty: '0.12', price: '50000' })).decision.outcome).toBe('accepted');
    const lowered = gate(pairHolding(), limits({ strategies: { alpha: { maxTotalNotional: { USDT: '1000' } } } }));
    const closing = lowered.onIntent(
      intent({ instrument: 'ETH/USDT', side: 'BUY', qty: '1', price: '3000', reduceOnly: true }),
    );
    expect(failuresOf(closing, 'max-total-notional')).toEqual([]);
  });

  it('counts another strategy only in the global total, net per instrument', () => {
    const netted = () => {
      const state = pairHolding();
      seedPosition(state, 'beta', 'BUY', '3', '3000', { instrument: 'ETH/USDT' }); // nets alpha's short out
      return state;
    };
    const loose = gate(netted(), limits({ global: { maxTotalNotional: { USDT: '20000' } } }));
    // Net: BTC 0.4 × 50000 = 20000, ETH 0: at the limit.
    expect(failuresOf(loose.onIntent(intent({ side: 'BUY', qty: '0.2' })), 'max-total-notional-global')).toEqual([]);
    const tight = gate(netted(), limits({ global: { maxTotalNotional: { USDT: '15000' } } }));
    const r = tight.onIntent(intent({ side: 'BUY', qty: '0.2' }));
    expect(failuresOf(r, 'max-total-notional-global')).toEqual([
      {
        rule: 'max-total-notional-global',
        message:
          'total notional of all strategies across BTC/USDT, ETH/USDT would reach 20000.00 USDT (now 10000.00, open orders included); the maximum is 15000 USDT',
        limit: '15000',
        actual: '20000',
      },
    ]);
  });

  it('is a per-asset map in the limits file: a bare number is refused with its path', () => {
    expect(() => limits({ strategies: { alpha: { maxTotalNotional: { USDT: 25000 } } } })).toThrow(LimitsConfigError);
    expect(() => limits({ strategies: { alpha: { maxTotalNotional: { USDT: 25000 } } } })).toThrow(
      /strategies\.alpha\.maxTotalNotional\.USDT/,
    );
  });
});
