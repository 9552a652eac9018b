import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { decodeMessage } from './decode.js';
import { OperatorCommand, OperatorCommandName, OperatorReply, operatorReplyOf } from './operator.js';
import { createSubjects } from './subjects.js';
import { violationPaths } from './test-support.js';

const who = { v: 1, requestedBy: 'alice', requestedAt: 1_700_000_000_000 };

const commands = [
  { ...who, command: 'kill', scope: { kind: 'global' }, cancelAll: true, reason: 'venue incident' },
  { ...who, command: 'resume', scope: { kind: 'strategy', strategyId: 'sma-cross' }, reason: 'fixed' },
  { ...who, command: 'cancel-all', scope: { kind: 'instrument', symbol: 'BTCUSDT' } },
  { ...who, command: 'cancel', clientOrderId: 'bsm-sma-cross-000001' },
  { ...who, command: 'status' },
  { ...who, command: 'recon-now' },
  { ...who, command: 'reload-limits', reason: 'new caps' },
];

describe('OperatorCommand', () => {
  it.each(commands)('accepts $command', (command) => {
    expect(decodeMessage('OperatorCommand', OperatorCommand, command)).toEqual(command);
  });

  it('covers every command name, each a valid subject token', () => {
    expect(commands.map((c) => c.command).sort()).toEqual([...OperatorCommandName.options].sort());
    const s = createSubjects('t_operator');
    for (const name of OperatorCommandName.options) {
      expect(s.command('order-manager', name)).toBe(`t_operator.cmd.order-manager.${name}`);
    }
  });

  it.each([
    ['a kill without cancelAll', { ...who, command: 'kill', scope: { kind: 'global' }, reason: 'x' }, ['cancelAll']],
    [
      'a kill without a reason',
      { ...who, command: 'kill', scope: { kind: 'global' }, cancelAll: false, reason: '' },
      ['reason'],
    ],
    [
      'a resume with a bad scope',
      { ...who, command: 'resume', scope: { kind: 'instrument', symbol: 'BTC USDT' }, reason: 'x' },
      ['scope.symbol'],
    ],
    [
      'a cancel with a bad client order id',
      { ...who, command: 'cancel', clientOrderId: 'x'.repeat(40) },
      ['clientOrderId'],
    ],
    ['an unknown command', { ...who, command: 'shutdown' }, ['command']],
    ['a missing requester', { v: 1, command: 'status', requestedAt: 1 }, ['requestedBy']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(OperatorCommand, value)).toEqual(paths);
  });
});

describe('OperatorReply', () => {
  it('accepts ok with any result and an error with a code', () => {
    const ok = { v: 1, ok: true, result: { canceled: 3 } };
    const error = { v: 1, ok: false, error: { code: 'NOT_FOUND', message: 'no order bsm-1' } };
    expect(decodeMessage('OperatorReply', OperatorReply, ok)).toEqual(ok);
    expect(decodeMessage('OperatorReply', OperatorReply, error)).toEqual(error);
  });

  it('checks the result when given its schema', () => {
    const CancelAllReply = operatorReplyOf(z.object({ canceled: z.number().int().nonnegative() }));
    expect(CancelAllReply.safeParse({ v: 1, ok: true, result: { canceled: 3 } }).success).toBe(true);
    expect(violationPaths(CancelAllReply, { v: 1, ok: true, result: { canceled: '3' } })).toEqual(['result.canceled']);
  });

  it.each([
    ['an error without a code', { v: 1, ok: false, error: { message: 'x' } }, ['error.code']],
    ['a lower-case error code', { v: 1, ok: false, error: { code: 'not found', message: 'x' } }, ['error.code']],
    ['ok given as a string', { v: 1, ok: 'true', result: 1 }, ['ok']],
  ])('rejects %s', (_name, value, paths) => {
    expect(violationPaths(OperatorReply, value)).toEqual(paths);
  });
});
