import type { Decimal } from './decimal.js';
import { ONE, ZERO } from './decimal.js';
import { FillConflictError, InvalidArgumentError } from './errors.js';
import { applyFill, emptyPosition, unrealizedPnl, type Fill, type Position } from './position.js';

// Every position, keyed by (strategy, instrument), built from fills only. A fill is applied once:
// its key is (instrument, venue fill id), and a second copy changes nothing. Fills are folded in
// venue order (trade time, then trade id), whatever order they arrive in: one that arrives late
// (a missed fill the reconciler fed back) is slotted into place and the position is replayed, so
// the result never depends on arrival order.
//
// Memory: the book keeps each position's fills for that replay. The OMS persists fills anyway; a
// long-running book can be rebuilt from the store (e.g. from the fills of open positions only).
//
// Checkpoints: `restore` puts back a position saved after the fills it covers, and fills then apply
// on top of it; a replay starts from the checkpoint, not from flat. A fill older than the
// checkpoint's newest that arrives after it (one the venue shows only now) is applied on top as
// well: its quantity and fees count exactly, only the FIFO order of lots it meets may differ from a
// replay of every fill.

export type ApplyFillResult =
  | { readonly outcome: 'applied'; readonly position: Position; readonly replayed: boolean }
  | { readonly outcome: 'duplicate'; readonly position: Position }
  | { readonly outcome: 'rejected'; readonly error: FillConflictError | InvalidArgumentError };

/** Price of an instrument (its mark) in its quote asset, or undefined when none is known. */
export type MarkPrice = (instrument: string) => Decimal | undefined;

export interface PnlSummary {
  /** Net signed quantity per instrument. */
  readonly netQty: Readonly<Record<string, Decimal>>;
  /** Realized P&L per quote asset (P&L of different quote assets is never added together). */
  readonly realized: Readonly<Record<string, Decimal>>;
  /** Unrealized P&L per quote asset, over the instruments that have a mark. */
  readonly unrealized: Readonly<Record<string, Decimal>>;
  /** Open instruments with no mark price: their unrealized P&L is not in `unrealized`. */
  readonly unmarked: readonly string[];
  /** Fees paid per asset. */
  readonly fees: Readonly<Record<string, Decimal>>;
}

/** Orders fills as the venue executed them: by time, then by trade id (numerically when both are integers). */
export function compareFills(a: Fill, b: Fill): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return compareIds(a.fillId, b.fillId);
}

function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Folds fills into one position in venue order, skipping repeated fill ids (exact); throws InvalidArgumentError on a fill of another strategy or instrument, FillConflictError on a conflicting repeat. */
export function positionFromFills(
  strategyId: string,
  instrument: string,
  fills: Iterable<Fill>,
  multiplier: Decimal = ONE,
): Position {
  const book = new PositionBook(() => multiplier);
  for (const fill of fills) {
    if (fill.strategyId !== strategyId || fill.instrument !== instrument) {
      throw new InvalidArgumentError('fill', fill.fillId, `belongs to ${fill.strategyId} ${fill.instrument}`);
    }
    const r = book.applyFill(fill);
    if (r.outcome === 'rejected') throw r.error;
  }
  return book.position(strategyId, instrument);
}

/** Positions per (strategy, instrument) from de-duplicated fills, with per-strategy, per-instrument and total views. */
export class PositionBook {
  private readonly positionsByKey = new Map<string, Position>();
  private readonly fillsByKey = new Map<string, Fill[]>();
  private readonly seen = new Map<string, Fill>();
  /** Restored checkpoints: where a replay of a position starts. */
  private readonly basesByKey = new Map<string, Position>();

  /** `multiplier` gives each instrument's contract multiplier (1 for spot, the default). */
  constructor(private readonly multiplier: (instrument: string) => Decimal = () => ONE) {}

  /** Applies a fill once (exact, venue order); a repeat is `duplicate`, a different fill under a seen id or a malformed fill is `rejected` and changes nothing. */
  applyFill(fill: Fill): ApplyFillResult {
    const fillKey = `${fill.instrument}|${fill.fillId}`;
    const seen = this.seen.get(fillKey);
    if (seen) {
      const diff = difference(seen, fill);
      if (diff) return { outcome: 'rejected', error: new FillConflictError(fillKey, diff) };
      return { outcome: 'duplicate', position: this.position(fill.strategyId, fill.instrument) };
    }
    const key = positionKey(fill.strategyId, fill.instrument);
    const current = this.positionsByKey.get(key) ?? this.empty(fill.strategyId, fill.instrument);
    if (current instanceof InvalidArgumentError) return { outcome: 'rejected', error: current };
    const fills = this.fillsByKey.get(key) ?? [];
    const last = fills[fills.length - 1];
    let next: Position;
    let replayed = false;
    try {
      if (!last || compareFills(last, fill) < 0) {
        next = applyFill(current, fill);
        fills.push(fill);
      } else {
        // Arrived out of order: slot it in where the venue executed it and replay.
        const at = fills.findIndex((f) => compareFills(f, fill) > 0);
        const replay = [...fills];
        replay.splice(at < 0 ? replay.length : at, 0, fill);
        const base = this.basesByKey.get(key) ?? (this.empty(fill.strategyId, fill.instrument) as Position);
        next = replay.reduce(applyFill, base);
        fills.splice(0, fills.length, ...replay);
        replayed = true;
      }
    } catch (error) {
      if (error instanceof InvalidArgumentError) return { outcome: 'rejected', error };
      throw error;
    }
    this.fillsByKey.set(key, fills);
    this.positionsByKey.set(key, next);
    this.seen.set(fillKey, fill);
    return { outcome: 'applied', position: next, replayed };
  }

