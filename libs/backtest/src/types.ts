import type { DecimalString, Side } from '@bourse/contracts';

/** Account equity marked at one bar's close, with the instrument's close for buy-and-hold. */
export interface EquityPoint {
  /** The bar's time, epoch milliseconds UTC (the same time the bar carries). */
  readonly time: number;
  /** Cash plus positions marked at the close, in quote currency (a float: statistics only). */
  readonly equity: number;
  /** The instrument's close at this bar (a float: statistics and charts only). */
  readonly price: number;
}

/** A round trip: a position opened and closed again. */
export interface ClosedTrade {
  /** Side of the entry: BUY for a long trade, SELL for a short one. */
  readonly side: Side;
  /** Quantity traded, above zero. */
  readonly qty: DecimalString;
  readonly entryTime: number;
  readonly entryPrice: DecimalString;
  readonly exitTime: number;
  readonly exitPrice: DecimalString;
  /** Profit or loss in quote currency, net of `fees`; exact. */
  readonly pnl: DecimalString;
  /** `pnl` as a percentage of the entry notional (qty × entryPrice): 2.5 means +2.5 %. */
  readonly returnPct: number;
  /** Fees paid on entry and exit, in quote currency; exact. */
  readonly fees: DecimalString;
}

/**
 * Summary figures of a backtest, defined as backtesting.py defines them (README lists every formula).
 * A figure that cannot be computed (no trades, no losses, flat equity) is NaN, and an unbounded one
 * (Sortino without a losing day) is Infinity, as there; the JSON report writes both as null.
 */
export interface Stats {
  /** First bar's time, ISO 8601 UTC. */
  readonly start: string;
  /** Last bar's time, ISO 8601 UTC. */
  readonly end: string;
  readonly equityStart: number;
  readonly equityFinal: number;
  readonly equityPeak: number;
  readonly returnPct: number;
  readonly buyAndHoldReturnPct: number;
  readonly annualReturnPct: number;
  readonly annualVolatilityPct: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly calmar: number;
  /** Deepest fall from a running peak, as a negative percentage (0 when equity never fell). */
  readonly maxDrawdownPct: number;
  /** Longest time from a peak to its recovery (or to the end), in days; NaN when equity never fell. */
  readonly maxDrawdownDays: number;
  /** Share of bars during which a trade was open, in percent. */
  readonly exposurePct: number;
  readonly tradeCount: number;
  readonly winRatePct: number;
  readonly bestTradePct: number;
  readonly worstTradePct: number;
  readonly avgTradePct: number;
  readonly profitFactor: number;
  readonly expectancyPct: number;
  /** All fees paid, in quote currency; exact. */
  readonly feesPaid: DecimalString;
}

export interface StatsInput {
  /** Equity at every bar's close, in time order (at least one point). */
  readonly curve: readonly EquityPoint[];
  /** Closed trades; a backtest should close what is open at the last bar, as backtesting.py does. */
  readonly trades: readonly ClosedTrade[];
  /** Total fees, when they differ from the sum of the trades' fees (fees of a still-open position). */
  readonly feesPaid?: DecimalString;
  /** Annual risk-free rate as a fraction (0.02 = 2 %), for Sharpe and Sortino; default 0. */
  readonly riskFreeRate?: number;
}
