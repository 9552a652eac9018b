// EXEC publish durability: events the stream cannot take stay in Postgres (`published_at` NULL) and
// are published again, oldest first and under the same message ids, once it can. The OMS runs on a
// bus whose EXEC subjects belong to a second namespace with no streams yet (every publish fails
// with no responders); the test then creates that namespace's streams and reads its EXEC stream.
// Real NATS, PostgreSQL and the sim (in process), this file's own namespaces and database.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '@bourse/bus';
import { TEST_STREAMS, removeTestNamespace, testSubjects } from '@bourse/bus/testing';
import { ExecutionEvent, OrderRequest, type Subjects } from '@bourse/contracts';
import { createMetrics } from '@bourse/telemetry';
import { loadOrder, loadOutbox } from '../store/index.js';
import type { OrderManagerService } from './order-manager-service.js';
import { logger, orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
let h: Harness;
let other: Subjects;
let omsBus: Bus;
let otherBus: Bus | undefined;
let service: OrderManagerService;
const extraBuses: Bus[] = [];
const extraNamespaces: Subjects[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  other = testSubjects();
  omsBus = await connectBus({
    service: 'order-manager',
    subjects: { ...h.subjects, exec: other.exec },
    logger,
    registry: createMetrics({ service: 'order-manager-test' }).registry,
    streams: TEST_STREAMS,
  });
  service = await h.startService(await h.connectVenue(), { bus: omsBus, execRepublishMs: 200 });
}, 30_000);

afterAll(async () => {
  await h?.close();
  await omsBus?.drain();
  await otherBus?.drain();
  for (const b of extraBuses) await b.drain();
  for (const n of [other, ...extraNamespaces]) if (n !== undefined) await removeTestNamespace(n);
}, 30_000);

/** A bus on the harness's namespace whose EXEC subjects are those of `exec`. */
async function busWithExecOf(exec: Subjects): Promise<Bus> {
  const bus = await connectBus({
    service: 'order-manager',
    subjects: { ...h.subjects, exec: exec.exec },
    logger,
    registry: createMetrics({ service: 'order-manager-test' }).registry,
    streams: TEST_STREAMS,
  });
  extraBuses.push(bus);
  return bus;
}

async function recorded(clientOrderId: string): Promise<{ event_id: string; published: boolean }[]> {
  const rows = await h.db.pool.query<{ event_id: string; published: boolean }>(
    `SELECT event_id, published_at IS NOT NULL AS published FROM order_events WHERE client_order_id = $1 ORDER BY id`,
    [clientOrderId],
  );
  return rows.rows;
}

async function filled(req: OrderRequest, price: string): Promise<void> {
  h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price, quantity: req.qty ?? '0' });
  await h.bus.publishDurable(h.subjects.orderRequest('BTCUSDT'), OrderRequestContract, req, {
    msgId: req.clientOrderId,
  });
  await waitFor(`order ${req.clientOrderId} filled`, async () =>
    (await loadOrder(h.db.pool, req.clientOrderId))?.status === 'filled' ? true : undefined,
  );
  // The submission's own batch (pending-new, the acknowledgement) may commit after the user-data ones.
  await waitFor(`the outbox entry of ${req.clientOrderId} sent`, async () =>
    (await loadOutbox(h.db.pool, req.clientOrderId))?.state === 'sent' ? true : undefined,
  );
  await service.pipeline.idle();
}

describe('EXEC outbox', () => {
  it('keeps events the stream could not take and publishes them, in order and once, when it can', async () => {
    const first = orderRequest({ strategyId: 'outbox', qty: '0.001', price: '30000' });
    await filled(first, '30000');
    const waiting = await recorded(first.clientOrderId);
    expect(waiting.length).toBeGreaterThanOrEqual(3); // pending-new, filled, the fill (and maybe new)
    expect(waiting.every((r) => !r.published)).toBe(true);
    expect(service.pipeline.publishBacklog).toBe(true);

    // The stream appears; the timer publishes the backlog under the same ids.
    otherBus = await connectBus({
      service: 'exec-reader',
      subjects: other,
      logger,
      registry: createMetrics({ service: 'exec-reader' }).registry,
      streams: TEST_STREAMS,
    });
    await otherBus.ensureStreams();
    const onStream: string[] = [];
    const reader = await otherBus.consume(
      {
        stream: 'EXEC',
        durable: 'exec_outbox_test',
        deliverFrom: 'all',
        maxDeliver: 3,
        ackWaitMs: 5_000,
        nakDelaysMs: [100],
        maxAckPending: 100,
      },
      { name: 'ExecutionEvent', schema: ExecutionEvent },
      (event) => {
        onStream.push(event.eventId);
      },
    );
    try {
      await waitFor('the backlog to be published', async () =>
        (await recorded(first.clientOrderId)).every((r) => r.published) ? true : undefined,
      );
      await waitFor('the events on the EXEC stream', () => (onStream.length >= waiting.length ? true : undefined));
      expect(onStream).toEqual(waiting.map((r) => r.event_id));
      expect(service.pipeline.publishBacklog).toBe(false);

      // Once caught up, new events go straight out and are marked at once.
      const second = orderRequest({ strategyId: 'outbox', qty: '0.001', price: '30001' });
      await filled(second, '30001');
      const direct = await recorded(second.clientOrderId);
      expect(direct.every((r) => r.published)).toBe(true);
      await waitFor('the second order on the stream', () =>
        onStream.length >= waiting.length + direct.length ? true : undefined,
      );
      expect(onStream).toEqual([...waiting, ...direct].map((r) => r.event_id));
    } finally {
      await reader.stop();
    }
  }, 45_000);

  it('publishes at start what a previous run could not', async () => {
    await service.stop();
    const missing = testSubjects();
    extraNamespaces.push(missing);
    // A run whose EXEC stream is missing, and whose timer would not try again within the test.
    service = await h.startService(await h.connectVenue(), {
      bus: await busWithExecOf(missing),
      execRepublishMs: 600_000,
    });
    const req = orderRequest({ strategyId: 'outbox', qty: '0.001', price: '30002' });
    await filled(req, '30002');
    const waiting = await recorded(req.clientOrderId);
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    expect(waiting.every((r) => !r.published)).toBe(true);
    await service.stop();

    // The next run has a working EXEC (the first test's stream): the backlog is out before start returns.
    const onStream: string[] = [];
    const reader = await otherBus!.consume(
      {
        stream: 'EXEC',
        durable: 'exec_outbox_restart',
        deliverFrom: 'new',
        maxDeliver: 3,
        ackWaitMs: 5_000,
        nakDelaysMs: [100],
        maxAckPending: 100,
      },
      { name: 'ExecutionEvent', schema: ExecutionEvent },
      (event) => {
        onStream.push(event.eventId);
      },
    );
    try {
      service = await h.startService(await h.connectVenue(), {
        bus: await busWithExecOf(other),
        execRepublishMs: 600_000,
      });
      expect((await recorded(req.clientOrderId)).every((r) => r.published)).toBe(true);
      await waitFor('the events on the EXEC stream', () => (onStream.length >= waiting.length ? true : undefined));
      expect(onStream).toEqual(waiting.map((r) => r.event_id));
    } finally {
      await reader.stop();
    }
  }, 45_000);
});
