import { describe, it, expect } from 'vitest';
import { dec } from './decimal.js';
import { InsufficientBalanceError, InvalidArgumentError } from './errors.js';
import {
  applyFillToBalances,
  balanceOf,
  credit,
  debit,
  lock,
  settle,
  totalOf,
  unlock,
  type Balances,
} from './balances.js';

const show = (b: Balances) =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, `${v.free.toString()}/${v.locked.toString()}`]));

function must(r: ReturnType<typeof credit>): Balances {
  if (!r.ok) throw r.error;
  return r.value;
}

describe('balances', () => {
  it('credits, locks, unlocks, settles and debits exactly', () => {
    let b = must(credit({}, 'USDT', dec('100')));
    b = must(lock(b, 'USDT', dec('30.5')));
    expect(show(b)).toEqual({ USDT: '69.5/30.5' });
    b = must(unlock(b, 'USDT', dec('0.5')));
    b = must(settle(b, 'USDT', dec('30')));
    b = must(debit(b, 'USDT', dec('70')));
    expect(show(b)).toEqual({ USDT: '0/0' });
    expect(balanceOf(b, 'BTC').free.isZero()).toBe(true);
    expect(balanceOf(b, 'constructor').free.isZero()).toBe(true);
  });

  it('never goes below zero: a shortfall is a typed error and nothing changes', () => {
    const b = must(credit({}, 'USDT', dec('10')));
    const r = lock(b, 'USDT', dec('10.01'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(InsufficientBalanceError);
      expect(r.error).toMatchObject({ asset: 'USDT', bucket: 'free', requested: '10.01', available: '10' });
    }
    expect(settle(b, 'USDT', dec('1')).ok).toBe(false);
    expect(unlock(b, 'BTC', dec('1')).ok).toBe(false);
    const neg = credit(b, 'USDT', dec('-1'));
    expect(!neg.ok && neg.error).toBeInstanceOf(InvalidArgumentError);
    expect(show(b)).toEqual({ USDT: '10/0' });
  });

  it('books a resting buy fill with a base-asset fee, and a market sell with a BNB fee', () => {
    let b = must(credit({ BNB: { free: dec('1'), locked: dec('0') } }, 'USDT', dec('1000')));
    b = must(lock(b, 'USDT', dec('500')));
    const buy = { fillId: '1', strategyId: 's', instrument: 'BTC/USDT', side: 'BUY' as const, atMs: 1 };
    b = must(
      applyFillToBalances(
        b,
        { ...buy, qty: dec('0.01'), price: dec('50000'), fee: { asset: 'BTC', amount: dec('0.00001') } },
        { base: 'BTC', quote: 'USDT' },
        { fromLocked: true },
      ),
    );
    expect(show(b)).toEqual({ BNB: '1/0', USDT: '500/0', BTC: '0.00999/0' });
    b = must(
      applyFillToBalances(
        b,
        { ...buy, side: 'SELL', qty: dec('0.005'), price: dec('51000'), fee: { asset: 'BNB', amount: dec('0.001') } },
        { base: 'BTC', quote: 'USDT' },
        { fromLocked: false },
      ),
    );
    expect(show(b)).toEqual({ BNB: '0.999/0', USDT: '755/0', BTC: '0.00499/0' });
    expect(totalOf(b, 'USDT').toString()).toBe('755');
    const short = applyFillToBalances(
      b,
      { ...buy, side: 'SELL', qty: dec('1'), price: dec('1') },
      { base: 'BTC', quote: 'USDT' },
      { fromLocked: false },
    );
    expect(short.ok).toBe(false);
  });
});
