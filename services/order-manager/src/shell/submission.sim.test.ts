import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, it, expect } from 'vitest';
import { ClientOrderId, InstrumentSymbol, type ExecutionEvent, type OrderRequest } from '@bourse/contracts';
import { startExchangeSim, type RunningExchangeSim } from '@bourse/exchange-sim';
import { createTestDatabase, type TestDatabase } from '@bourse/store/testing';
import { BinanceVenueClient, createBinanceMetrics, loadApiCredentials } from '@bourse/venue-binance';
import type { UserDataEvent } from '@bourse/venues';
import {
  ORDER_MANAGER_LOCK_KEY,
  ORDER_MANAGER_MIGRATIONS,
  listUnresolvedOutbox,
  loadOutbox,
  markOutbox,
  insertOutbox,
} from '../store/index.js';
import {
  executeCancel,
  OrderTracker,
  recoverOutboxEntry,
  resolveOutbox,
  submitOrder,
  type Journal,
  type SubmissionDeps,
  type TradingModes,
} from '@bourse/execution';
import { request as baseRequest } from '@bourse/execution/testing';

// submitOrder, resolveOutbox, recoverOutboxEntry and executeCancel against the real parts: the
// exchange simulator on loopback, the real Binance adapter pointed at it, and the order manager's
// store on a PostgreSQL database of this file's own as the journal. Faults come from the sim.

const BTC = InstrumentSymbol.parse('BTC/USDT');
const HORIZON_MS = 10_000;

let sim: RunningExchangeSim;
let client: BinanceVenueClient;
let db: TestDatabase;
let journal: Journal;
const prefix = `t${randomBytes(3).toString('hex')}`;
let n = 0;

/** The core's clock, moved by hand; the adapter keeps its own real one. */
const clock = {
  t: 1_767_225_600_000,
  now(): number {
    return this.t;
  },
};
/** Runs when the journal has committed a move to `submitting`: the moment just before the venue call. */
let beforeVenueCall: ((attempts: number) => void) | undefined;
let modes: TradingModes = { global: 'ACTIVE', instrument: undefined, strategy: undefined };

function deps(tracker: OrderTracker): SubmissionDeps {
  return {
    journal,
    venue: client,
    tracker,
    clock,
    tradingState: { modesFor: () => modes },
    policy: { safeHorizonMs: HORIZON_MS, maxSubmissions: 2 },
  };
}

function order(changes: Partial<Record<keyof OrderRequest, unknown>> = {}): OrderRequest {
  return baseRequest(`${prefix}-${++n}`, { qty: '0.01', price: '30000', createdAt: clock.t, ...changes });
}

async function venueOrdersWithId(clientOrderId: string): Promise<number> {
  const open = await client.openOrders(BTC);
  return open.filter((o) => o.clientOrderId === clientOrderId).length;
}

beforeAll(async () => {
  const apiKey = `k${randomBytes(12).toString('hex')}`;
  const apiSecret = randomBytes(24).toString('hex');
  sim = await startExchangeSim({
    port: 0,
    host: '127.0.0.1',
    seed: 11,
    symbols: ['BTCUSDT'],
    apiKeys: [{ apiKey, apiSecret }],
    balances: { USDT: '100000', BTC: '5' },
    marketActivity: { enabled: false },
  });
  client = await BinanceVenueClient.connect({
    options: {
      target: {
        name: 'sim',
        endpoints: { restUrl: sim.restUrl, wsStreamUrl: sim.wsStreamUrl, wsApiUrl: sim.wsApiUrl },
      },
      // REST for orders, so the sim's REST faults reach the placement; no adapter retries, so each fault counts once.
      orderPath: 'rest',
      maxRetries: 0,
      requestTimeoutMs: 2_000,
      unknownQueryAttempts: 1,
      unknownQueryDelayMs: 20,
      timeSyncIntervalMs: 0,
    },
    credentials: loadApiCredentials({
      target: 'sim',
      env: { BINANCE_SIM_API_KEY: apiKey, BINANCE_SIM_API_SECRET: apiSecret },
    }),
    metrics: createBinanceMetrics(),
  });
  db = await createTestDatabase({
    migrations: { directory: ORDER_MANAGER_MIGRATIONS, lockKey: ORDER_MANAGER_LOCK_KEY },
  });
  journal = {
    commitOutbox: (request, at) => insertOutbox(db.pool, request, at),
    markOutbox: async (id, state, options) => {
      const entry = await markOutbox(db.pool, id, state, options);
      if (state === 'submitting') beforeVenueCall?.(entry.attempts);
      return entry;
    },
  };
});

