import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { listTacticChildren, recordChildCancel, recordTacticChild } from './tactic-children.js';
import { finishTactic, insertTactic, listActiveTactics, loadTactic, tacticExists } from './tactics.js';
import { T0, orderManagerDatabase, orderRequest, sqlStateOfFailure } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db.drop();
});

const CHASE = { limitWindowMs: 10_000, marketFallback: true, maxSlippageBps: '20' };

function parent(id: string) {
  return orderRequest(id, { constraints: CHASE });
}

async function failureCode(promise: Promise<unknown>): Promise<string> {
  const err: unknown = await promise.catch((e: unknown) => e);
  if (!isOrderStoreError(err)) throw new Error(`expected an OrderStoreError, got ${String(err)}`);
  return err.code;
}

async function nextSeq(id: string): Promise<number | undefined> {
  return (await loadTactic(db.pool, id))?.nextChildSeq;
}

describe('insertTactic', () => {
  it('stores an active chase once; a redelivery of the same parent is a no-op', async () => {
    const p = parent('tc-once');
    expect(await insertTactic(db.pool, p, T0)).toBe(true);
    expect(await insertTactic(db.pool, p, T0 + 50)).toBe(false);
    expect(await loadTactic(db.pool, 'tc-once')).toEqual({
      parentClientOrderId: 'tc-once',
      kind: 'limit-chase',
      parent: p,
      startedAt: T0,
      arrivalMid: undefined,
      nextChildSeq: 1,
      status: 'active',
      outcome: undefined,
      reason: undefined,
      finishedAt: undefined,
      updatedAt: T0,
      children: [],
    });
    expect(await tacticExists(db.pool, 'tc-once')).toBe(true);
    expect(await tacticExists(db.pool, 'tc-never')).toBe(false);
  });

  it('refuses the same parent id with another request', async () => {
    await insertTactic(db.pool, parent('tc-conflict'), T0);
    const code = await failureCode(insertTactic(db.pool, orderRequest('tc-conflict', { qty: '0.7' }), T0));
    expect(code).toBe(OrderStoreErrorCode.TACTIC_CONFLICT);
    expect((await loadTactic(db.pool, 'tc-conflict'))?.parent.qty).toBe('0.5');
  });

  it('has the database refuse a row whose key and parent disagree', async () => {
    const state = await sqlStateOfFailure(
      db.pool.query(
        `INSERT INTO tactics (parent_client_order_id, kind, parent, started_at, next_child_seq, status, updated_at)
         VALUES ('tc-x', 'limit-chase', $1, now(), 1, 'active', now())`,
        [JSON.stringify(parent('tc-y'))],
      ),
    );
    expect(state).toBe('23514');
  });
});

