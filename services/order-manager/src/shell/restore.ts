// Start-up (DESIGN 9, first step): the venue's instruments into the store (orders reference them),
// then the OMS's own state back into memory: open orders with their event numbering and fills, the
// positions from their checkpoint (the rows saved with the fills, complete up to the account's
// `fill_checkpoints.through_seq`) plus the fills stored after it, and the row versions the next
// writes must name. What is read grows with open orders and recent fills, never with history.

import { FillEvent, Instrument, type OrderRequest } from '@bourse/contracts';
import { dec, type InstrumentSpec, type Order } from '@bourse/domain';
import type { VenueClient } from '@bourse/venues';
import type pg from 'pg';
import { fillEventId, quoteSizedQuantity, type OrderTracker } from '@bourse/execution';
import {
  listFillsAfter,
  listFillsOfOrders,
  listOpenOrders,
  loadFillCheckpoint,
  loadOutbox,
  loadBalances,
  loadPositions,
  upsertBalance,
  upsertInstrument,
  type FillRecord,
  type StoredOrder,
} from '../store/index.js';
import type { ExecutionStore } from './execution-store.js';
import { domainFillOfRecord, positionOfRecord } from './records.js';

export interface RestoreSummary {
  readonly instruments: number;
  readonly openOrders: number;
  /** Fill rows read: those of the open orders and those stored after the checkpoint. */
  readonly fills: number;
  /** Fills stored after the checkpoint (applied to the positions on top of it). */
  readonly fillsAfterCheckpoint: number;
  /** The checkpoint: fills up to this store number are in the position rows. */
  readonly checkpointSeq: number;
  readonly positions: number;
}

/** The contract form of a venue instrument, or undefined when the venue leaves out a filter the store requires. */
export function instrumentOf(spec: InstrumentSpec): Instrument | undefined {
  const { tickSize, stepSize, maxQty } = spec;
  if (tickSize === undefined || stepSize === undefined || maxQty === undefined) return undefined;
  const parsed = Instrument.safeParse({
    v: 1,
    symbol: spec.symbol,
    venue: spec.venue,
    venueSymbol: spec.venueSymbol,
    base: spec.base,
    quote: spec.quote,
    tickSize: tickSize.toString(),
    stepSize: stepSize.toString(),
    ...(spec.marketStepSize !== undefined ? { marketStepSize: spec.marketStepSize.toString() } : {}),
    minQty: (spec.minQty ?? dec('0')).toString(),
    maxQty: maxQty.toString(),
    minNotional: (spec.minNotional ?? dec('0')).toString(),
    multiplier: spec.multiplier.toString(),
  });
  return parsed.success ? parsed.data : undefined;
}

/** Stores the venue's instruments; returns how many were stored and the symbols skipped. */
export async function syncInstruments(
  pool: pg.Pool,
  specs: readonly InstrumentSpec[],
  at: number,
): Promise<{ stored: number; skipped: string[] }> {
  let stored = 0;
  const skipped: string[] = [];
  for (const spec of specs) {
    const instrument = instrumentOf(spec);
    if (instrument === undefined) {
      skipped.push(spec.venueSymbol);
      continue;
    }
    await upsertInstrument(pool, instrument, { rawFilters: {}, updatedAt: at });
    stored += 1;
  }
  return { stored, skipped };
}

/**
 * Seeds the stored balances from the venue's account (REST) when none is stored for this venue:
 * the first start. After that they move only with the fills the OMS applies, so a later snapshot
 * (which may include a fill the OMS never got) is never taken. Returns the assets seeded, or
 * undefined when balances were stored already.
 */
export async function seedBalances(
  pool: pg.Pool,
  venue: Pick<VenueClient, 'venue' | 'balances'>,
  at: number,
): Promise<number | undefined> {
  if ((await loadBalances(pool, venue.venue)).length > 0) return undefined;
  const balances = await venue.balances();
  for (const b of balances) {
    await upsertBalance(pool, { venue: venue.venue, asset: b.asset, free: b.free, locked: b.locked, updatedAt: at });
  }
  return balances.length;
}

/**
 * The domain order of a stored row. A quote-sized order's base quantity is what it executed once
 * closed, provisional before (the row keeps the quote size only).
 */
