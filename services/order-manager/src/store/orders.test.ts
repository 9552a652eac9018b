import { VersionConflictError, isStoreError, StoreErrorCode } from '@bourse/store';
import type { TestDatabase } from '@bourse/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStoreErrorCode, isOrderStoreError } from './errors.js';
import { listOrderEvents, listUnpublishedEvents, markEventsPublished, recordOrderEvent } from './order-events.js';
import { listOpenOrders, loadOrder, loadOrders } from '@bourse/ledger';
import { upsertOrder } from './orders.js';
import { T0, orderManagerDatabase, orderRecord, sqlStateOfFailure } from './test-support.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await orderManagerDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('upsertOrder', () => {
  it('inserts at version 1 and bumps the version on each update', async () => {
    const order = orderRecord('ord-1');
    expect(await upsertOrder(db.pool, order, 0)).toBe(1);
    const accepted = { ...order, status: 'new' as const, venueOrderId: '9001', updatedAt: T0 + 10 };
    expect(await upsertOrder(db.pool, accepted, 1)).toBe(2);
    const filled = {
      ...accepted,
      status: 'partially-filled' as const,
      filledQty: '0.2',
      cumulativeQuoteQty: '12000.02',
      avgPrice: '60000.1',
      updatedAt: T0 + 20,
    };
    expect(await upsertOrder(db.pool, filled, 2)).toBe(3);
    expect(await loadOrder(db.pool, 'ord-1')).toEqual({ ...filled, version: 3 });
  });

  it('writes the code hash with the insert, keeps it through updates, and refuses one that is not a sha256', async () => {
    const codeHash = 'ab'.repeat(32);
    const order = orderRecord('ord-hash', { codeHash });
    expect(await upsertOrder(db.pool, order, 0)).toBe(1);
    // An update never rewrites it, even when the record handed in lacks it.
    expect(await upsertOrder(db.pool, { ...order, codeHash: undefined, status: 'new', updatedAt: T0 + 1 }, 1)).toBe(2);
    expect(await loadOrder(db.pool, 'ord-hash')).toMatchObject({ status: 'new', codeHash, version: 2 });
    const err: unknown = await upsertOrder(db.pool, orderRecord('ord-bad-hash', { codeHash: 'ABC' }), 0).catch(
      (e: unknown) => e,
    );
    expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE)).toBe(true);
    expect(err).toMatchObject({ message: expect.stringContaining('codeHash') as unknown });
    expect(await loadOrder(db.pool, 'ord-bad-hash')).toBeUndefined();
  });

  it('refuses a write based on a stale version with a typed error, writing nothing', async () => {
    const order = orderRecord('ord-stale');
    await upsertOrder(db.pool, order, 0);
    await upsertOrder(db.pool, { ...order, status: 'new', updatedAt: T0 + 1 }, 1);
    const err: unknown = await upsertOrder(db.pool, { ...order, status: 'canceled', updatedAt: T0 + 2 }, 1).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ entity: 'orders', key: 'ord-stale', expected: 1, actual: 2 });
    expect(isStoreError(err, StoreErrorCode.VERSION_CONFLICT)).toBe(true);
    expect(await loadOrder(db.pool, 'ord-stale')).toMatchObject({ status: 'new', version: 2 });
  });

  it('refuses a second insert of the same client order id, and an update of a missing one', async () => {
    await upsertOrder(db.pool, orderRecord('ord-dup'), 0);
    await expect(upsertOrder(db.pool, orderRecord('ord-dup'), 0)).rejects.toMatchObject({
      name: 'VersionConflictError',
      expected: 0,
      actual: 1,
    });
    await expect(upsertOrder(db.pool, orderRecord('ord-none'), 3)).rejects.toMatchObject({
      name: 'VersionConflictError',
      actual: undefined,
    });
  });

  it('refuses to change what identifies an order', async () => {
    await upsertOrder(db.pool, orderRecord('ord-ident'), 0);
    const err: unknown = await upsertOrder(db.pool, orderRecord('ord-ident', { side: 'SELL' }), 1).catch(
      (e: unknown) => e,
    );
    expect(isOrderStoreError(err, OrderStoreErrorCode.INVALID_VALUE)).toBe(true);
    expect(await loadOrder(db.pool, 'ord-ident')).toMatchObject({ side: 'BUY', version: 1 });
  });

  it('has the database enforce the order shape and the ten statuses', async () => {
    // Market orders carry no price; limit orders must.
    expect(await sqlStateOfFailure(upsertOrder(db.pool, orderRecord('ord-np', { price: undefined }), 0))).toBe('23514');
    expect(await sqlStateOfFailure(upsertOrder(db.pool, orderRecord('ord-over', { filledQty: '0.6' }), 0))).toBe(
      '23514',
    );
    // An instrument the store does not know.
    expect(await sqlStateOfFailure(upsertOrder(db.pool, orderRecord('ord-fk', { instrument: 'DOGE/USDT' }), 0))).toBe(
      '23503',
    );
    await upsertOrder(db.pool, orderRecord('ord-status'), 0);
    expect(
      await sqlStateOfFailure(db.pool.query(`UPDATE orders SET status = 'done' WHERE client_order_id = 'ord-status'`)),
    ).toBe('23514');
  });

  it('keeps a venue order id unique per venue and instrument', async () => {
    await upsertOrder(db.pool, orderRecord('ord-v1', { venueOrderId: '777', status: 'new' }), 0);
    expect(
      await sqlStateOfFailure(upsertOrder(db.pool, orderRecord('ord-v2', { venueOrderId: '777', status: 'new' }), 0)),
    ).toBe('23505');
    // Binance numbers orders per symbol: the same id on another instrument is another order.
    expect(
      await upsertOrder(
        db.pool,
        orderRecord('ord-v3', { venueOrderId: '777', status: 'new', instrument: 'ETH/USDT' }),
        0,
      ),
    ).toBe(1);
  });

  it('lists open orders only, filtered by strategy', async () => {
    await upsertOrder(db.pool, orderRecord('open-a', { strategyId: 'listing', status: 'new' }), 0);
    await upsertOrder(db.pool, orderRecord('open-b', { strategyId: 'listing', status: 'unknown' }), 0);
    await upsertOrder(
      db.pool,
      orderRecord('done-c', {
        strategyId: 'listing',
        status: 'filled',
        filledQty: '0.5',
        cumulativeQuoteQty: '30000.05',
        avgPrice: '60000.1',
      }),
      0,
    );
    const open = await listOpenOrders(db.pool, { strategyId: 'listing' });
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['open-a', 'open-b']);
  });

  it('loads the orders of given ids whatever their status, leaving out ids not stored', async () => {
    await upsertOrder(db.pool, orderRecord('load-open', { status: 'new' }), 0);
    await upsertOrder(
      db.pool,
      orderRecord('load-filled', {
        status: 'filled',
        filledQty: '0.5',
        cumulativeQuoteQty: '30000',
        avgPrice: '60000',
      }),
      0,
    );
    const loaded = await loadOrders(db.pool, ['load-filled', 'load-open', 'load-missing']);
    expect(loaded.map((o) => `${o.clientOrderId} ${o.status}`).sort()).toEqual(['load-filled filled', 'load-open new']);
    expect(await loadOrders(db.pool, [])).toEqual([]);
  });
});

