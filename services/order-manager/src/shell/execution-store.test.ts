// The order row never runs ahead of what a batch commits. The tracker applies a venue execution in
// memory at once while its batch waits behind earlier ones; a row written from that view would show
// a fill whose fill row is not stored yet, and a kill -9 in between would lose the fill while a
// restart trusts the row (a chase then counted 0.004 filled that no fill, position or balance had).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@bourse/store/testing';
import { OrderTracker } from '@bourse/execution';
import { fill, report, request, T0 } from '@bourse/execution/testing';
import { insertOutbox, listFills, loadOrder, loadPositions } from '../store/index.js';
import { orderManagerDatabase } from '../store/test-support.js';
import { ExecutionStore } from './execution-store.js';
import { restoreState } from './restore.js';

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

  it('saves a position as the net of the fills stored with it: a fill lost in a crash is booked once after the restart', async () => {
    const clock = { now: () => T0 + 1_000 };
    const strategyId = 'crash-between-batches';
    const positionQty = async () =>
      (await loadPositions(db.pool, { strategyId })).find((p) => p.instrument === 'BTC/USDT')?.qty;
    const id = 'pos-1';
    const venueOrder = { venueOrderId: '8' };
    const order = request(id, { strategyId });
    await insertOutbox(db.pool, order, T0);
    const tracker = new OrderTracker();
    const store = new ExecutionStore(db.pool, tracker, clock);
    const placed = tracker.track(order, T0);
    const acked = tracker.applyExecutionReport(report(id, 'new', '0', '0', T0 + 1, venueOrder));
    const first = tracker.applyExecutionReport(
      report(id, 'partially-filled', '0.4', '40', T0 + 2, venueOrder),
      fill(id, 'p1', '0.4', '100', T0 + 2, venueOrder),
    );
    // The second execution is applied in memory; its batch never commits (kill -9 before its turn).
    tracker.applyExecutionReport(
      report(id, 'partially-filled', '1', '100', T0 + 3, venueOrder),
      fill(id, 'p2', '0.6', '100', T0 + 3, venueOrder),
    );
    expect(tracker.positions.position(strategyId, 'BTC/USDT').qty.toString()).toBe('1');

    await store.persist([placed, acked, first]);
    expect(await positionQty()).toBe('0.4');

    // The restart: the venue's trades bring the lost fill back (a recovery or a correction).
    const restarted = new OrderTracker();
    const store2 = new ExecutionStore(db.pool, restarted, clock);
    await restoreState(db.pool, restarted, store2, 'binance');
    expect(restarted.positions.position(strategyId, 'BTC/USDT').qty.toString()).toBe('0.4');
    const again = restarted.applyFill(fill(id, 'p2', '0.6', '100', T0 + 3, venueOrder));
    expect(again.outcome).toBe('applied');
    await store2.persist([again]);
    expect(await positionQty()).toBe('1');
    expect((await listFills(db.pool, { clientOrderId: id })).map((f) => f.qty)).toEqual(['0.4', '0.6']);
  });
});
