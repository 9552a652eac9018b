import { describe, it, expect } from 'vitest';
import { OrderStatus } from '@bourse/contracts';
import { InvalidStateTransition } from './errors.js';
import { ORDER_EVENT_TYPES, ORDER_TRANSITIONS, isLive, isTerminal, transition } from './order-state.js';

describe('ORDER_TRANSITIONS', () => {
  it('has a row for every status', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...OrderStatus.options].sort());
  });

  it('lets terminal states map only to themselves', () => {
    for (const status of OrderStatus.options.filter(isTerminal)) {
      for (const next of Object.values(ORDER_TRANSITIONS[status])) expect(next, status).toBe(status);
    }
    expect(isLive('unknown')).toBe(true);
    expect(isTerminal('expired')).toBe(true);
  });

  it('never reaches pending-new again, and reaches unknown only from pending-new or unknown', () => {
    for (const [from, row] of Object.entries(ORDER_TRANSITIONS)) {
      for (const next of Object.values(row)) {
        expect(next).not.toBe('pending-new');
        if (next === 'unknown') expect(['pending-new', 'unknown']).toContain(from);
      }
    }
  });
});

describe('transition', () => {
  it('follows the table', () => {
    expect(transition('pending-new', 'accepted')).toEqual({ ok: true, value: 'new' });
    expect(transition('pending-new', 'filled')).toEqual({ ok: true, value: 'filled' });
    expect(transition('pending-new', 'submit-timeout')).toEqual({ ok: true, value: 'unknown' });
    expect(transition('unknown', 'rejected')).toEqual({ ok: true, value: 'rejected' });
    expect(transition('pending-cancel', 'partially-filled')).toEqual({ ok: true, value: 'pending-cancel' });
    expect(transition('canceled', 'filled')).toEqual({ ok: true, value: 'canceled' });
  });

  it('reports every unlisted pair as InvalidStateTransition', () => {
    let illegal = 0;
    for (const from of OrderStatus.options) {
      for (const event of ORDER_EVENT_TYPES) {
        const r = transition(from, event, 'c1');
        const listed = ORDER_TRANSITIONS[from][event];
        if (listed === undefined) {
          illegal++;
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.error).toBeInstanceOf(InvalidStateTransition);
            expect(r.error).toMatchObject({ from, event, code: 'INVALID_STATE_TRANSITION', clientOrderId: 'c1' });
          }
        } else expect(r).toEqual({ ok: true, value: listed });
      }
    }
    expect(illegal).toBeGreaterThan(50);
    expect(transition('rejected', 'filled').ok).toBe(false);
    expect(transition('new', 'rejected').ok).toBe(false);
    expect(transition('bogus' as OrderStatus, 'accepted').ok).toBe(false);
    expect(transition('new', 'toString' as 'accepted').ok).toBe(false);
  });
});
