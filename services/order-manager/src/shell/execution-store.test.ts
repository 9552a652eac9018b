// The order row never runs ahead of what a batch commits. The tracker applies a venue execution in
// memory at once while its batch waits behind earlier ones; a row written from that view would show
// a fill whose fill row is not stored yet, and a kill -9 in between would lose the fill while a
// restart trusts the row (a chase then counted 0.004 filled that no fill, position or balance had).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@bourse/store/testing';
import { OrderTracker } from '@bourse/execution';
import { fill, report, request, T0 } from '@bourse/execution/testing';
import { listFills, loadOrder } from '../store/index.js';
import { orderManagerDatabase } from '../store/test-support.js';
import { ExecutionStore } from './execution-store.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
}, 30_000);
afterAll(async () => {
  await db?.drop();
});

describe('ExecutionStore', () => {
  it('writes each order as of its batch: a fill applied in memory shows only with its own batch', async () => {
    const tracker = new OrderTracker();
    const store = new ExecutionStore(db.pool, tracker, { now: () => T0 + 1_000 });
    const id = 'row-1';
    const placed = tracker.track(request(id), T0);
    const acked = tracker.applyExecutionReport(report(id, 'new', '0', '0', T0 + 1));
    // The execution arrives while the batch above still waits for its turn.
    const traded = tracker.applyExecutionReport(
      report(id, 'partially-filled', '0.4', '40', T0 + 2),
      fill(id, 'f1', '0.4', '100', T0 + 2),
    );
    expect(tracker.get(id)?.order.status).toBe('partially-filled');

    await store.persist([placed, acked]);
    expect(await loadOrder(db.pool, id)).toMatchObject({ status: 'new', filledQty: '0' });
    expect(await listFills(db.pool, { clientOrderId: id })).toEqual([]);

    await store.persist([traded]);
    expect(await loadOrder(db.pool, id)).toMatchObject({ status: 'partially-filled', filledQty: '0.4' });
    expect((await listFills(db.pool, { clientOrderId: id })).map((f) => f.qty)).toEqual(['0.4']);

    // A batch queued late with an older view (a submission overtaken by the stream) never sets it back.
    await store.persist([placed]);
    expect(await loadOrder(db.pool, id)).toMatchObject({ status: 'partially-filled', filledQty: '0.4' });
  });
});