export function orderOfStored(row: StoredOrder): Order | undefined {
  if (row.qty === undefined && row.quoteQty === undefined) return undefined;
  return {
    clientOrderId: row.clientOrderId,
    strategyId: row.strategyId,
    instrument: row.instrument,
    side: row.side,
    style: row.style,
    quantity: row.qty !== undefined ? dec(row.qty) : quoteSizedQuantity(row.status, dec(row.filledQty)),
    ...(row.price !== undefined ? { price: dec(row.price) } : {}),
    status: row.status,
    filledQty: dec(row.filledQty),
    ...(dec(row.filledQty).isPositive() ? { filledQuoteQty: dec(row.cumulativeQuoteQty) } : {}),
    ...(row.venueOrderId !== undefined ? { venueOrderId: row.venueOrderId } : {}),
    ...(row.status === 'rejected' && row.reason !== undefined ? { rejectReason: row.reason } : {}),
    createdAtMs: row.createdAt,
    updatedAtMs: row.updatedAt,
  };
}

/** Status updates recorded per order: the next event number continues from here. */
async function statusSeqs(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const result = await pool.query<{ client_order_id: string; n: string }>(
    `SELECT client_order_id, count(*)::text AS n FROM order_events
      WHERE type = 'order-status' AND client_order_id = ANY($1::text[]) GROUP BY client_order_id`,
    [ids],
  );
  return new Map(result.rows.map((r) => [r.client_order_id, Number(r.n)]));
}

async function restoreOrders(
  pool: pg.Pool,
  rows: readonly StoredOrder[],
  tracker: OrderTracker,
  store: ExecutionStore,
): Promise<number> {
  const seqs = await statusSeqs(
    pool,
    rows.map((r) => r.clientOrderId),
  );
  let restored = 0;
  for (const row of rows) {
    const order = orderOfStored(row);
    const entry = await loadOutbox(pool, row.clientOrderId);
    if (order === undefined || entry === undefined) continue;
    const request: OrderRequest = entry.request;
    tracker.restore(request, order, Math.max(1, seqs.get(row.clientOrderId) ?? 1));
    store.rememberOrderVersion(row.clientOrderId, row.version);
    restored += 1;
  }
  return restored;
}

/** The contract fill of a stored row, for the tracker. */
export function fillEventOfRecord(f: FillRecord, venueSymbol: string): FillEvent {
  return FillEvent.parse({
    v: 1,
    type: 'fill',
    eventId: fillEventId(f.venue, venueSymbol, f.venueFillId),
    venue: f.venue,
    venueFillId: f.venueFillId,
    clientOrderId: f.clientOrderId,
    venueOrderId: f.venueOrderId ?? 'unknown',
    instrument: f.instrument,
    side: f.side,
    qty: f.qty,
    price: f.price,
    fee: f.fee,
    feeAsset: f.feeAsset,
    liquidity: f.liquidity,
    venueTime: f.venueTime,
  });
}

/**
 * Loads open orders (with their fills), the positions from their checkpoint plus the fills stored
 * after it, and the row versions into the tracker and the store. Fills after the checkpoint (stored
 * by another writer than this service's transactions, which move the checkpoint with each fill) are
 * applied and checkpointed at once, so the next start does not read them again.
 */
export async function restoreState(
  pool: pg.Pool,
  tracker: OrderTracker,
  store: ExecutionStore,
  venue: string,
): Promise<Omit<RestoreSummary, 'instruments'>> {
  const open = await listOpenOrders(pool);
  const openOrders = await restoreOrders(pool, open, tracker, store);
  const checkpointSeq = await loadFillCheckpoint(pool, venue);
  const positions = await loadPositions(pool);
  for (const p of positions) {
    const position = positionOfRecord(p);
    tracker.restorePosition(position);
    store.rememberPosition(position, p.version);
  }
  const ofOpen = await listFillsOfOrders(
    pool,
    open.map((o) => o.clientOrderId),
  );
  const after = await listFillsAfter(pool, venue, checkpointSeq);
  for (const f of ofOpen) {
    const tracked = tracker.get(f.clientOrderId);
    if (tracked === undefined || (f.seq ?? 0) > checkpointSeq) continue; // a later fill: applied below
    tracker.restoreFill(fillEventOfRecord(f, tracked.request.venueSymbol), true);
  }
  // Fills of orders no longer open move positions too; their orders need not be followed for that.
  for (const f of after) {
    const tracked = tracker.get(f.clientOrderId);
    if (tracked) tracker.restoreFill(fillEventOfRecord(f, tracked.request.venueSymbol));
    else tracker.positions.applyFill(domainFillOfRecord(f));
  }
  if (after.length > 0) await store.checkpoint(venue, after.map(domainFillOfRecord));
  return {
    openOrders,
    fills: ofOpen.length + after.length,
    fillsAfterCheckpoint: after.length,
    checkpointSeq,
    positions: positions.length,
  };
}