describe('recordOrderEvent', () => {
  it('records an event once: the same event id again is refused and writes nothing', async () => {
    await upsertOrder(db.pool, orderRecord('ord-ev'), 0);
    const event = {
      eventId: 'binance:ord-ev:NEW:1',
      clientOrderId: 'ord-ev',
      type: 'order-status',
      payload: { status: 'new', filledQty: '0' },
      venueTime: T0 + 7,
      recordedAt: T0 + 9,
    };
    expect(await recordOrderEvent(db.pool, event)).toBe(true);
    expect(await recordOrderEvent(db.pool, { ...event, recordedAt: T0 + 99 })).toBe(false);
    expect(
      await recordOrderEvent(db.pool, {
        ...event,
        eventId: 'local:ord-ev:timeout',
        type: 'submit-timeout',
        venueTime: undefined,
      }),
    ).toBe(true);
    const events = await listOrderEvents(db.pool, 'ord-ev');
    expect(events.map((e) => [e.eventId, e.recordedAt, e.venueTime])).toEqual([
      ['binance:ord-ev:NEW:1', T0 + 9, T0 + 7],
      ['local:ord-ev:timeout', T0 + 9, undefined],
    ]);
    expect(events[0]?.payload).toEqual({ status: 'new', filledQty: '0' });
  });

  it('lists events and unpublished events in recorded order past nine of them, and marks them published once', async () => {
    await upsertOrder(db.pool, orderRecord('ord-many'), 0);
    const ids = Array.from({ length: 12 }, (_, i) => `ord-many:${i}`);
    for (const eventId of ids) {
      await recordOrderEvent(db.pool, {
        eventId,
        clientOrderId: 'ord-many',
        type: 'order-status',
        payload: {},
        recordedAt: T0,
      });
    }
    expect((await listOrderEvents(db.pool, 'ord-many')).map((e) => e.eventId)).toEqual(ids);
    const mine = async () =>
      (await listUnpublishedEvents(db.pool, 1_000))
        .filter((e) => e.eventId.startsWith('ord-many:'))
        .map((e) => e.eventId);
    expect(await mine()).toEqual(ids);
    await markEventsPublished(db.pool, ids.slice(0, 10), T0 + 1);
    expect(await mine()).toEqual(ids.slice(10));
    await markEventsPublished(db.pool, ids, T0 + 2);
    expect(await mine()).toEqual([]);
    const at = await db.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM order_events WHERE client_order_id = 'ord-many' AND published_at = $1`,
      [new Date(T0 + 1)],
    );
    expect(at.rows[0]?.n).toBe('10');
  });

  it('refuses an event for an order that is not stored', async () => {
    const state = await sqlStateOfFailure(
      recordOrderEvent(db.pool, {
        eventId: 'orphan-1',
        clientOrderId: 'ord-nowhere',
        type: 'order-status',
        payload: {},
        recordedAt: T0,
      }),
    );
    expect(state).toBe('23503');
  });
});
