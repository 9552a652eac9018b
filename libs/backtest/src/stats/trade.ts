import type { DecimalString, Side } from '@bourse/contracts';
import { dec, type Decimal } from '@bourse/domain';
import { InvalidBacktestArgumentError } from '../errors.js';
import type { ClosedTrade } from '../types.js';

/** A round trip as the engine knows it; `closedTrade` works out its profit and return. */
export interface TradeLegs {
  readonly side: Side;
  readonly qty: DecimalString;
  readonly entryTime: number;
  readonly entryPrice: DecimalString;
  readonly exitTime: number;
  readonly exitPrice: DecimalString;
  /** Entry and exit fees together, in quote currency. */
  readonly fees: DecimalString;
}

/** Places kept in the return division before it becomes a float; far below a float's precision. */
const RETURN_PLACES = 20;

/**
 * Builds a ClosedTrade. pnl = ±qty × (exit − entry) − fees (exact; + for BUY, − for SELL) and
 * returnPct = pnl / (qty × entry) × 100, which is backtesting.py's `pl_pct` (the price move less the
 * fees as a share of the entry notional). Throws InvalidBacktestArgumentError on a bad leg.
 */
export function closedTrade(legs: TradeLegs): ClosedTrade {
  if (legs.side !== 'BUY' && legs.side !== 'SELL') {
    throw new InvalidBacktestArgumentError('trade side', legs.side, 'must be BUY or SELL');
  }
  const qty = positive('trade qty', legs.qty);
  const entry = positive('trade entryPrice', legs.entryPrice);
  const exit = positive('trade exitPrice', legs.exitPrice);
  const fees = dec(legs.fees);
  if (fees.isNegative()) throw new InvalidBacktestArgumentError('trade fees', legs.fees, 'must not be negative');
  if (!(legs.exitTime >= legs.entryTime)) {
    throw new InvalidBacktestArgumentError('trade exitTime', legs.exitTime, `is before entryTime ${legs.entryTime}`);
  }
  const move = legs.side === 'BUY' ? exit.minus(entry) : entry.minus(exit);
  const pnl = qty.times(move).minus(fees);
  const returnPct = pnl.div(qty.times(entry), RETURN_PLACES).toNumber() * 100;
  return {
    side: legs.side,
    qty: qty.toString(),
    entryTime: legs.entryTime,
    entryPrice: entry.toString(),
    exitTime: legs.exitTime,
    exitPrice: exit.toString(),
    pnl: pnl.toString(),
    returnPct,
    fees: fees.toString(),
  };
}

function positive(field: string, text: string): Decimal {
  const value = dec(text);
  if (!value.isPositive()) throw new InvalidBacktestArgumentError(field, text, 'must be above zero');
  return value;
}
