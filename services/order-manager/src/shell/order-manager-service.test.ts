// The order manager's shell against the real parts: the exchange simulator (in process, loopback)
// through the real Binance adapter, NATS with JetStream under this file's own namespace, and a
// PostgreSQL database of this file's own. Every step waits for the event it needs, with a timeout.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BookTransferCommand,
  BookTransferReply,
  CancelAllCommand,
  CancelCommand,
  FillEvent,
  OrderRequest,
  ReconNowCommand,
  ReconciliationReport,
  VenueCorrections,
  VenueCorrectionsApplied,
  operatorReplyOf,
  CancelExecutionReply,
} from '@bourse/contracts';
import { dec } from '@bourse/domain';
import { createMetrics } from '@bourse/telemetry';
import type { UserDataEvent } from '@bourse/venues';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import {
  insertOutbox,
  listFills,
  loadBalances,
  loadOrder,
  loadOutbox,
  loadPositions,
  markOutbox,
} from '../store/index.js';
import type { OrderManagerService } from './order-manager-service.js';
import { clock, orderRequest, startHarness, startQuoteFeed, waitFor, type Harness } from './test-support.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
let h: Harness;
let venue: BinanceVenueClient;
let service: OrderManagerService;
const metrics = createMetrics({ service: 'order-manager-test' });

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  venue = await h.connectVenue();
  service = await h.startService(venue, { metrics });
}, 30_000);

afterAll(async () => {
  await h?.close();
}, 30_000);

async function publish(request: OrderRequest): Promise<void> {
  await h.bus.publishDurable(h.subjects.orderRequest(request.venueSymbol), OrderRequestContract, request, {
    msgId: request.clientOrderId,
  });
}

async function orderStatus(id: string, status: string): Promise<void> {
  await waitFor(`order ${id} ${status} in Postgres`, async () =>
    (await loadOrder(h.db.pool, id))?.status === status ? true : undefined,
  );
}

async function position(strategyId: string): Promise<string | undefined> {
  const [p] = await loadPositions(h.db.pool, { strategyId });
  return p?.qty;
}

