import { describe, it, expect } from 'vitest';
import { OUTBOX_STATES, OUTBOX_TRANSITIONS } from '@bourse/execution';
import { OUTBOX_STATES as STORE_STATES, OUTBOX_TRANSITIONS as STORE_TRANSITIONS } from '../store/index.js';

// The execution core's outbox state machine and the store's outbox table must agree: the core moves
// an entry only where the table's check lets it. Kept here, beside the store, since the core lives in
// @bourse/execution and a library does not import a service.

describe('outbox state machine', () => {
  it('allows exactly the moves the store enforces', () => {
    expect([...OUTBOX_STATES]).toEqual([...STORE_STATES]);
    for (const state of OUTBOX_STATES) {
      const ours = [...new Set(Object.values(OUTBOX_TRANSITIONS[state]))].sort();
      expect(ours, state).toEqual([...STORE_TRANSITIONS[state]].sort());
    }
  });
});
