// Stored balances are the venue's balances as of the last fill the OMS applied (what the reconciler
// assumes): seeded from the venue account on first start, then moved by each applied fill in the
// fill's transaction, never by the venue's absolute account reports. Real NATS, PostgreSQL and the
// sim (in process) under this file's own namespace and database.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FillEvent,
  OrderRequest,
  VenueCorrections,
  VenueCorrectionsApplied,
  operatorReplyOf,
  type ClientOrderId,
  type InstrumentSymbol,
} from '@bourse/contracts';
import { dec } from '@bourse/domain';
import type { BinanceVenueClient } from '@bourse/venue-binance';
import { balanceMovesOfFill } from '@bourse/execution';
import { loadBalances, loadOrder } from '../store/index.js';
import type { OrderManagerService } from './order-manager-service.js';
import { orderRequest, startHarness, waitFor, type Harness } from './test-support.js';

const OrderRequestContract = { name: 'OrderRequest', schema: OrderRequest };
const BTC = 'BTC/USDT' as InstrumentSymbol;
let h: Harness;
let venue: BinanceVenueClient;
let service: OrderManagerService;

beforeAll(async () => {
  h = await startHarness();
  await h.setMode('ACTIVE');
  venue = await h.connectVenue();
  service = await h.startService(venue);
}, 30_000);

afterAll(async () => {
  await h?.close();
}, 30_000);

type Book = Record<string, { free: string; locked: string }>;

async function stored(): Promise<Book> {
  const rows = await loadBalances(h.db.pool, 'binance');
  return Object.fromEntries(
    rows.map((b) => [b.asset, { free: dec(b.free).toString(), locked: dec(b.locked).toString() }]),
  );
}

async function atVenue(): Promise<Book> {
  const rows = await venue.balances();
  return Object.fromEntries(
    rows.map((b) => [b.asset, { free: dec(b.free).toString(), locked: dec(b.locked).toString() }]),
  );
}

function total(book: Book, asset: string): string {
  const b = book[asset];
  return b === undefined ? '0' : dec(b.free).plus(dec(b.locked)).toString();
}

async function filledThrough(req: OrderRequest): Promise<void> {
  await h.bus.publishDurable(h.subjects.orderRequest(req.venueSymbol), OrderRequestContract, req, {
    msgId: req.clientOrderId,
  });
  await waitFor(`order ${req.clientOrderId} filled in Postgres`, async () =>
    (await loadOrder(h.db.pool, req.clientOrderId))?.status === 'filled' ? true : undefined,
  );
  await service.pipeline.idle();
}

describe('stored balances', () => {
  it('are seeded from the venue account on first start', async () => {
    const seeded = await stored();
    expect(Object.keys(seeded).length).toBeGreaterThan(0);
    expect(seeded).toEqual(await atVenue());
  }, 30_000);

  it('move with each fill the OMS applies, to exactly the venue balances', async () => {
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30000', quantity: '0.01' });
    await filledThrough(orderRequest({ strategyId: 'bal', qty: '0.01', price: '30000' }));
    const ours = await stored();
    expect(total(ours, 'USDT')).toBe(total(await atVenue(), 'USDT'));
    expect(ours).toEqual(await atVenue());
  }, 30_000);

  it('leave out a fill the user stream hid, also once an account report includes it; apply-corrections makes them the venue balances', async () => {
    const before = await stored();
    h.sim.setFaults({ hideUserFillsMs: 60_000 });
    const hidden = orderRequest({ strategyId: 'bal', qty: '0.002', price: '30002' });
    try {
      await h.bus.publishDurable(h.subjects.orderRequest('BTCUSDT'), OrderRequestContract, hidden, {
        msgId: hidden.clientOrderId,
      });
      await waitFor('the hidden order to be acknowledged', async () =>
        (await loadOrder(h.db.pool, hidden.clientOrderId))?.status === 'new' ? true : undefined,
      );
      h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30002', quantity: '0.002' });
      await waitFor('the venue to fill the hidden order', async () => {
        const o = await venue.queryOrder({ symbol: BTC, clientOrderId: hidden.clientOrderId as ClientOrderId });
        return o?.status === 'filled' ? o : undefined;
      });
    } finally {
      h.sim.setFaults({ hideUserFillsMs: 0 });
    }
    await service.pipeline.idle();
    expect(await stored()).toEqual(before);

    // A visible fill after the window: its account report carries the hidden fill too, and is not stored.
    h.sim.placeLiquidity({ symbol: 'BTCUSDT', side: 'SELL', price: '30003', quantity: '0.001' });
    await filledThrough(orderRequest({ strategyId: 'bal', qty: '0.001', price: '30003' }));
    const trade = await hiddenTrade(hidden);
    const fill = FillEvent.parse({
      v: 1,
      type: 'fill',
      eventId: `binance:fill:BTCUSDT:${trade.venueFillId}`,
      venue: 'binance',
      venueFillId: trade.venueFillId,
      clientOrderId: hidden.clientOrderId,
      venueOrderId: trade.venueOrderId,
      instrument: 'BTC/USDT',
      side: trade.side,
      qty: trade.quantity,
      price: trade.price,
      fee: trade.commission,
      feeAsset: trade.commissionAsset,
      liquidity: trade.liquidity,
      venueTime: trade.time,
    });
    // Ours moved by the visible fill only: the venue is ahead by exactly what the hidden fill moved.
    const [ours, theirs] = [await stored(), await atVenue()];
    const moves = balanceMovesOfFill(fill);
    expect(moves.length).toBeGreaterThanOrEqual(2);
    for (const m of moves)
      expect(
        dec(total(theirs, m.asset))
          .minus(dec(total(ours, m.asset)))
          .eq(m.delta),
      ).toBe(true);
    expect(total(ours, 'BTC')).not.toBe(total(before, 'BTC'));

    const corrections: VenueCorrections = { v: 1, runId: 'bal-run', venue: 'binance', fills: [fill], orderUpdates: [] };
    const ask = () =>
      h.bus.request(
        h.subjects.command('order-manager', 'apply-corrections'),
        { name: 'VenueCorrections', schema: VenueCorrections },
        corrections,
        { name: 'Reply', schema: operatorReplyOf(VenueCorrectionsApplied) },
      );
    const first = await ask();
    expect(first.ok && first.result).toMatchObject({ fillsApplied: 1, fillsAlreadyKnown: 0 });
    expect(await stored()).toEqual(await atVenue());
    const second = await ask();
    expect(second.ok && second.result).toMatchObject({ fillsApplied: 0, fillsAlreadyKnown: 1 });
    expect(await stored()).toEqual(await atVenue());
    expect((await loadOrder(h.db.pool, hidden.clientOrderId))?.status).toBe('filled');
  }, 45_000);
});

async function hiddenTrade(req: OrderRequest) {
  const order = await venue.queryOrder({ symbol: BTC, clientOrderId: req.clientOrderId as ClientOrderId });
  const trades = await venue.trades({ symbol: BTC });
  const mine = trades.filter((t) => t.venueOrderId === order?.venueOrderId);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}
