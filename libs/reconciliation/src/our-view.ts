import { ZERO, type Decimal } from '@bourse/domain';
import type { OurFill, OurOrder, OurPosition } from './types.js';
import { amount } from './values.js';

// Our side of a run, shaped from the order manager's rows. Positions come from fills alone (DESIGN
// 4): the OMS's position rows are saved in the transaction of the fills that moved them and are
// complete up to its fill checkpoint, so those rows plus the fills stored after the checkpoint are
// the net of every stored fill, read without the history.

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
  return positionsFromCheckpoint([], fills);
}

/**
 * Net quantity and fees per (strategy, instrument) from the OMS's checkpoint (its position rows,
 * saved with the fills they cover) plus the fills stored after it: the same numbers as every stored
 * fill, read without the history.
 */
export function positionsFromCheckpoint(
  checkpoint: readonly OurPosition[],
  laterFills: readonly StoredFillView[],
): OurPosition[] {
  const byKey = new Map<string, { strategyId: string; instrument: string; qty: Decimal; fees: Map<string, Decimal> }>();
  for (const p of checkpoint) {
    const fees = new Map<string, Decimal>();
    for (const [asset, fee] of Object.entries(p.fees))
      fees.set(asset, amount(`position ${p.strategyId} ${p.instrument} fee ${asset}`, fee));
    byKey.set(`${p.strategyId}|${p.instrument}`, {
      strategyId: p.strategyId,
      instrument: p.instrument,
      qty: amount(`position ${p.strategyId} ${p.instrument} qty`, p.qty),
      fees,
    });
  }
  for (const f of laterFills) {
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
