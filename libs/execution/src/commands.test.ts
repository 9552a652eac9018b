import { describe, it, expect } from 'vitest';
import { CancelCommandReply } from '@bourse/contracts';
import { planOperatorCommand, selectCancelTargets } from './commands.js';
import { OrderTracker } from './order-tracker.js';
import { T0, report, request } from './testing.js';

function book(): OrderTracker {
  const t = new OrderTracker();
  t.track(request('m-btc'), T0);
  t.track(request('m-eth', { instrument: 'ETH/USDT', venueSymbol: 'ETHUSDT' }), T0);
  t.track(request('r-btc', { strategyId: 'revert' }), T0);
  t.track(request('r-done', { strategyId: 'revert' }), T0);
  t.applyExecutionReport(report('r-done', 'filled', '1', '100', T0 + 1));
  t.track(request('m-canceling'), T0);
  t.applyLocal('m-canceling', { type: 'cancel-requested' }, T0 + 1);
  return t;
}

const ids = (targets: readonly { clientOrderId: string }[]) => targets.map((t) => t.clientOrderId);
const who = { v: 1, requestedBy: 'ops', requestedAt: T0 };

describe('selectCancelTargets', () => {
  it('selects the live orders of a scope and skips those already being canceled', () => {
    const t = book();
    const global = selectCancelTargets(t.all(), { kind: 'global' });
    expect(ids(global.targets)).toEqual(['m-btc', 'm-eth', 'r-btc']);
    expect(global.skipped).toEqual([
      { clientOrderId: 'm-canceling', status: 'pending-cancel', reason: 'cancel already requested' },
    ]);
    expect(ids(selectCancelTargets(t.all(), { kind: 'instrument', symbol: 'BTCUSDT' }).targets)).toEqual([
      'm-btc',
      'r-btc',
    ]);
    expect(ids(selectCancelTargets(t.all(), { kind: 'instrument', symbol: 'ETHUSDT' }).targets)).toEqual(['m-eth']);
    expect(ids(selectCancelTargets(t.all(), { kind: 'strategy', strategyId: 'revert' }).targets)).toEqual(['r-btc']);
  });
});

describe('planOperatorCommand', () => {
  it('plans cancel-all and replies with what was requested and skipped', () => {
    const plan = planOperatorCommand(
      { ...who, command: 'cancel-all', scope: { kind: 'strategy', strategyId: 'momo' } },
      book(),
    );
    expect(ids(plan.targets)).toEqual(['m-btc', 'm-eth']);
    const reply = CancelCommandReply.parse(plan.reply);
    expect(reply.ok && ids(reply.result.requested)).toEqual(['m-btc', 'm-eth']);
    expect(reply.ok && ids(reply.result.skipped)).toEqual(['m-canceling']);
  });

  it('plans a cancel of one live order', () => {
    const plan = planOperatorCommand({ ...who, command: 'cancel', clientOrderId: 'r-btc' }, book());
    expect(plan.targets).toEqual([
      {
        clientOrderId: 'r-btc',
        strategyId: 'revert',
        instrument: 'BTC/USDT',
        venueSymbol: 'BTCUSDT',
        status: 'pending-new',
      },
    ]);
  });

  it.each([
    ['an unknown order', { ...who, command: 'cancel', clientOrderId: 'nope' }, 'NOT_FOUND'],
    ['a filled order', { ...who, command: 'cancel', clientOrderId: 'r-done' }, 'NOT_LIVE'],
    ['a command another service serves', { ...who, command: 'recon-now' }, 'UNSUPPORTED_COMMAND'],
    ['a malformed command', { ...who, command: 'cancel-all', scope: { kind: 'planet' } }, 'CONTRACT_VIOLATION'],
  ])('replies with an error to %s', (_name, command, code) => {
    const plan = planOperatorCommand(command, book());
    expect(plan.targets).toEqual([]);
    expect(plan.reply).toMatchObject({ v: 1, ok: false, error: { code } });
  });
});