describe('recordTacticChild', () => {
  it('records children in order, moving the counter past each one, with the arrival mid on the first', async () => {
    await insertTactic(db.pool, parent('tc-kids'), T0);
    expect(
      await recordTacticChild(
        db.pool,
        'tc-kids',
        { clientOrderId: 'tc-kids', role: 'first', seq: undefined, placedAt: T0 + 1, arrivalMid: '60000.05' },
        T0 + 1,
      ),
    ).toBe(true);
    const r1 = { clientOrderId: 'c-kids-1', role: 'replacement' as const, seq: 1, placedAt: T0 + 2 };
    expect(await recordTacticChild(db.pool, 'tc-kids', r1, T0 + 2)).toBe(true);
    expect(await nextSeq('tc-kids')).toBe(2);
    // A counter may skip (a child made but never recorded), never go back.
    const fb = { clientOrderId: 'c-kids-3', role: 'fallback' as const, seq: 3, placedAt: T0 + 3 };
    expect(await recordTacticChild(db.pool, 'tc-kids', fb, T0 + 3)).toBe(true);
    const stored = await loadTactic(db.pool, 'tc-kids');
    expect(stored).toMatchObject({ arrivalMid: '60000.05', nextChildSeq: 4, updatedAt: T0 + 3 });
    expect(stored?.children).toEqual([
      { clientOrderId: 'tc-kids', role: 'first', seq: undefined, placedAt: T0 + 1, cancelReason: undefined },
      { clientOrderId: 'c-kids-1', role: 'replacement', seq: 1, placedAt: T0 + 2, cancelReason: undefined },
      { clientOrderId: 'c-kids-3', role: 'fallback', seq: 3, placedAt: T0 + 3, cancelReason: undefined },
    ]);
  });

  it('takes the first child again when it never reached the journal, with the new price time and mid', async () => {
    await insertTactic(db.pool, parent('tc-again'), T0);
    const first = { clientOrderId: 'tc-again', role: 'first' as const, seq: undefined, placedAt: T0 + 1 };
    expect(await recordTacticChild(db.pool, 'tc-again', { ...first, arrivalMid: '1.5' }, T0 + 1)).toBe(true);
    expect(
      await recordTacticChild(db.pool, 'tc-again', { ...first, placedAt: T0 + 9, arrivalMid: '1.6' }, T0 + 9),
    ).toBe(false);
    const stored = await loadTactic(db.pool, 'tc-again');
    expect(stored?.arrivalMid).toBe('1.6');
    expect(stored?.children.map((c) => c.placedAt)).toEqual([T0 + 9]);
  });

  it('refuses a counter that goes back and an id recorded before, writing nothing', async () => {
    await insertTactic(db.pool, parent('tc-reuse'), T0);
    await insertTactic(db.pool, parent('tc-other'), T0);
    await recordTacticChild(
      db.pool,
      'tc-reuse',
      { clientOrderId: 'c-reuse-1', role: 'replacement', seq: 1, placedAt: T0 },
      T0,
    );
    const again = { clientOrderId: 'c-reuse-1b', role: 'replacement' as const, seq: 1, placedAt: T0 + 1 };
    expect(await failureCode(recordTacticChild(db.pool, 'tc-reuse', again, T0 + 1))).toBe(
      OrderStoreErrorCode.TACTIC_CHILD_SEQ,
    );
    const sameId = { clientOrderId: 'c-reuse-1', role: 'replacement' as const, seq: 2, placedAt: T0 + 2 };
    expect(await failureCode(recordTacticChild(db.pool, 'tc-reuse', sameId, T0 + 2))).toBe(
      OrderStoreErrorCode.TACTIC_CHILD_REUSED,
    );
    // Another parent cannot take the id either, and its counter does not move for the refused child.
    expect(await failureCode(recordTacticChild(db.pool, 'tc-other', sameId, T0 + 2))).toBe(
      OrderStoreErrorCode.TACTIC_CHILD_REUSED,
    );
    expect(await nextSeq('tc-reuse')).toBe(2);
    expect(await nextSeq('tc-other')).toBe(1);
    expect((await loadTactic(db.pool, 'tc-reuse'))?.children.map((c) => c.clientOrderId)).toEqual(['c-reuse-1']);
  });

  it('refuses children of a chase that is done or was never stored, and malformed children', async () => {
    await insertTactic(db.pool, parent('tc-closed'), T0);
    await finishTactic(db.pool, 'tc-closed', { outcome: 'stopped', reason: 'aborted: test', at: T0 + 1 });
    const child = { clientOrderId: 'c-closed-1', role: 'replacement' as const, seq: 1, placedAt: T0 + 2 };
    expect(await failureCode(recordTacticChild(db.pool, 'tc-closed', child, T0 + 2))).toBe(
      OrderStoreErrorCode.TACTIC_NOT_ACTIVE,
    );
    expect(await failureCode(recordTacticChild(db.pool, 'tc-missing', child, T0 + 2))).toBe(
      OrderStoreErrorCode.TACTIC_NOT_FOUND,
    );
    const malformed = [
      { ...child, seq: 0 },
      { ...child, seq: undefined },
      { ...child, role: 'first' as const },
      { ...child, clientOrderId: 'tc-closed', role: 'first' as const },
      { ...child, arrivalMid: '1e5' },
    ];
    for (const bad of malformed) {
      expect(await failureCode(recordTacticChild(db.pool, 'tc-closed', bad, T0 + 2))).toBe(
        OrderStoreErrorCode.INVALID_VALUE,
      );
    }
    const state = await sqlStateOfFailure(
      db.pool.query(
        `INSERT INTO tactic_children (client_order_id, parent_client_order_id, role, seq, placed_at)
         VALUES ('c-not-parent', 'tc-closed', 'first', NULL, now())`,
      ),
    );
    expect(state).toBe('23514');
  });
});

