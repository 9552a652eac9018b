// Realized and unrealized P&L per position and per strategy, in exact decimals. Pure: positions and
// marks in, values out. Unrealized is qty × (mark − average entry) — signed qty, so it holds for
// shorts too — and is unknown (not zero) when an open position has no mark.
import { dec, ZERO, type Decimal } from '@bourse/domain';
import type { PositionRow } from './ledger.js';

export interface ValuedPosition extends PositionRow {
  readonly mark: string | null;
  /** Null when the position is open and has no mark. */
  readonly unrealizedPnl: string | null;
}

export interface StrategyPnl {
  readonly strategyId: string;
  readonly realizedPnl: string;
  /** Null when some open position of the strategy has no mark. */
  readonly unrealizedPnl: string | null;
  readonly openPositions: number;
}

export function valuePositions(
  positions: readonly PositionRow[],
  marks: ReadonlyMap<string, { mark: string }>,
): ValuedPosition[] {
  return positions.map((p) => {
    const mark = marks.get(p.instrument)?.mark ?? null;
    const qty = dec(p.qty);
    let unrealized: Decimal | null;
    if (qty.isZero()) unrealized = ZERO;
    else if (mark === null || p.avgEntryPrice === null) unrealized = null;
    else unrealized = qty.times(dec(mark).minus(dec(p.avgEntryPrice)));
    return { ...p, mark, unrealizedPnl: unrealized === null ? null : unrealized.normalize().toString() };
  });
}

export function pnlByStrategy(positions: readonly ValuedPosition[]): StrategyPnl[] {
  const byStrategy = new Map<string, { realized: Decimal; unrealized: Decimal | null; open: number }>();
  for (const p of positions) {
    const acc = byStrategy.get(p.strategyId) ?? { realized: ZERO, unrealized: ZERO, open: 0 };
    acc.realized = acc.realized.plus(dec(p.realizedPnl));
    acc.unrealized =
      acc.unrealized === null || p.unrealizedPnl === null ? null : acc.unrealized.plus(dec(p.unrealizedPnl));
    if (!dec(p.qty).isZero()) acc.open += 1;
    byStrategy.set(p.strategyId, acc);
  }
  return [...byStrategy.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([strategyId, acc]) => ({
      strategyId,
      realizedPnl: acc.realized.normalize().toString(),
      unrealizedPnl: acc.unrealized === null ? null : acc.unrealized.normalize().toString(),
      openPositions: acc.open,
    }));
}