afterEach(() => {
  beforeVenueCall = undefined;
  sim.setFaults({ serverErrors: 0, dropResponses: 0 });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
  await db?.drop();
});

describe('submitOrder against the exchange simulator', () => {
  it('journals, sends once, and treats a redelivered request as a duplicate', async () => {
    const tracker = new OrderTracker();
    const req = order();
    const sent = await submitOrder(req, deps(tracker));
    expect(sent.outcome.kind).toBe('accepted');
    expect(sent.events.map((e) => (e.type === 'order-status' ? e.status : e.type))).toEqual(['pending-new', 'new']);
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('sent');
    expect(tracker.get(req.clientOrderId)?.order.venueOrderId).toBeDefined();

    const again = await submitOrder(req, deps(tracker));
    expect(again).toMatchObject({ outcome: { kind: 'duplicate' }, events: [] });
    expect(await venueOrdersWithId(req.clientOrderId)).toBe(1);
  });

  it('refuses new exposure when the trading state is not ACTIVE, and never calls the venue', async () => {
    const tracker = new OrderTracker();
    const req = order();
    modes = { global: 'ACTIVE', instrument: 'HALTED', strategy: undefined };
    try {
      const refused = await submitOrder(req, deps(tracker));
      expect(refused.outcome).toMatchObject({ kind: 'refused' });
      expect(refused.outcome.kind === 'refused' && refused.outcome.reason).toContain('HALTED for instrument BTCUSDT');
      expect(tracker.get(req.clientOrderId)?.order.status).toBe('rejected');
      expect(rejectionOf(refused.events)).toMatchObject({ status: 'rejected', rejectedBy: 'bourse' });
    } finally {
      modes = { global: 'ACTIVE', instrument: undefined, strategy: undefined };
    }
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it('refuses a request past its shelf life as expired, with the decision age, and sends nothing', async () => {
    const tracker = new OrderTracker();
    const req = order({
      style: 'market',
      price: undefined,
      timeInForce: undefined,
      decidedAt: clock.t - 6_000,
      createdAt: clock.t - 5_500,
      expiresAt: clock.t - 1_000,
    });
    const expired = await submitOrder(req, deps(tracker));
    expect(expired.outcome).toEqual({
      kind: 'expired',
      reason: 'expired: decision 6000 ms old, shelf life 5000 ms; not sent',
      decisionAgeMs: 6_000,
    });
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    const update = expired.events.find((e) => e.type === 'order-status' && e.status === 'expired');
    expect(update).toMatchObject({
      status: 'expired',
      decisionAgeMs: 6_000,
      reason: expect.stringMatching(/^expired: /),
    });
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it('records an order whose shelf life ran out inside the adapter as expired, not as rejected', async () => {
    const tracker = new OrderTracker();
    // The core's hand-moved clock sees a fresh decision; the adapter's real clock is months past its
    // end, as it would be after a long wait inside the adapter (a rate-limit block, a clock resync).
    const req = order({ decidedAt: clock.t, expiresAt: clock.t + 5_000 });
    const result = await submitOrder(req, deps(tracker));
    expect(result.outcome).toMatchObject({
      kind: 'expired',
      reason: expect.stringMatching(/not sent: its deadline passed/),
    });
    expect(result.events.some((e) => e.type === 'order-status' && e.status === 'rejected')).toBe(false);
    expect(tracker.get(req.clientOrderId)?.order.status).toBe('expired');
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it('refuses a journaled request that a restart finds past its shelf life, and sends nothing', async () => {
    const req = order({ decidedAt: clock.t, expiresAt: clock.t + 5_000 });
    await insertOutbox(db.pool, req, clock.t);
    clock.t += 5_000; // the process was down while the decision aged
    const entry = await loadOutbox(db.pool, req.clientOrderId);
    if (entry === undefined) throw new Error('entry missing');
    const recovered = await recoverOutboxEntry(entry, deps(new OrderTracker()));
    expect(recovered.outcome).toMatchObject({ kind: 'expired', decisionAgeMs: 5_000 });
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it("labels an order the clock sync before signing failed (503 on /api/v3/time) as ours, not the venue's", async () => {
    const tracker = new OrderTracker();
    const req = order();
    // The venue's clock runs 30 s behind: the order is refused unprocessed (-1021), and every clock
    // measurement after it is answered 503; the first try and both retries meet the same.
    sim.setFaults({ clockSkewMs: -30_000, serverErrors: 3, serverErrorsPath: '/api/v3/time' });
    const slept: number[] = [];
    const failed = await submitOrder(req, {
      ...deps(tracker),
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(slept).toHaveLength(2); // retried while the decision was fresh
    expect(failed.outcome.kind).toBe('refused');
    const rejection = rejectionOf(failed.events);
    expect(rejection).toMatchObject({ status: 'rejected', rejectedBy: 'bourse' });
    expect(rejection?.type === 'order-status' && rejection.reason).toMatch(
      /^not sent, failed on our side \(transient\): VENUE_CLOCK_SYNC_FAILED: /,
    );
    expect(sim.faults().serverErrors).toBe(0); // each 5xx met a clock sync, none an order
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    sim.setFaults({});
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it('places the order on a retry once the clock sync before signing answers again', async () => {
    const tracker = new OrderTracker();
    const req = order();
    sim.setFaults({ clockSkewMs: -30_000, serverErrors: 1, serverErrorsPath: '/api/v3/time' });
    try {
      const placed = await submitOrder(req, { ...deps(tracker), sleep: async () => undefined });
      expect(placed.outcome).toMatchObject({ kind: 'accepted' });
      expect(placed.events.some((e) => e.type === 'order-status' && e.status === 'rejected')).toBe(false);
      expect(await venueOrdersWithId(req.clientOrderId)).toBe(1);
    } finally {
      sim.setFaults({});
      await client.serverClock.sync(); // back to the venue's undistorted clock for the next tests
    }
  });

  it('marks a venue rejection failed with the venue reason', async () => {
    const tracker = new OrderTracker();
    const req = order({ qty: '0.00001', price: '100' }); // notional 0.001 USDT, below the minimum
    const rejected = await submitOrder(req, deps(tracker));
    expect(rejected.outcome.kind).toBe('rejected');
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('failed');
    expect(tracker.get(req.clientOrderId)?.order.rejectReason).toMatch(/NOTIONAL/i);
    expect(rejectionOf(rejected.events)).toMatchObject({ status: 'rejected', rejectedBy: 'venue' });
    // Only the rejection says who rejected (the contract refuses it elsewhere).
    const others = rejected.events.filter((e) => e.type === 'order-status' && e.status !== 'rejected');
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((e) => e.type === 'order-status' && e.rejectedBy === undefined)).toBe(true);
  });

  it('learns a lost acknowledgement by query: one order at the venue, entry sent', async () => {
    const tracker = new OrderTracker();
    const req = order();
    sim.setFaults({ dropResponses: 1 });
    const result = await submitOrder(req, deps(tracker));
    expect(result.outcome).toMatchObject({ kind: 'accepted', resolvedByQuery: true });
    expect(await venueOrdersWithId(req.clientOrderId)).toBe(1);
    expect((await loadOutbox(db.pool, req.clientOrderId))?.state).toBe('sent');
  });

  it('keeps a 503 unknown until the horizon, then resends once with the same client order id', async () => {
    const tracker = new OrderTracker();
    const req = order();
    sim.setFaults({ serverErrors: 1 }); // the POST is answered 503 unprocessed; the adapter's query finds nothing
    const first = await submitOrder(req, deps(tracker));
    expect(first.outcome.kind).toBe('unknown');
    expect(tracker.get(req.clientOrderId)?.order.status).toBe('unknown');
    const entry = await loadOutbox(db.pool, req.clientOrderId);
    expect(entry).toMatchObject({ state: 'unknown', attempts: 1 });
    if (entry === undefined) throw new Error('entry missing');

    clock.t += HORIZON_MS - 1;
    const early = await resolveOutbox(entry, deps(tracker));
    expect(early.outcome).toMatchObject({ kind: 'unknown', resolveAt: entry.updatedAt + HORIZON_MS });
    expect(await venueOrdersWithId(req.clientOrderId)).toBe(0);

    clock.t += 1;
    const resent = await resolveOutbox(entry, deps(tracker));
    expect(resent.outcome).toMatchObject({ kind: 'accepted', resolvedByQuery: false });
    expect(await loadOutbox(db.pool, req.clientOrderId)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(await venueOrdersWithId(req.clientOrderId)).toBe(1);
    expect(tracker.get(req.clientOrderId)?.order.status).toBe('new');
  });

  it('abandons after the one resend is unknown too, without a third call', async () => {
    const tracker = new OrderTracker();
    const req = order();
    sim.setFaults({ serverErrors: 2 }); // POST 503, query 503
    const first = await submitOrder(req, deps(tracker));
    expect(first.outcome.kind).toBe('unknown');
    clock.t += HORIZON_MS;
    const firstEntry = await loadOutbox(db.pool, req.clientOrderId);
    if (firstEntry === undefined) throw new Error('entry missing');
    // The resend, after the query that found nothing: POST 503, the adapter's query 503 again.
    beforeVenueCall = (attempts) => {
      if (attempts === 2) sim.setFaults({ serverErrors: 2 });
    };
    const second = await resolveOutbox(firstEntry, deps(tracker));
    expect(second.outcome.kind).toBe('unknown');
    const secondEntry = await loadOutbox(db.pool, req.clientOrderId);
    expect(secondEntry).toMatchObject({ state: 'unknown', attempts: 2 });
    if (secondEntry === undefined) throw new Error('entry missing');

    clock.t += HORIZON_MS;
    const last = await resolveOutbox(secondEntry, deps(tracker));
    expect(last.outcome).toMatchObject({ kind: 'abandoned' });
    expect(rejectionOf(last.events)).toMatchObject({ status: 'rejected', rejectedBy: 'bourse' });
    expect(await loadOutbox(db.pool, req.clientOrderId)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(tracker.get(req.clientOrderId)?.order.status).toBe('rejected');
    expect(await client.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId })).toBeUndefined();
  });

  it('recovers after a restart: adopts an order that reached the venue, sends one that never did', async () => {
    // Two entries left `submitting` by a crash: one had reached the venue, one had not.
    const reached = order();
    const lost = order();
    for (const r of [reached, lost]) {
      await insertOutbox(db.pool, r, clock.t);
      await markOutbox(db.pool, r.clientOrderId, 'submitting', { at: clock.t });
    }
    const placed = await client.placeOrder({
      clientOrderId: ClientOrderId.parse(reached.clientOrderId),
      symbol: BTC,
      side: 'BUY',
      style: 'limit',
      quantity: '0.01',
      price: '30000',
      timeInForce: 'GTC',
    });
    expect(placed.outcome).toBe('accepted');

    const tracker = new OrderTracker(); // a fresh process
    const unresolved = (await listUnresolvedOutbox(db.pool)).filter((e) => e.clientOrderId.startsWith(prefix));
    const results = new Map<string, string>();
    for (const entry of unresolved) {
      const r = await recoverOutboxEntry(entry, deps(tracker));
      results.set(entry.clientOrderId, r.outcome.kind);
    }
    expect(results.get(reached.clientOrderId)).toBe('accepted');
    expect(results.get(lost.clientOrderId)).toBe('unknown');
    expect((await loadOutbox(db.pool, reached.clientOrderId))?.state).toBe('resolved');

    clock.t += HORIZON_MS;
    const lostEntry = await loadOutbox(db.pool, lost.clientOrderId);
    if (lostEntry === undefined) throw new Error('entry missing');
    const resent = await recoverOutboxEntry(lostEntry, deps(tracker));
    expect(resent.outcome.kind).toBe('accepted');
    for (const r of [reached, lost]) expect(await venueOrdersWithId(r.clientOrderId)).toBe(1);
  });
});

describe('fills and cancels against the exchange simulator', () => {
  it('moves the position from the fills of the user-data stream, once each', async () => {
    const tracker = new OrderTracker();
    const events: UserDataEvent[] = [];
    const feed = client.userData();
    const off = feed.on((e) => {
      events.push(e);
      if (e.kind === 'order') tracker.applyExecutionReport(e.update, e.fill);
    });
    await feed.start();
    try {
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '40000', quantity: '0.004' });
      sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '40001', quantity: '0.01' });
      const req = order({ qty: '0.01', price: '40001' });
      const result = await submitOrder(req, deps(tracker));
      expect(result.outcome.kind).toBe('accepted');
      await waitUntil(() => tracker.get(req.clientOrderId)?.order.status === 'filled', 'the order to fill');
      await waitUntil(() => tracker.positions.position('momo', 'BTC/USDT').qty.toString() === '0.01', 'the position');
      const fills = events.filter(
        (e) => e.kind === 'order' && e.fill !== undefined && e.update.clientOrderId === req.clientOrderId,
      );
      expect(fills.length).toBeGreaterThanOrEqual(2);
      // Every report delivered again changes nothing.
      for (const e of fills)
        if (e.kind === 'order') expect(tracker.applyExecutionReport(e.update, e.fill).fills).toEqual([]);
      expect(tracker.positions.position('momo', 'BTC/USDT').qty.toString()).toBe('0.01');
    } finally {
      off();
      await feed.close();
    }
  });

  it('cancels a resting order, and learns the truth when a cancel comes too late', async () => {
    const tracker = new OrderTracker();
    const resting = order();
    await submitOrder(resting, deps(tracker));
    const canceled = await executeCancel(
      { clientOrderId: resting.clientOrderId, instrument: BTC },
      { venue: client, tracker, clock },
    );
    expect(canceled.execution).toEqual({ kind: 'canceled' });
    expect(canceled.events.map((e) => (e.type === 'order-status' ? e.status : e.type))).toEqual([
      'pending-cancel',
      'canceled',
    ]);
    expect(tracker.get(resting.clientOrderId)?.order.status).toBe('canceled');

    sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '41000', quantity: '0.01' });
    const filled = order({ price: '41000' });
    await submitOrder(filled, deps(tracker));
    const late = await executeCancel(
      { clientOrderId: filled.clientOrderId, instrument: BTC },
      { venue: client, tracker, clock },
    );
    expect(late.execution.kind).toBe('refused');
    expect(late.execution.kind === 'refused' && late.execution.venueOrder?.status).toBe('filled');
    expect(tracker.get(filled.clientOrderId)?.order.status).toBe('filled');
  });
});

/** Polls a condition of in-memory state fed by the stream; a bounded wait, not a timing assertion. */
async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The one `rejected` status update among published events. */
function rejectionOf(events: readonly ExecutionEvent[]): ExecutionEvent | undefined {
  const rejections = events.filter((e) => e.type === 'order-status' && e.status === 'rejected');
  expect(rejections).toHaveLength(1);
  return rejections[0];
}