describe('recordChildCancel', () => {
  it('keeps why the chase canceled a child; an unknown child is refused', async () => {
    await insertTactic(db.pool, parent('tc-cancel'), T0);
    await recordTacticChild(
      db.pool,
      'tc-cancel',
      { clientOrderId: 'tc-cancel', role: 'first', seq: undefined, placedAt: T0, arrivalMid: '2' },
      T0,
    );
    await recordChildCancel(db.pool, 'tc-cancel', 'tc-cancel', 'replace', T0 + 5);
    const children = await listTacticChildren(db.pool, ['tc-cancel']);
    expect(children.get('tc-cancel')?.[0]?.cancelReason).toBe('replace');
    expect((await loadTactic(db.pool, 'tc-cancel'))?.updatedAt).toBe(T0 + 5);
    expect(await failureCode(recordChildCancel(db.pool, 'tc-cancel', 'c-nope', 'window-end', T0 + 6))).toBe(
      OrderStoreErrorCode.TACTIC_CHILD_NOT_FOUND,
    );
  });
});

describe('finishTactic and listActiveTactics', () => {
  it('marks a chase done once (the first outcome stays) and lists only active chases, oldest first', async () => {
    const fresh = await orderManagerDatabase();
    try {
      await insertTactic(fresh.pool, parent('tc-b'), T0 + 20);
      await insertTactic(fresh.pool, parent('tc-a'), T0 + 10);
      await insertTactic(fresh.pool, parent('tc-done'), T0);
      await recordTacticChild(
        fresh.pool,
        'tc-a',
        { clientOrderId: 'c-a-1', role: 'replacement', seq: 1, placedAt: T0 + 11 },
        T0 + 11,
      );
      expect(
        await finishTactic(fresh.pool, 'tc-done', { outcome: 'stopped', reason: 'aborted: cancel', at: T0 + 30 }),
      ).toBe(true);
      expect(
        await finishTactic(fresh.pool, 'tc-done', { outcome: 'filled', reason: 'parent quantity filled', at: T0 + 40 }),
      ).toBe(false);
      expect(await loadTactic(fresh.pool, 'tc-done')).toMatchObject({
        status: 'done',
        outcome: 'stopped',
        reason: 'aborted: cancel',
        finishedAt: T0 + 30,
      });
      const active = await listActiveTactics(fresh.pool);
      expect(active.map((t) => t.parentClientOrderId)).toEqual(['tc-a', 'tc-b']);
      expect(active[0]?.children.map((c) => c.clientOrderId)).toEqual(['c-a-1']);
      expect(await failureCode(finishTactic(fresh.pool, 'tc-none', { outcome: 'filled', reason: 'x', at: T0 }))).toBe(
        OrderStoreErrorCode.TACTIC_NOT_FOUND,
      );
      // The start-up read is covered by a partial index on active rows only.
      const index = await fresh.pool.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'tactics_active'`,
      );
      expect(index.rows[0]?.indexdef).toContain(`WHERE (status = 'active'::text)`);
    } finally {
      await fresh.drop();
    }
  });
});
