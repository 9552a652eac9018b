import { ZERO, type Decimal } from '@bourse/domain';
import type { OurFill, OurOrder, OurPosition } from './types.js';
import { amount } from './values.js';

// Our side of a run, shaped from the order manager's rows. Positions are derived from the fills,
// as the risk gate does: fills alone move positions (DESIGN 4), so the net of every stored fill is
// what the OMS must hold, and a position row that disagreed would be the OMS's own bug.

/** A stored fill with what the position and order views need (the OMS's `FillRecord` fits). */
export interface StoredFillView extends OurFill {
  readonly clientOrderId: string;
  readonly venueOrderId?: string | undefined;
  readonly strategyId: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly venueTime: number;
}

/** Net quantity and fees per (strategy, instrument), from every stored fill. */
export function positionsFromFills(fills: readonly StoredFillView[]): OurPosition[] {
  const byKey = new Map<string, { strategyId: string; instrument: string; qty: Decimal; fees: Map<string, Decimal> }>();
  for (const f of fills) {
    const key = `${f.strategyId}|${f.instrument}`;
    let p = byKey.get(key);
    if (!p) {
      p = { strategyId: f.strategyId, instrument: f.instrument, qty: ZERO, fees: new Map() };
      byKey.set(key, p);
    }
    const qty = amount(`fill ${f.venueFillId} qty`, f.qty);
    p.qty = f.side === 'BUY' ? p.qty.plus(qty) : p.qty.minus(qty);
    const fee = amount(`fill ${f.venueFillId} fee`, f.fee);
    if (!fee.isZero()) p.fees.set(f.feeAsset, (p.fees.get(f.feeAsset) ?? ZERO).plus(fee));
  }
  return [...byKey.values()]
    .sort((a, b) => (a.strategyId + a.instrument < b.strategyId + b.instrument ? -1 : 1))
    .map((p) => ({
      strategyId: p.strategyId,
      instrument: p.instrument,
      qty: p.qty.toString(),
      fees: Object.fromEntries([...p.fees].map(([asset, d]) => [asset, d.toString()])),
    }));
}

/**
 * Our open orders, plus one closed entry per other order we hold fills of, so a missed fill of an
 * order that is closed with us can still be tied to it (the store's open-order list alone would not
 * name it). Closed entries carry status `filled` and their stored quantity: compareOrders only
 * examines open orders of ours, and treats a closed one the venue lists as open as unknown.
 */
export function ordersForRun(
  open: readonly OurOrder[],
  fills: readonly StoredFillView[],
  /**
   * Orders closed recently, as stored: a market order the venue's answer already reported filled has
   * no open entry, and no fill of ours when its fills went missing — only this ties such a trade to it.
   */
  recentlyClosed: readonly OurOrder[] = [],
): OurOrder[] {
  const orders = new Map(open.map((o) => [o.clientOrderId, o]));
  for (const o of recentlyClosed) if (!orders.has(o.clientOrderId)) orders.set(o.clientOrderId, o);
  const closed = new Map<string, { fill: StoredFillView; qty: Decimal }>();
  for (const f of fills) {
    if (orders.has(f.clientOrderId)) continue;
    const seen = closed.get(f.clientOrderId);
    const qty = amount(`fill ${f.venueFillId} qty`, f.qty);
    closed.set(f.clientOrderId, { fill: seen?.fill.venueOrderId ? seen.fill : f, qty: (seen?.qty ?? ZERO).plus(qty) });
  }
  const derived: OurOrder[] = [...closed.values()].map(({ fill, qty }) => ({
    clientOrderId: fill.clientOrderId,
    venueOrderId: fill.venueOrderId,
    instrument: fill.instrument,
    strategyId: fill.strategyId,
    side: fill.side,
    status: 'filled',
    filledQty: qty.toString(),
  }));
  return [...orders.values(), ...derived];
}
