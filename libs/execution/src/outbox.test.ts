import { describe, it, expect } from 'vitest';
import { ClientOrderId, InstrumentSymbol, VenueOrderId } from '@bourse/contracts';
import type { VenueOrder } from '@bourse/venues';
import { isOrderManagerError } from './errors.js';
import {
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  isOutboxFinal,
  nextOutboxState,
  recoveryStep,
  resolveUnknown,
  safeHorizonMs,
  type OutboxEntry,
  type OutboxEvent,
} from './outbox.js';
import { T0, request } from './testing.js';

const POLICY = { safeHorizonMs: safeHorizonMs(5_000, 5_000), maxSubmissions: 2 };

function entry(changes: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    clientOrderId: 'c-1',
    request: request('c-1'),
    state: 'unknown',
    attempts: 1,
    lastError: 'VENUE_TIMEOUT',
    createdAt: T0,
    updatedAt: T0 + 100,
    ...changes,
  };
}

function venueOrder(changes: Partial<VenueOrder> = {}): VenueOrder {
  return {
    symbol: InstrumentSymbol.parse('BTC/USDT'),
    clientOrderId: ClientOrderId.parse('c-1'),
    venueOrderId: VenueOrderId.parse('42'),
    side: 'BUY',
    style: 'limit',
    timeInForce: 'GTC',
    status: 'new',
    venueStatus: 'NEW',
    price: '100',
    stopPrice: undefined,
    quantity: '1',
    cumulativeQuantity: '0',
    cumulativeQuote: '0',
    createdAt: T0 + 50,
    updatedAt: T0 + 50,
    ...changes,
  };
}

describe('outbox state machine', () => {
  it('follows pending → submitting → sent | unknown → resolved | failed', () => {
    expect(nextOutboxState('pending', 'submit')).toBe('submitting');
    expect(nextOutboxState('submitting', 'acknowledged')).toBe('sent');
    expect(nextOutboxState('submitting', 'outcome-unknown')).toBe('unknown');
    expect(nextOutboxState('submitting', 'rejected')).toBe('failed');
    expect(nextOutboxState('unknown', 'found')).toBe('resolved');
    expect(nextOutboxState('unknown', 'submit')).toBe('submitting');
    expect(nextOutboxState('unknown', 'abandoned')).toBe('failed');
    expect(nextOutboxState('pending', 'rejected')).toBe('failed');
  });

  it.each<[OutboxEntry['state'], OutboxEvent]>([
    ['pending', 'acknowledged'],
    ['pending', 'found'],
    ['submitting', 'submit'],
    ['sent', 'submit'],
    ['resolved', 'submit'],
    ['failed', 'submit'],
    ['unknown', 'acknowledged'],
  ])('refuses %s on %s with a typed error', (state, event) => {
    let caught: unknown;
    try {
      nextOutboxState(state, event, 'c-9');
    } catch (error) {
      caught = error;
    }
    expect(isOrderManagerError(caught, 'OMS_OUTBOX_TRANSITION')).toBe(true);
    expect((caught as Error).message).toContain('c-9');
  });

  it('final states take no event at all', () => {
    for (const state of OUTBOX_STATES.filter(isOutboxFinal)) {
      expect(Object.keys(OUTBOX_TRANSITIONS[state])).toEqual([]);
    }
    expect(OUTBOX_STATES.filter(isOutboxFinal)).toEqual(['sent', 'resolved', 'failed']);
  });

  // That these are exactly the moves the order manager's outbox table allows is checked beside the
  // store, in services/order-manager/src/shell/outbox-states.test.ts (a library cannot import a service).

  it('plans restart recovery by state', () => {
    expect(recoveryStep({ state: 'pending' })).toBe('submit');
    expect(recoveryStep({ state: 'submitting' })).toBe('mark-unknown-then-query');
    expect(recoveryStep({ state: 'unknown' })).toBe('query');
    expect(recoveryStep({ state: 'sent' })).toBe('none');
  });
});

describe('resolveUnknown', () => {
  it('adopts the venue state when the query finds the order', () => {
    const found = venueOrder({ status: 'partially-filled', cumulativeQuantity: '0.4', cumulativeQuote: '40' });
    expect(resolveUnknown(entry(), found, T0 + 200, POLICY)).toEqual({
      action: 'adopt',
      next: 'resolved',
      venueOrder: found,
    });
  });

  it('reports a conflict when the venue order under our id is another order', () => {
    const other = venueOrder({ side: 'SELL' });
    const decision = resolveUnknown(entry(), other, T0 + 200, POLICY);
    expect(decision.action).toBe('conflict');
    expect(decision.action === 'conflict' && decision.reason).toContain('side SELL');
  });

  it('queries again while a send may still arrive at the venue', () => {
    const decision = resolveUnknown(entry(), undefined, T0 + 100 + 9_999, POLICY);
    expect(decision).toMatchObject({ action: 'query-again', notBefore: T0 + 100 + 10_000 });
  });

  it('resends the same request once the horizon has passed', () => {
    const e = entry();
    const decision = resolveUnknown(e, undefined, T0 + 100 + 10_000, POLICY);
    expect(decision).toEqual({ action: 'resubmit', next: 'submitting', request: e.request });
    expect(decision.action === 'resubmit' && decision.request.clientOrderId).toBe('c-1');
  });

  it('abandons after the one resend', () => {
    const decision = resolveUnknown(entry({ attempts: 2 }), undefined, T0 + 60_000, POLICY);
    expect(decision).toMatchObject({ action: 'abandon', next: 'failed' });
    expect(decision.action === 'abandon' && decision.reason).toContain('2 submission(s)');
  });

  it('abandons rather than send an expired request late', () => {
    const e = entry({ request: request('c-1', { expiresAt: T0 + 5_000 }) });
    const decision = resolveUnknown(e, undefined, T0 + 20_000, POLICY);
    expect(decision).toMatchObject({ action: 'abandon', next: 'failed' });
    expect(decision.action === 'abandon' && decision.reason).toContain('expired');
  });

  it('refuses an entry that is not unknown', () => {
    expect(() => resolveUnknown(entry({ state: 'sent' }), undefined, T0, POLICY)).toThrow(/is sent, not unknown/);
  });
});
