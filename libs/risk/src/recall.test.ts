import { RiskDecision } from '@bourse/contracts';
import { describe, expect, it } from 'vitest';
import { recallDecisions } from './recall.js';
import { RiskState } from './risk-state.js';
import { ManualClock, T0, VENUE, freshState, gate, intent, orderRequest, status } from './test-support.js';

const accepted = (intentId: string, clientOrderId: string): RiskDecision =>
  RiskDecision.parse({
    v: 1,
    intentId,
    strategyId: 'alpha',
    instrument: 'BTC/USDT',
    decidedAt: T0 - 5_000,
    outcome: 'accepted',
    clientOrderId,
  });
const rejected = (intentId: string): RiskDecision =>
  RiskDecision.parse({
    v: 1,
    intentId,
    strategyId: 'alpha',
    instrument: 'BTC/USDT',
    decidedAt: T0 - 5_000,
    outcome: 'rejected',
    failures: [{ rule: 'max-order-qty', message: 'too big', limit: '1', actual: '2' }],
  });

describe('recallDecisions', () => {
  it('joins requests and decisions by intent id, rebuilds a decision lost before RISK, keeps rejections', () => {
    const withDecision = orderRequest({ intentId: 'i-1' });
    const withoutDecision = orderRequest({ intentId: 'i-2' });
    const secondForSameIntent = orderRequest({ intentId: 'i-1' });
    const otherVenue = orderRequest({ intentId: 'i-4', venue: 'kraken' });
    const { recalled, unmatched } = recallDecisions(
      [accepted('i-1', withDecision.clientOrderId), rejected('i-3'), accepted('i-5', 'alpha:1:lost')],
      [withDecision, withoutDecision, secondForSameIntent, otherVenue],
      VENUE,
    );
    expect(unmatched).toBe(1);
    expect(recalled.map((r) => [r.decision.intentId, r.decision.outcome, r.orderRequest?.clientOrderId])).toEqual([
      ['i-1', 'accepted', withDecision.clientOrderId],
      ['i-2', 'accepted', withoutDecision.clientOrderId],
      ['i-3', 'rejected', undefined],
    ]);
    expect(recalled[1]?.decision).toMatchObject({
      clientOrderId: withoutDecision.clientOrderId,
      decidedAt: T0 - 5_000,
    });
  });

  it('answers a redelivered intent from memory without putting the recalled order in flight', () => {
    const request = orderRequest({ intentId: 'i-9' });
    const state = freshState();
    for (const r of recallDecisions([], [request], VENUE).recalled) state.rememberDecision(r);
    const core = gate(state);
    const result = core.onIntent(intent({ id: 'i-9' }));
    expect(result.redelivered).toBe(true);
    expect(result.orderRequest?.clientOrderId).toBe(request.clientOrderId);
    expect(state.openOrders()).toEqual([]);
    // A recalled rejection does not count towards the cooldown streak.
    const rebuilt = RiskState.rebuild({ recalled: [{ decision: rejected('i-10') }] }, { venue: VENUE });
    expect(rebuilt.decisionFor('i-10')?.decision.outcome).toBe('rejected');
    expect(rebuilt.rejectionStreak('alpha')).toEqual([]);
  });
});

describe('in-flight expiry', () => {
  it('lists in-flight orders past the bound, expires one, and leaves orders with events alone', () => {
    const clock = new ManualClock();
    const state = freshState();
    const old = orderRequest({ createdAt: T0 - 400_000 });
    const young = orderRequest({ createdAt: T0 - 1_000 });
    const heard = orderRequest({ createdAt: T0 - 400_000 });
    for (const o of [old, young, heard]) state.recordAccepted(o);
    state.applyExecutionEvent(status(heard.clientOrderId, 'new'));
    const core = gate(state, undefined, clock);
    expect(core.inFlightOlderThan(300_000).map((o) => o.clientOrderId)).toEqual([old.clientOrderId]);
    const before = state.committed('USDT');
    expect(core.expireInFlight(old.clientOrderId)).toBe(true);
    expect(core.expireInFlight(old.clientOrderId)).toBe(false);
    expect(core.expireInFlight(heard.clientOrderId)).toBe(false);
    expect(
      state
        .openOrders()
        .map((o) => o.clientOrderId)
        .sort(),
    ).toEqual([young.clientOrderId, heard.clientOrderId].sort());
    expect(before.minus(state.committed('USDT')).toString()).toBe('5000');
    expect(core.inFlightOlderThan(300_000)).toEqual([]);
  });
});
