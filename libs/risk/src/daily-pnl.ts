import { ZERO, applyFill, emptyPosition, unrealizedPnl, type Decimal, type Fill } from '@bourse/domain';

// The trading day's P&L of one position, marked to market from the start of the day: a position
// carried across the day boundary is valued from the mark at the boundary, not from its entry
// price, so yesterday's gain or loss never counts as today's. The carried quantity is put back as
// one lot at the day-start mark, today's fills are folded on top of it (FIFO, as the position
// itself), and the result's realized P&L is what today's fills realized, its unrealized P&L what
// the open quantity made since the boundary (or since its fill today). Every fee of today's fills
// is subtracted, converted to the quote asset at the current mark: a quote fee as it is, a base fee
// at the instrument's mid, a third asset's fee at its own mid against the quote asset.

export const DAY_MS = 86_400_000;

/** The start (epoch ms) of the trading day holding `ms`, for a day that starts `offsetMs` after UTC midnight. */
export function dayStart(ms: number, offsetMs = 0): number {
  return Math.floor((ms - offsetMs) / DAY_MS) * DAY_MS + offsetMs;
}

/** A mark at the day boundary: `estimated` when the gate saw no quote before the boundary (it started later). */
export interface DayStartMark {
  readonly dayStart: number;
  readonly mid: Decimal;
  readonly estimated: boolean;
}

export interface PositionDayPnl {
  readonly realized: Decimal;
  /** Undefined when an open quantity has no current mark (not counted). */
  readonly unrealized: Decimal | undefined;
  /** Fees of today's fills that could be converted, in the quote asset. */
  readonly fees: Decimal;
  /** Fees in an asset with no mark against the quote asset, per asset. */
  readonly unpricedFees: ReadonlyMap<string, Decimal>;
  /** True when the carried quantity was valued from an estimated (or, lacking one, the current) mark. */
  readonly estimatedStart: boolean;
}

export interface PositionDayInput {
  readonly strategyId: string;
  readonly instrument: string;
  readonly multiplier: Decimal;
  /** The position's fills of the trading day (at or after `dayStart`), in venue order. */
  readonly todaysFills: readonly Fill[];
  /** The position's signed quantity now. */
  readonly qty: Decimal;
  readonly dayStart: number;
  /** The instrument's mark at the day boundary. */
  readonly startMark: DayStartMark | undefined;
  /** The instrument's mid now. */
  readonly mark: Decimal | undefined;
  /** The mid of `asset` against the position's quote asset, when held. */
  readonly priceOf: (asset: string) => Decimal | undefined;
}

/** The day's P&L of one position (see the file comment). */
export function positionDayPnl(input: PositionDayInput): PositionDayPnl {
  const [base = '', quote = ''] = input.instrument.split('/');
  const today = input.todaysFills;
  const carried = today.reduce((q, f) => (f.side === 'BUY' ? q.minus(f.qty) : q.plus(f.qty)), input.qty);

  let position = emptyPosition(input.strategyId, input.instrument, input.multiplier);
  let estimatedStart = false;
  if (!carried.isZero()) {
    // Without any mark the carried quantity cannot be valued: it stays out, like an unmarked position.
    const startMid = input.startMark?.mid ?? input.mark;
    estimatedStart = input.startMark === undefined || input.startMark.estimated;
    if (startMid === undefined) {
      return { realized: ZERO, unrealized: undefined, fees: ZERO, unpricedFees: new Map(), estimatedStart };
    }
    position = applyFill(position, {
      fillId: '~day-start',
      strategyId: input.strategyId,
      instrument: input.instrument,
      side: carried.isPositive() ? 'BUY' : 'SELL',
      qty: carried.abs(),
      price: startMid,
      atMs: input.dayStart - 1,
    });
  }
  let fees = ZERO;
  const unpricedFees = new Map<string, Decimal>();
  for (const fill of today) {
    position = applyFill(position, { ...fill, fee: undefined });
    if (fill.fee === undefined || fill.fee.amount.isZero()) continue;
    const { asset, amount } = fill.fee;
    const price = asset === quote ? undefined : asset === base ? input.mark : input.priceOf(asset);
    if (asset === quote) fees = fees.plus(amount);
    else if (price !== undefined) fees = fees.plus(amount.times(price));
    else unpricedFees.set(asset, (unpricedFees.get(asset) ?? ZERO).plus(amount));
  }
  const unrealized = position.qty.isZero()
    ? ZERO
    : input.mark === undefined
      ? undefined
      : unrealizedPnl(position, input.mark);
  return { realized: position.realizedPnl, unrealized, fees, unpricedFees, estimatedStart };
}
