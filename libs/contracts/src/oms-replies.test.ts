import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.js';
import { BookTransferCommand, BookTransferReply } from './oms-replies.js';
import { violationPaths, withFields } from './test-support.js';

const deposit = {
  v: 1,
  command: 'book-transfer',
  requestedBy: 'alice',
  requestedAt: 1_700_000_000_000,
  asset: 'USDT',
  delta: '250',
  reason: 'deposit found at the venue',
};

describe('BookTransferCommand', () => {
  it('accepts a deposit and a withdrawal', () => {
    expect(decodeMessage('BookTransferCommand', BookTransferCommand, deposit)).toEqual(deposit);
    const withdrawal = { ...deposit, asset: 'BTC', delta: '-0.015' };
    expect(decodeMessage('BookTransferCommand', BookTransferCommand, withdrawal)).toEqual(withdrawal);
  });

  it.each([
    ['a zero delta', { delta: '0.000' }, ['delta']],
    ['a delta with an exponent', { delta: '2.5e2' }, ['delta']],
    ['a delta given as a number', { delta: 250 }, ['delta']],
    ['a lower-case asset', { asset: 'usdt' }, ['asset']],
    ['no reason', { reason: '' }, ['reason']],
    ['no requester', { requestedBy: undefined }, ['requestedBy']],
  ])('rejects %s', (_name, changes, paths) => {
    expect(violationPaths(BookTransferCommand, withFields(deposit, changes))).toEqual(paths);
  });
});

describe('BookTransferReply', () => {
  it('carries booked, duplicate and refused, and nothing else', () => {
    const base = { venue: 'binance', asset: 'USDT', delta: '250' };
    for (const result of [
      { ...base, outcome: 'booked', free: '10250' },
      { ...base, outcome: 'duplicate' },
      { ...base, outcome: 'refused', free: '10' },
    ])
      expect(BookTransferReply.safeParse({ v: 1, ok: true, result }).success).toBe(true);
    expect(violationPaths(BookTransferReply, { v: 1, ok: true, result: { ...base, outcome: 'lost' } })).toEqual([
      'result.outcome',
    ]);
  });
});