/** A sample of the service's metric, summed over the series whose labels match `labels`. */
async function sample(name: string, labels: Record<string, string>, series = name): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`the order manager registers no ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => ((v as { metricName?: string }).metricName ?? name) === series)
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

async function venueOrders(id: string): Promise<number> {
  return (await venue.openOrders('BTC/USDT' as never)).filter((o) => o.clientOrderId === id).length;
}

describe('order requests on ORDERS', () => {
  it('become an order at the sim, partial then full fills in Postgres, a position and EXEC events', async () => {
    const req = orderRequest({ strategyId: 'flow', qty: '0.01', price: '30000' });
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30000', quantity: '0.004' });
    await publish(req);
    await orderStatus(req.clientOrderId, 'partially-filled');
    await waitFor('the partial position', async () => ((await position('flow')) === '0.004' ? true : undefined));
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30000', quantity: '0.006' });
    await orderStatus(req.clientOrderId, 'filled');
    await waitFor('the position', async () => ((await position('flow')) === '0.01' ? true : undefined));
    const fills = await listFills(h.db.pool, { clientOrderId: req.clientOrderId });
    expect(fills.map((f) => f.qty).sort()).toEqual(['0.004', '0.006']);
    expect((await loadOutbox(h.db.pool, req.clientOrderId))?.state).toBe('sent');
    await waitFor('EXEC fills and the filled status', () => {
      const mine = h.exec.filter((e) => e.clientOrderId === req.clientOrderId);
      const statuses = mine.flatMap((e) => (e.type === 'order-status' ? [e.status] : []));
      return mine.filter((e) => e.type === 'fill').length === 2 && statuses.includes('filled') ? statuses : undefined;
    });
    const statuses = h.exec.flatMap((e) =>
      e.clientOrderId === req.clientOrderId && e.type === 'order-status' ? [e.status] : [],
    );
    expect(statuses).toEqual(expect.arrayContaining(['pending-new', 'new', 'partially-filled', 'filled']));
  }, 30_000);

  it('carries a quote-sized market BUY of 100 USDT to a fill worth 100 within a step, a position and EXEC events', async () => {
    const req = orderRequest({
      strategyId: 'quote',
      qty: undefined,
      quoteQty: '100',
      style: 'market',
      price: undefined,
      timeInForce: undefined,
    });
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '29000', quantity: '0.01' });
    try {
      await publish(req);
      await orderStatus(req.clientOrderId, 'filled');
    } finally {
      // What the order left at 29000 must not fill later tests' buys.
      h.sim.cancelAll('BTCUSDT');
    }
    // The REST answer (FILLED) can beat the execution report that carries the fill.
    const fills = await waitFor('the fill in Postgres', async () => {
      const found = await listFills(h.db.pool, { clientOrderId: req.clientOrderId });
      return found.length > 0 ? found : undefined;
    });
    expect(fills).toHaveLength(1);
    const [f] = fills;
    const notional = dec(f?.qty ?? '0').times(dec(f?.price ?? '0'));
    // 100 / 29000 rounded down to the 0.00001 step: at most one step's worth short of 100, never over.
    expect(
      notional.lte(dec('100')) &&
        dec('100')
          .minus(notional)
          .lt(dec('0.00001').times(dec('29000'))),
    ).toBe(true);
    expect(f?.qty).toBe('0.00344');
    const row = await loadOrder(h.db.pool, req.clientOrderId);
    expect([row?.qty, row?.quoteQty, row?.filledQty]).toEqual([undefined, '100', '0.00344']);
    await waitFor('the position', async () => ((await position('quote')) === '0.00344' ? true : undefined));
    await waitFor('EXEC fill and filled status', () => {
      const mine = h.exec.filter((e) => e.clientOrderId === req.clientOrderId);
      return mine.some((e) => e.type === 'fill') && mine.some((e) => e.type === 'order-status' && e.status === 'filled')
        ? true
        : undefined;
    });
    expect((await loadOutbox(h.db.pool, req.clientOrderId))?.state).toBe('sent');
  }, 30_000);

  it('keep the strategy code hash of the request with the order; a request without one stays valid', async () => {
    const codeHash = 'c0de'.repeat(16);
    const hashed = orderRequest({ strategyId: 'hash', price: '19000', codeHash });
    const plain = orderRequest({ strategyId: 'hash', price: '19001' });
    await publish(hashed);
    await publish(plain);
    // `new` is the update after the insert: the hash written by the insert survives it.
    await orderStatus(hashed.clientOrderId, 'new');
    await orderStatus(plain.clientOrderId, 'new');
    expect(await loadOrder(h.db.pool, hashed.clientOrderId)).toMatchObject({ status: 'new', codeHash });
    const row = await loadOrder(h.db.pool, plain.clientOrderId);
    expect(row?.status).toBe('new');
    expect(row?.codeHash).toBeUndefined();
    const { rows } = await h.db.pool.query<{ client_order_id: string; code_hash: string | null }>(
      'SELECT client_order_id, code_hash FROM orders WHERE client_order_id = ANY($1::text[]) ORDER BY price',
      [[hashed.clientOrderId, plain.clientOrderId]],
    );
    expect(rows).toEqual([
      { client_order_id: hashed.clientOrderId, code_hash: codeHash },
      { client_order_id: plain.clientOrderId, code_hash: null },
    ]);
  }, 30_000);

  it('leaves one order when the sim drops the answer after accepting; the order is learnt by query', async () => {
    const req = orderRequest({ strategyId: 'drop', price: '20000' });
    h.sim.setFaults({ dropResponses: 1 });
    try {
      await publish(req);
      await orderStatus(req.clientOrderId, 'new');
    } finally {
      h.sim.setFaults({ dropResponses: 0 });
    }
    const entry = await waitFor('the outbox entry to settle', async () => {
      const e = await loadOutbox(h.db.pool, req.clientOrderId);
      return e?.state === 'sent' || e?.state === 'resolved' ? e : undefined;
    });
    expect(await venueOrders(req.clientOrderId)).toBe(1);
    expect(entry?.attempts).toBe(1);
    // Delivered again (a new message id, as after a risk-gate restart): journaled already, never sent twice.
    await h.bus.publishDurable(h.subjects.orderRequest('BTCUSDT'), OrderRequestContract, req, {
      msgId: `${req.clientOrderId}-again`,
    });
    await h.bus.publishDurable(h.subjects.orderRequest('BTCUSDT'), OrderRequestContract, orderRequest({ price: '1' }), {
      msgId: 'marker',
    });
    await waitFor('the marker order to be journaled', async () =>
      (
        await h.db.pool.query(
          "SELECT 1 FROM outbox WHERE request->>'intentId' LIKE 'intent-%' AND request->>'price' = '1'",
        )
      ).rowCount === 1
        ? true
        : undefined,
    );
    expect(await venueOrders(req.clientOrderId)).toBe(1);
    expect((await loadOutbox(h.db.pool, req.clientOrderId))?.attempts).toBe(1);
  }, 30_000);

  it('records a journaled refusal whose order row never landed when the request is delivered again', async () => {
    // The process died between marking the outbox failed (expired) and committing the order row.
    const req = orderRequest({ strategyId: 'refused', price: '20000', decidedAt: clock.now() - 30_000 });
    await insertOutbox(h.db.pool, req, clock.now());
    await markOutbox(h.db.pool, req.clientOrderId, 'failed', {
      at: clock.now(),
      error: 'expired: decision 30000 ms old, shelf life 5000 ms; not sent',
    });
    expect(await loadOrder(h.db.pool, req.clientOrderId)).toBeUndefined();
    await publish(req);
    await orderStatus(req.clientOrderId, 'expired');
    const events = await h.db.pool.query<{ payload: { status: string; reason?: string } }>(
      "SELECT payload FROM order_events WHERE client_order_id = $1 AND type = 'order-status'",
      [req.clientOrderId],
    );
    expect(events.rows.map((r) => [r.payload.status, r.payload.reason])).toContainEqual([
      'expired',
      'expired: decision 30000 ms old, shelf life 5000 ms; not sent',
    ]);
    expect(await venueOrders(req.clientOrderId)).toBe(0);
    expect((await loadOutbox(h.db.pool, req.clientOrderId))?.state).toBe('failed');
  }, 30_000);

  it('the same execution events delivered twice leave the same positions, fills and EXEC ids', async () => {
    const seen: UserDataEvent[] = [];
    const feed = venue.userData();
    feed.on((e) => {
      if (e.kind === 'order') seen.push(e);
    });
    await feed.start();
    try {
      const req = orderRequest({ strategyId: 'twice', qty: '0.002', price: '30001' });
      h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30001', quantity: '0.002' });
      await publish(req);
      await orderStatus(req.clientOrderId, 'filled');
      await waitFor('the fill on the second feed', () =>
        seen.some((e) => e.kind === 'order' && e.fill?.clientOrderId === req.clientOrderId) ? true : undefined,
      );
      await waitFor('the position', async () => ((await position('twice')) === '0.002' ? true : undefined));
      // The operator's gauge shows the stored position at the next scrape.
      expect(await sample('bourse_oms_position_qty', { strategy: 'twice', instrument: req.instrument })).toBe(0.002);
      await service.pipeline.idle();
      const idsBefore = h.exec.map((e) => e.eventId);
      for (let round = 0; round < 2; round += 1) for (const e of seen) service.applyVenueEvent(e);
      await service.pipeline.idle();
      await h.bus.flush();
      expect(await position('twice')).toBe('0.002');
      expect((await listFills(h.db.pool, { strategyId: 'twice' })).length).toBe(1);
      expect(h.exec.map((e) => e.eventId)).toEqual(idsBefore);
      expect(new Set(idsBefore).size).toBe(idsBefore.length);
    } finally {
      await feed.close();
    }
  }, 30_000);
});

describe('deposits and withdrawals', () => {
  it('books a deposit the venue reports on the user-data stream, so stored balances stay the venue’s', async () => {
    const usdt = async () => (await loadBalances(h.db.pool, venue.venue)).find((b) => b.asset === 'USDT');
    const atVenue = async () => dec((await venue.balances()).find((b) => b.asset === 'USDT')?.free ?? '0');
    const before = await usdt();
    // Earlier tests' open orders may lock funds differently on each side: the deposit must not change the gap.
    const gapBefore = (await atVenue()).minus(dec(before?.free ?? '0'));
    const booked = () => sample('bourse_oms_balance_transfers_total', { outcome: 'booked' });
    const bookedBefore = await booked();
    h.sim.deposit(h.apiKey, 'USDT', '250.25');
    await waitFor('the deposit in the stored balance', async () =>
      (await usdt())?.free ===
      dec(before?.free ?? '0')
        .plus(dec('250.25'))
        .toString()
        ? true
        : undefined,
    );
    expect((await usdt())?.locked).toBe(before?.locked);
    expect(await booked()).toBe(bookedBefore + 1);
    const gapAfter = (await atVenue()).minus(dec((await usdt())?.free ?? '0'));
    expect(gapAfter.toString()).toBe(gapBefore.toString());
  }, 30_000);

  it('book-transfer books a deposit the stream never reported once, refuses an unpayable withdrawal and a malformed request', async () => {
    const usdt = async () =>
      dec((await loadBalances(h.db.pool, venue.venue)).find((b) => b.asset === 'USDT')?.free ?? '0');
    const atVenue = async () => dec((await venue.balances()).find((b) => b.asset === 'USDT')?.free ?? '0');
    const gap = async () => (await atVenue()).minus(await usdt()).toString();
    const gapBefore = await gap();
    const booked = () => sample('bourse_oms_balance_transfers_total', { outcome: 'booked' });
    const bookedBefore = await booked();
    // A silent balance change: the venue credits the account and the user-data stream says nothing.
    h.sim.deposit(h.apiKey, 'USDT', '250', { notify: false });
    await waitFor('the silent deposit at the venue', async () => ((await gap()) !== gapBefore ? true : undefined));
    expect(
      dec(await gap())
        .minus(dec(gapBefore))
        .toString(),
    ).toBe('250');
    const act: BookTransferCommand = {
      v: 1,
      command: 'book-transfer',
      requestedBy: 'alice',
      requestedAt: clock.now(),
      asset: 'USDT',
      delta: '250',
      reason: 'deposit found at the venue',
    };
    const ask = (command: unknown) =>
      h.bus.request(
        h.subjects.command('order-manager', 'book-transfer'),
        { name: 'BookTransferCommand', schema: BookTransferCommand },
        command as BookTransferCommand,
        { name: 'BookTransferReply', schema: BookTransferReply },
      );
    const freeBefore = await usdt();
    const first = await ask(act);
    expect(first).toEqual({
      v: 1,
      ok: true,
      result: {
        outcome: 'booked',
        venue: venue.venue,
        asset: 'USDT',
        delta: '250',
        free: freeBefore.plus(dec('250')).toString(),
      },
    });
    expect(await gap()).toBe(gapBefore);
    expect(await booked()).toBe(bookedBefore + 1);
    // The same act sent again (a retry after a lost reply) is the same transfer.
    expect(await ask(act)).toMatchObject({ ok: true, result: { outcome: 'duplicate' } });
    expect(await gap()).toBe(gapBefore);
    // A withdrawal beyond the stored free balance writes nothing.
    const tooMuch = { ...act, requestedAt: act.requestedAt + 1, delta: `-${(await usdt()).plus(dec('1')).toString()}` };
    expect(await ask(tooMuch)).toMatchObject({
      ok: true,
      result: { outcome: 'refused', free: (await usdt()).toString() },
    });
    expect(await gap()).toBe(gapBefore);
    // A malformed request never reaches the books: the bus refuses it with the field named.
    await expect(ask({ ...act, requestedAt: act.requestedAt + 2, delta: '0' })).rejects.toThrow(/delta/);
    expect(await gap()).toBe(gapBefore);
    const { rows } = await h.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM balance_transfers WHERE venue_time >= $1',
      [new Date(act.requestedAt)],
    );
    expect(rows[0]?.n).toBe(1);
  }, 30_000);
});

describe('commands', () => {
  const reply = { name: 'CancelExecutionReply', schema: CancelExecutionReply };

  it('cancels one order, then cancel-all cancels the rest of a strategy at the sim', async () => {
    const a = orderRequest({ strategyId: 'cx', price: '21000' });
    const b = orderRequest({ strategyId: 'cx', price: '21001' });
    const open = () => sample('bourse_oms_open_orders', { instrument: a.instrument });
    const accepted = () =>
      sample('bourse_oms_submission_seconds', { outcome: 'accepted' }, 'bourse_oms_submission_seconds_count');
    const decided = () =>
      sample('bourse_oms_decision_to_submission_seconds', {}, 'bourse_oms_decision_to_submission_seconds_count');
    const acked = () =>
      sample('bourse_oms_submission_to_ack_seconds', {}, 'bourse_oms_submission_to_ack_seconds_count');
    const [openBefore, acceptedBefore, decidedBefore, ackedBefore] = [
      await open(),
      await accepted(),
      await decided(),
      await acked(),
    ];
    await publish(a);
    await publish(b);
    await orderStatus(a.clientOrderId, 'new');
    await orderStatus(b.clientOrderId, 'new');
    // The gauge counts what the service follows as live; the histogram timed both submissions.
    expect(await open()).toBe(openBefore + 2);
    // Timed once the outcome is journaled, which may come after the user stream's `new`.
    await waitFor('both submissions timed', async () => ((await accepted()) === acceptedBefore + 2 ? true : undefined));
    // Both latencies are observed before the journaled outcome: decision to submission and the venue's ack.
    expect(await decided()).toBe(decidedBefore + 2);
    expect(await acked()).toBe(ackedBefore + 2);
    const one = await h.bus.request(
      h.subjects.command('order-manager', 'cancel'),
      { name: 'CancelCommand', schema: CancelCommand },
      { v: 1, command: 'cancel', requestedBy: 'test', requestedAt: clock.now(), clientOrderId: a.clientOrderId },
      reply,
    );
    expect(one.ok && one.result.canceled).toEqual([a.clientOrderId]);
    const all = await h.bus.request(
      h.subjects.command('order-manager', 'cancel-all'),
      { name: 'CancelAllCommand', schema: CancelAllCommand },
      {
        v: 1,
        command: 'cancel-all',
        requestedBy: 'test',
        requestedAt: clock.now(),
        scope: { kind: 'strategy', strategyId: 'cx' },
      },
      reply,
    );
    expect(all.ok && all.result).toMatchObject({ canceled: [b.clientOrderId], failed: [] });
    expect(await venueOrders(a.clientOrderId)).toBe(0);
    expect(await venueOrders(b.clientOrderId)).toBe(0);
    await orderStatus(b.clientOrderId, 'canceled');
    expect(await open()).toBe(openBefore);
    const unknown = await h.bus.request(
      h.subjects.command('order-manager', 'cancel'),
      { name: 'CancelCommand', schema: CancelCommand },
      { v: 1, command: 'cancel', requestedBy: 'test', requestedAt: clock.now(), clientOrderId: a.clientOrderId },
      reply,
    );
    expect(!unknown.ok && unknown.error.code).toBe('NOT_LIVE');
  }, 30_000);

  it('apply-corrections applies a fill the user stream never delivered once; sent twice it counts as known', async () => {
    const req = orderRequest({ strategyId: 'recon', qty: '0.01', price: '22000' });
    await publish(req);
    await orderStatus(req.clientOrderId, 'new');
    const row = await loadOrder(h.db.pool, req.clientOrderId);
    const fill = FillEvent.parse({
      v: 1,
      type: 'fill',
      eventId: 'binance:fill:BTCUSDT:recon-1',
      venue: 'binance',
      venueFillId: 'recon-1',
      clientOrderId: req.clientOrderId,
      venueOrderId: row?.venueOrderId,
      instrument: 'BTC/USDT',
      side: 'BUY',
      qty: '0.003',
      price: '22000',
      fee: '0',
      feeAsset: 'USDT',
      liquidity: 'maker',
      venueTime: clock.now(),
    });
    const corrections: VenueCorrections = { v: 1, runId: 'run-1', venue: 'binance', fills: [fill], orderUpdates: [] };
    const ask = () =>
      h.bus.request(
        h.subjects.command('order-manager', 'apply-corrections'),
        { name: 'VenueCorrections', schema: VenueCorrections },
        corrections,
        { name: 'Reply', schema: operatorReplyOf(VenueCorrectionsApplied) },
      );
    const first = await ask();
    expect(first.ok && first.result).toMatchObject({ fillsApplied: 1, fillsAlreadyKnown: 0 });
    const second = await ask();
    expect(second.ok && second.result).toMatchObject({ fillsApplied: 0, fillsAlreadyKnown: 1 });
    expect((await listFills(h.db.pool, { clientOrderId: req.clientOrderId })).length).toBe(1);
    expect(await position('recon')).toBe('0.003');
    expect((await loadOrder(h.db.pool, req.clientOrderId))?.status).toBe('partially-filled');
  }, 30_000);
});

describe('limit then market fallback', () => {
  it('rests at the touch for the window, then goes to market when the guards pass', async () => {
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30010', quantity: '0.01' });
    const req = orderRequest({
      strategyId: 'chase-ok',
      price: '30010',
      constraints: { limitWindowMs: 400, marketFallback: true, maxSlippageBps: '20' },
    });
    const { stop } = startQuoteFeed(h, '30000', '30010');
    try {
      await publish(req);
      await orderStatus(req.clientOrderId, 'canceled');
      await waitFor('the position from the market fallback', async () =>
        (await position('chase-ok')) === '0.01' ? true : undefined,
      );
    } finally {
      stop();
    }
    const fills = await listFills(h.db.pool, { strategyId: 'chase-ok' });
    expect(fills.map((f) => f.price)).toEqual(['30010']);
    expect(fills[0]?.clientOrderId).not.toBe(req.clientOrderId);
    expect((await loadOrder(h.db.pool, fills[0]?.clientOrderId ?? ''))?.style).toBe('market');
  }, 30_000);

  it('refuses the market fallback when the slippage guard fails, leaving the rest unfilled', async () => {
    const req = orderRequest({
      strategyId: 'chase-no',
      price: '30010',
      constraints: { limitWindowMs: 300, marketFallback: true, maxSlippageBps: '1' },
    });
    const { stop } = startQuoteFeed(h, '30000', '30010');
    try {
      await publish(req);
      await orderStatus(req.clientOrderId, 'canceled');
      await waitFor('the chase to finish', () => (service.status().activeTactics === 0 ? true : undefined));
    } finally {
      stop();
    }
    const rows = await h.db.pool.query("SELECT style, status FROM orders WHERE strategy_id = 'chase-no'");
    expect(rows.rows).toEqual([{ style: 'limit', status: 'canceled' }]);
    expect(await position('chase-no')).toBeUndefined();
  }, 30_000);
});

describe('submission around a venue stream reconnect', () => {
  it('holds order requests unacked until a reconciliation started after the reconnect is ok', async () => {
    let verdict: 'ok' | 'drift-halted' = 'drift-halted';
    const asked: number[] = [];
    const responder = h.bus.serve(
      h.subjects.command('reconciler', 'recon-now'),
      { name: 'ReconNowCommand', schema: ReconNowCommand },
      { name: 'Reply', schema: operatorReplyOf(ReconciliationReport) },
      (cmd) => {
        asked.push(cmd.requestedAt);
        return { v: 1 as const, ok: true as const, result: report(`run-${asked.length}`, clock.now(), verdict) };
      },
    );
    try {
      h.sim.dropWsConnections();
      await waitFor('a reconnect reconciliation request', () => (asked.length > 0 ? true : undefined));
      expect(service.submissionPaused).toBe(true);
      const req = orderRequest({ strategyId: 'pause', price: '23000' });
      await publish(req);
      await waitFor('the request to be held', () => (service.heldRequests === 1 ? true : undefined));
      expect(await loadOutbox(h.db.pool, req.clientOrderId)).toBeUndefined();
      verdict = 'ok';
      await h.bus.publishDurable(
        h.subjects.reconReport(),
        { name: 'ReconciliationReport', schema: ReconciliationReport },
        report('run-ok', clock.now(), 'ok'),
        { msgId: 'run-ok' },
      );
      await orderStatus(req.clientOrderId, 'new');
      expect(service.submissionPaused).toBe(false);
    } finally {
      await responder.unsubscribe();
    }
  }, 30_000);
});

function report(runId: string, startedAt: number, verdict: 'ok' | 'drift-halted'): ReconciliationReport {
  return {
    v: 1,
    runId,
    venue: 'binance',
    trigger: 'reconnect',
    startedAt,
    finishedAt: startedAt,
    counts: { ordersChecked: 0, fillsChecked: 0, balancesChecked: 0, positionsChecked: 0 },
    differences: { orders: [], fills: [], balances: [], positions: [] },
    missedFillsRecovered: [],
    unknownOpenOrders: [],
    drift: { value: verdict === 'ok' ? '0' : '10', tolerance: '1', asset: 'USDT' },
    verdict,
  };
}
