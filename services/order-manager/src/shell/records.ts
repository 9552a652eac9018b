// Tracker objects → store records. Decimals go as plain strings (the domain's Decimal never prints an
// exponent); times are the caller's clock or the venue's, in epoch ms.

import type { Fill, Position } from '@bourse/domain';
import { averageFillPrice, dec, emptyPosition, ZERO } from '@bourse/domain';
import type { AppliedFill, TrackedOrder } from '@bourse/execution';
import type { FillRecord, OrderRecord, PositionRecord, StoredPosition } from '../store/index.js';

/** The order row for the tracker's current view of an order. */
export function orderRecordOf(tracked: TrackedOrder): OrderRecord {
  const { request, order } = tracked;
  const filled = order.filledQty.isPositive();
  const avg = filled ? averageFillPrice(order) : undefined;
  const createdAt = order.createdAtMs;
  return {
    clientOrderId: request.clientOrderId,
    venue: request.venue,
    instrument: request.instrument,
    venueOrderId: order.venueOrderId,
    strategyId: request.strategyId,
    strategyVersion: request.strategyVersion,
    side: request.side,
    style: request.style,
    qty: request.qty,
    quoteQty: request.quoteQty,
    price: request.price,
    stopPrice: request.stopPrice,
    timeInForce: request.timeInForce,
    status: order.status,
    filledQty: order.filledQty.toString(),
    cumulativeQuoteQty: filled ? (order.filledQuoteQty ?? ZERO).toString() : '0',
    avgPrice: avg !== undefined && avg.isPositive() ? avg.normalize().toString() : undefined,
    reason: order.rejectReason,
    codeHash: request.codeHash,
    createdAt,
    // The venue's clock may trail ours by a little; the row never claims to change before it was made.
    updatedAt: Math.max(order.updatedAtMs, createdAt),
  };
}

export function fillRecordOf(applied: AppliedFill, recordedAt: number): FillRecord {
  const f = applied.event;
  return {
    venue: f.venue,
    instrument: f.instrument,
    venueFillId: f.venueFillId,
    clientOrderId: f.clientOrderId,
    venueOrderId: f.venueOrderId,
    strategyId: applied.strategyId,
    side: f.side,
    qty: f.qty,
    price: f.price,
    fee: f.fee,
    feeAsset: f.feeAsset,
    liquidity: f.liquidity,
    venueTime: f.venueTime,
    recordedAt,
  };
}

export function positionRecordOf(p: Position, updatedAt: number): PositionRecord {
  let lotQty = ZERO;
  let lotCost = ZERO;
  for (const lot of p.lots) {
    lotQty = lotQty.plus(lot.qty);
    lotCost = lotCost.plus(lot.qty.times(lot.price));
  }
  return {
    strategyId: p.strategyId,
    instrument: p.instrument,
    qty: p.qty.toString(),
    avgEntryPrice: p.qty.isZero() || !lotQty.isPositive() ? undefined : lotCost.div(lotQty, 12).normalize().toString(),
    realizedPnl: p.realizedPnl.toString(),
    fees: Object.fromEntries(Object.entries(p.fees).map(([asset, amount]) => [asset, amount.toString()])),
    lots: p.lots.map((lot) => ({ qty: lot.qty.toString(), price: lot.price.toString() })),
    fillCount: p.fillCount,
    lastFillAt: p.lastFillAtMs,
    updatedAt,
  };
}

/** A stored position row as the domain's position: the checkpoint a restored book continues from. */
export function positionOfRecord(p: StoredPosition): Position {
  return {
    ...emptyPosition(p.strategyId, p.instrument),
    qty: dec(p.qty),
    lots: p.lots.map((lot) => ({ qty: dec(lot.qty), price: dec(lot.price) })),
    realizedPnl: dec(p.realizedPnl),
    fees: Object.fromEntries(Object.entries(p.fees).map(([asset, amount]) => [asset, dec(amount)])),
    fillCount: p.fillCount,
    ...(p.lastFillAt !== undefined ? { lastFillAtMs: p.lastFillAt } : {}),
  };
}

/** The fields of a fill (a stored row or a venue's FillEvent) that move a position. */
type FillFields = Pick<
  FillRecord,
  'venueFillId' | 'instrument' | 'side' | 'qty' | 'price' | 'fee' | 'feeAsset' | 'venueTime' | 'clientOrderId'
>;

/** A fill of `strategyId` as the domain's fill (what moves a position). */
export function domainFillOf(f: FillFields, strategyId: string): Fill {
  return {
    fillId: f.venueFillId,
    strategyId,
    instrument: f.instrument,
    side: f.side,
    qty: dec(f.qty),
    price: dec(f.price),
    fee: { asset: f.feeAsset, amount: dec(f.fee) },
    atMs: f.venueTime,
    clientOrderId: f.clientOrderId,
  };
}

/** A stored fill as the domain's fill. */
export function domainFillOfRecord(f: FillRecord): Fill {
  return domainFillOf(f, f.strategyId);
}
