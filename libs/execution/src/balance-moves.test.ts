import { describe, expect, it } from 'vitest';
import { dec } from '@bourse/domain';
import { balanceMovesOfFill, moveBalance } from './balance-moves.js';
import { T0, fill } from './testing.js';

const moves = (f: Parameters<typeof balanceMovesOfFill>[0]) =>
  balanceMovesOfFill(f).map((m) => [m.asset, m.delta.toString()]);

describe('balanceMovesOfFill', () => {
  it('a BUY receives base and pays quote; the fee leaves its asset', () => {
    expect(moves(fill('a', '1', '0.4', '100.5', T0, { fee: '0.0004', feeAsset: 'BTC' }))).toEqual([
      ['BTC', '0.3996'],
      ['USDT', '-40.2'],
    ]);
  });

  it('a SELL pays base and receives quote; a fee in a third asset, and a rebate, move that asset', () => {
    expect(moves(fill('a', '1', '0.4', '100', T0, { side: 'SELL', fee: '0.01', feeAsset: 'BNB' }))).toEqual([
      ['BTC', '-0.4'],
      ['USDT', '40'],
      ['BNB', '-0.01'],
    ]);
    expect(moves(fill('a', '1', '1', '100', T0, { fee: '-0.02', feeAsset: 'USDT' }))).toEqual([
      ['BTC', '1'],
      ['USDT', '-99.98'],
    ]);
  });
});

describe('moveBalance', () => {
  const b = (free: string, locked: string) => ({ free: dec(free), locked: dec(locked) });
  const show = (r: ReturnType<typeof moveBalance>) => [r.free.toString(), r.locked.toString(), r.shortfall.toString()];

  it('credits and debits free; what free cannot cover comes from locked', () => {
    expect(show(moveBalance(b('10', '5'), dec('2.5')))).toEqual(['12.5', '5', '0']);
    expect(show(moveBalance(b('10', '5'), dec('-4')))).toEqual(['6', '5', '0']);
    expect(show(moveBalance(b('1', '5'), dec('-4')))).toEqual(['0', '2', '0']);
  });

  it('reports a shortfall instead of going below zero', () => {
    expect(show(moveBalance(b('1', '1'), dec('-3')))).toEqual(['0', '0', '1']);
  });
});