  /**
   * Puts back a checkpoint: a position as saved after the fills it covers (which are not given
   * again). Later fills apply on top of it. Replaces whatever the book held for that position.
   */
  restore(position: Position): void {
    const key = positionKey(position.strategyId, position.instrument);
    this.basesByKey.set(key, position);
    this.positionsByKey.set(key, position);
    this.fillsByKey.set(key, []);
  }

  /**
   * Records a fill a restored checkpoint already covers, without moving the position: a second copy
   * of it (the venue's answer to a query) is then a duplicate, as it would be without the checkpoint.
   */
  restoreCovered(fill: Fill): void {
    this.seen.set(`${fill.instrument}|${fill.fillId}`, fill);
  }

  /** The position of a strategy in an instrument (flat when it never traded); throws InvalidArgumentError when the instrument is not BASE/QUOTE. */
  position(strategyId: string, instrument: string): Position {
    const p = this.positionsByKey.get(positionKey(strategyId, instrument)) ?? this.empty(strategyId, instrument);
    if (p instanceof InvalidArgumentError) throw p;
    return p;
  }

  /** Every position that has had a fill, by strategy then instrument; never throws. */
  positions(): Position[] {
    return [...this.positionsByKey.values()].sort(
      (a, b) => compareIds(a.strategyId, b.strategyId) || compareIds(a.instrument, b.instrument),
    );
  }

  /** The positions of one strategy; never throws. */
  byStrategy(strategyId: string): Position[] {
    return this.positions().filter((p) => p.strategyId === strategyId);
  }

  /** Every strategy's position in one instrument; never throws. */
  byInstrument(instrument: string): Position[] {
    return this.positions().filter((p) => p.instrument === instrument);
  }

  /** The fills applied to one position, in venue order; never throws. */
  fills(strategyId: string, instrument: string): readonly Fill[] {
    return [...(this.fillsByKey.get(positionKey(strategyId, instrument)) ?? [])];
  }

  /** The fills of one position at or after `atMs` (venue time), in venue order, without copying the older ones. */
  fillsSince(strategyId: string, instrument: string, atMs: number): readonly Fill[] {
    const all = this.fillsByKey.get(positionKey(strategyId, instrument)) ?? [];
    let first = all.length;
    while (first > 0 && (all[first - 1]?.atMs ?? 0) >= atMs) first--;
    return all.slice(first);
  }

  /** P&L of one strategy across its instruments (exact; unmarked instruments listed, not guessed). */
  strategySummary(strategyId: string, mark: MarkPrice): PnlSummary {
    return summarize(this.byStrategy(strategyId), mark);
  }

  /** P&L of one instrument across strategies (exact; net quantity is the combined exposure). */
  instrumentSummary(instrument: string, mark: MarkPrice): PnlSummary {
    return summarize(this.byInstrument(instrument), mark);
  }

  /** P&L of everything in the book (exact; per quote asset). */
  totalSummary(mark: MarkPrice): PnlSummary {
    return summarize(this.positions(), mark);
  }

  private empty(strategyId: string, instrument: string): Position | InvalidArgumentError {
    try {
      return emptyPosition(strategyId, instrument, this.multiplier(instrument));
    } catch (error) {
      if (error instanceof InvalidArgumentError) return error;
      throw error;
    }
  }
}

/** Adds up positions per instrument, quote asset and fee asset (exact); an open position without a mark is listed in `unmarked`. */
export function summarize(positions: Iterable<Position>, mark: MarkPrice): PnlSummary {
  const netQty: Record<string, Decimal> = {};
  const realized: Record<string, Decimal> = {};
  const unrealized: Record<string, Decimal> = {};
  const fees: Record<string, Decimal> = {};
  const unmarked = new Set<string>();
  const add = (into: Record<string, Decimal>, key: string, value: Decimal) => {
    into[key] = (into[key] ?? ZERO).plus(value);
  };
  for (const p of positions) {
    add(netQty, p.instrument, p.qty);
    add(realized, p.quote, p.realizedPnl);
    for (const [asset, amount] of Object.entries(p.fees)) add(fees, asset, amount);
    if (p.qty.isZero()) continue;
    const m = mark(p.instrument);
    if (m === undefined || !m.isPositive()) unmarked.add(p.instrument);
    else add(unrealized, p.quote, unrealizedPnl(p, m));
  }
  return { netQty, realized, unrealized, unmarked: [...unmarked].sort(), fees };
}

function positionKey(strategyId: string, instrument: string): string {
  return `${strategyId}|${instrument}`;
}

function difference(a: Fill, b: Fill): string | undefined {
  if (a.strategyId !== b.strategyId) return `strategy ${a.strategyId} vs ${b.strategyId}`;
  if (a.side !== b.side) return `side ${a.side} vs ${b.side}`;
  if (!a.qty.eq(b.qty)) return `qty ${a.qty} vs ${b.qty}`;
  if (!a.price.eq(b.price)) return `price ${a.price} vs ${b.price}`;
  const fa = a.fee ? `${a.fee.amount} ${a.fee.asset}` : 'none';
  const fb = b.fee ? `${b.fee.amount} ${b.fee.asset}` : 'none';
  if (a.fee?.asset !== b.fee?.asset || !(a.fee?.amount ?? ZERO).eq(b.fee?.amount ?? ZERO)) return `fee ${fa} vs ${fb}`;
  return undefined;
}
