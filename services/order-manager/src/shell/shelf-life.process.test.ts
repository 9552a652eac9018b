// A decision has a shelf life (DESIGN 13), and a killed order manager must not turn it into a late
// order. The order manager runs as its own process and is killed with SIGKILL while order requests
// are in flight: one delivered to it and held unjournaled (its submission is paused: the user-data
// stream dropped and no reconciler answers), the others published behind it. A second process takes
// over. Each request then is either at the venue, placed before its shelf life ended (by the
// simulator's own order list and times), or refused as expired (outbox failed, an `expired` order
// update on EXEC with the decision's age): never both, never late.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRequest, type OrderStatusUpdate } from '@bourse/contracts';
import { loadOutbox } from '../store/index.js';
import { OmsProcesses, clock, orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

let h: Harness;
const oms = new OmsProcesses({ OMS_ORDER_PATH: 'rest', OMS_RECON_RETRY_MS: '60000' });
const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
}, 30_000);

afterAll(async () => {
  await oms.killAll();
  await h?.close();
}, 30_000);

/** A resting limit order decided now that may reach the venue until `shelfLifeMs` from now. */
function decided(label: string, shelfLifeMs: number): OrderRequest {
  const now = clock.now();
  return orderRequest({ strategyId: label, price: '25000', decidedAt: now, expiresAt: now + shelfLifeMs });
}

function expiredUpdate(clientOrderId: string): OrderStatusUpdate | undefined {
  const found = h.exec.find(
    (e) => e.type === 'order-status' && e.clientOrderId === clientOrderId && e.status === 'expired',
  );
  return found?.type === 'order-status' ? found : undefined;
}

describe('kill -9 of the order manager with requests in flight', () => {
  it('sends each request within its shelf life or refuses it as expired, never late', async () => {
    const first = await oms.start(h);
    // The user-data stream drops; submission pauses until a reconciliation nobody runs here.
    h.sim.dropWsConnections();
    await waitFor('submission to pause', () => (first.output().includes('order submission paused') ? true : undefined));

    // Long-lived decisions outlast a restart only if the successor takes them over quickly (a 30 s
    // ack wait would expire them); 300 ms ones cannot outlast any restart.
    const held = decided('held', 20_000);
    const requests = [held, decided('short-a', 300), decided('long-b', 20_000), decided('short-c', 300)];
    for (const r of requests) {
      await h.bus.publishDurable(h.subjects.orderRequest('BTCUSDT'), OrderRequestContract, r, {
        msgId: r.clientOrderId,
      });
    }
    await waitFor('the first request held by the paused process', () =>
      first
        .output()
        .split('\n')
        .some(
          (line) => line.includes('order request held while submission is paused') && line.includes(held.clientOrderId),
        )
        ? true
        : undefined,
    );
    expect(await loadOutbox(h.db.pool, held.clientOrderId)).toBeUndefined(); // held, not journaled
    await oms.kill(first);

    const second = await oms.start(h);
    try {
      const venueOrders = () => h.sim.engine.getAllOrders(h.apiKey, 'BTCUSDT');
      await waitFor(
        'an outcome for every request',
        () =>
          requests.every(
            (r) =>
              expiredUpdate(r.clientOrderId) !== undefined ||
              venueOrders().some((o) => o.clientOrderId === r.clientOrderId),
          )
            ? true
            : undefined,
        30_000,
      );

      const outcomes: Record<string, string> = {};
      for (const r of requests) {
        const atVenue = venueOrders().filter((o) => o.clientOrderId === r.clientOrderId);
        const expired = expiredUpdate(r.clientOrderId);
        const expiresAt = r.expiresAt ?? 0;
        const decidedAt = r.decidedAt ?? 0;
        if (expired !== undefined) {
          // Refused, recorded, visible to the strategy, and nothing at the venue.
          expect(atVenue, r.strategyId).toEqual([]);
          expect(expired.decisionAgeMs, r.strategyId).toBeGreaterThanOrEqual(expiresAt - decidedAt);
          expect(expired.reason, r.strategyId).toMatch(/^expired: decision \d+ ms old, shelf life \d+ ms; not sent$/);
          expect((await loadOutbox(h.db.pool, r.clientOrderId))?.state, r.strategyId).toBe('failed');
          outcomes[r.strategyId] = 'expired';
        } else {
          // Placed once, and by the venue's own clock before the decision's shelf life ended.
          expect(atVenue, r.strategyId).toHaveLength(1);
          expect(atVenue[0]?.time, r.strategyId).toBeLessThan(expiresAt);
          outcomes[r.strategyId] = 'sent';
        }
      }
      expect(outcomes).toEqual({ held: 'sent', 'short-a': 'expired', 'long-b': 'sent', 'short-c': 'expired' });
      // The held request went to the successor once; nothing was sent twice.
      expect(venueOrders().filter((o) => o.clientOrderId === held.clientOrderId)).toHaveLength(1);
    } finally {
      await oms.kill(second);
    }
  }, 120_000);
});
