// kill -9 of the order manager process between the outbox commit and the venue's answer, then a
// restart: exactly one order at the venue. The OMS runs as its own process (`node --import tsx
// src/main.ts`, as `bourse start` runs it); the sim swallows the WS-API answer to the accepted order
// so the process is waiting on it, with the entry `submitting` in Postgres, when it is killed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRequest } from '@bourse/contracts';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import { loadOrder, loadOutbox } from '../store/index.js';
import { OmsProcesses, orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

let h: Harness;
let venue: BinanceVenueClient;
const oms = new OmsProcesses({
  OMS_ORDER_PATH: 'ws-api',
  // Long enough that the swallowed answer keeps the process waiting until it is killed.
  OMS_VENUE_REQUEST_TIMEOUT_MS: '30000',
});

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  venue = await h.connectVenue();
}, 30_000);

afterAll(async () => {
  await oms.killAll();
  await h?.close();
}, 30_000);

describe('kill -9 between the outbox commit and the venue answer', () => {
  it('leaves exactly one order at the venue after a restart, learnt by query', async () => {
    const first = await oms.start(h);
    const req = orderRequest({ strategyId: 'crash', price: '25000' });
    h.sim.setFaults({ dropResponses: 1 });
    await h.bus.publishDurable(
      h.subjects.orderRequest('BTCUSDT'),
      { name: 'OrderRequest', schema: OrderRequest },
      req,
      {
        msgId: req.clientOrderId,
      },
    );
    await waitFor(
      'the order at the venue with the entry still submitting',
      async () => {
        const entry = await loadOutbox(h.db.pool, req.clientOrderId);
        const atVenue = await venue.queryOrder({ symbol: req.instrument, clientOrderId: req.clientOrderId });
        return entry?.state === 'submitting' && atVenue !== undefined ? true : undefined;
      },
      20_000,
    );
    await oms.kill(first);
    h.sim.setFaults({ dropResponses: 0 });

    const second = await oms.start(h);
    try {
      const entry = await waitFor(
        'the entry to be resolved by query',
        async () => {
          const e = await loadOutbox(h.db.pool, req.clientOrderId);
          return e?.state === 'resolved' ? e : undefined;
        },
        20_000,
      );
      expect(entry.attempts).toBe(1);
      await waitFor('the order in Postgres', async () =>
        (await loadOrder(h.db.pool, req.clientOrderId))?.status === 'new' ? true : undefined,
      );
      const open = await venue.openOrders(req.instrument);
      expect(open.filter((o) => o.clientOrderId === req.clientOrderId)).toHaveLength(1);
      expect(open.filter((o) => o.price === '25000.00000000' || o.price === '25000')).toHaveLength(1);
    } finally {
      await oms.kill(second);
    }
  }, 90_000);
});
