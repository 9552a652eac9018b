import { withTransaction } from '@bourse/store';
import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { OUTBOX_STATES, listUnresolvedOutbox, loadOutbox, type OutboxState } from '@bourse/ledger';
import { insertOutbox, markOutbox } from './outbox.js';
import { T0, orderManagerDatabase, orderRequest, sqlStateOfFailure } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function failureCode(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.catch((e: unknown) => e);
  if (!isOrderStoreError(err)) throw new Error(`expected an OrderStoreError, got ${String(err)}`);
  return err.code;
}

describe('insertOutbox', () => {
  it('journals a request as pending, and a redelivery of the same request is a no-op', async () => {
    const request = orderRequest('ob-once');
    expect(await insertOutbox(db.pool, request, T0)).toBe(true);
    expect(await insertOutbox(db.pool, request, T0 + 50)).toBe(false);
    const entry = await loadOutbox(db.pool, 'ob-once');
    expect(entry).toEqual({
      clientOrderId: 'ob-once',
      request,
      state: 'pending',
      attempts: 0,
      lastError: undefined,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('refuses a reused client order id with a different request', async () => {
    await insertOutbox(db.pool, orderRequest('ob-reused'), T0);
    const code = await failureCode(insertOutbox(db.pool, orderRequest('ob-reused', { qty: '0.6' }), T0));
    expect(code).toBe(OrderStoreErrorCode.OUTBOX_CONFLICT);
    expect((await loadOutbox(db.pool, 'ob-reused'))?.request.qty).toBe('0.5');
  });

  it('refuses a malformed request before writing, naming the field', async () => {
    const bad = { ...orderRequest('ob-bad'), price: '1e5' };
    const err: unknown = await insertOutbox(db.pool, bad, T0).catch((e: unknown) => e);
    expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE)).toBe(true);
    expect((err as Error).message).toMatch(/price/);
    expect(await loadOutbox(db.pool, 'ob-bad')).toBeUndefined();
  });

  it('has the database refuse a row whose key and request disagree', async () => {
    const state = await sqlStateOfFailure(
      db.pool.query(
        `INSERT INTO outbox (client_order_id, request, state, created_at, updated_at) VALUES ('ob-x', $1, 'pending', now(), now())`,
        [JSON.stringify(orderRequest('ob-y'))],
      ),
    );
    expect(state).toBe('23514');
  });
});

describe('markOutbox', () => {
  it('follows pending → submitting → unknown → submitting → sent, counting attempts', async () => {
    await insertOutbox(db.pool, orderRequest('ob-flow'), T0);
    expect(await markOutbox(db.pool, 'ob-flow', 'submitting', { at: T0 + 1 })).toMatchObject({
      state: 'submitting',
      attempts: 1,
    });
    const unknown = await markOutbox(db.pool, 'ob-flow', 'unknown', { at: T0 + 2, error: 'timeout after 5000 ms' });
    expect(unknown).toMatchObject({ state: 'unknown', attempts: 1, lastError: 'timeout after 5000 ms' });
    await markOutbox(db.pool, 'ob-flow', 'submitting', { at: T0 + 3 });
    const sent = await markOutbox(db.pool, 'ob-flow', 'sent', { at: T0 + 4 });
    expect(sent).toMatchObject({ state: 'sent', attempts: 2, lastError: 'timeout after 5000 ms', updatedAt: T0 + 4 });
  });

  it('refuses a move the state machine does not have, and leaves the row alone', async () => {
    await insertOutbox(db.pool, orderRequest('ob-final'), T0);
    await markOutbox(db.pool, 'ob-final', 'submitting', { at: T0 + 1 });
    await markOutbox(db.pool, 'ob-final', 'sent', { at: T0 + 2 });
    expect(await failureCode(markOutbox(db.pool, 'ob-final', 'submitting', { at: T0 + 3 }))).toBe(
      OrderStoreErrorCode.OUTBOX_TRANSITION,
    );
    expect(await failureCode(markOutbox(db.pool, 'ob-missing', 'submitting', { at: T0 }))).toBe(
      OrderStoreErrorCode.OUTBOX_NOT_FOUND,
    );
    expect(await loadOutbox(db.pool, 'ob-final')).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('never moves updated_at backwards when the clock steps back', async () => {
    await insertOutbox(db.pool, orderRequest('ob-clock'), T0 + 100);
    const entry = await markOutbox(db.pool, 'ob-clock', 'failed', { at: T0 + 10, error: 'refused' });
    expect(entry.updatedAt).toBe(T0 + 100);
  });
});

describe('listUnresolvedOutbox', () => {
  it('returns exactly the pending, submitting and unknown entries, oldest first, via the partial index', async () => {
    // Start from an empty journal: the tests above left entries in it.
    await db.pool.query(`DELETE FROM outbox`);
    const paths: Record<OutboxState, OutboxState[]> = {
      pending: [],
      submitting: ['submitting'],
      unknown: ['submitting', 'unknown'],
      sent: ['submitting', 'sent'],
      resolved: ['submitting', 'unknown', 'resolved'],
      failed: ['failed'],
    };
    for (const [index, state] of OUTBOX_STATES.entries()) {
      const id = `rec-${state}`;
      await insertOutbox(db.pool, orderRequest(id), T0 + 10 - index);
      for (const step of paths[state]) await markOutbox(db.pool, id, step, { at: T0 + 20 });
    }
    const unresolved = await listUnresolvedOutbox(db.pool);
    expect(unresolved.map((e) => [e.clientOrderId, e.state])).toEqual([
      ['rec-unknown', 'unknown'],
      ['rec-submitting', 'submitting'],
      ['rec-pending', 'pending'],
    ]);

    const plan = await withTransaction(db.pool, async (client) => {
      await client.query('SET LOCAL enable_seqscan = off');
      const explained = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT client_order_id FROM outbox WHERE state IN ('pending', 'submitting', 'unknown') ORDER BY created_at, client_order_id`,
      );
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('outbox_unresolved');
  });
});
