import type { Intent } from '@bourse/contracts';
import type { BarPrice, StrategyDefinition } from '@bourse/strategy';
import type { ExecutionConfig } from '../engine/execution.js';
import type { ClosedTrade, EquityPoint, Stats } from '../types.js';

// What one backtest run takes (a spec, and bars or ticks) and what it gives back.

export const BACKTEST_VENUE = 'backtest';
export const BACKTEST_STRATEGY_ID = 'backtest';

export interface BacktestSpec {
  readonly strategy: StrategyDefinition;
  /** Raw strategy params (sizing, mode and timeframe included); the definition validates them. */
  readonly params: Record<string, unknown>;
  /** `BASE/QUOTE`; a CSV of a stock is traded as e.g. `GOOG/USD`. */
  readonly symbol: string;
  readonly cash: string;
  readonly execution: Partial<ExecutionConfig>;
  readonly longShort: boolean;
  /** The bars' period; each bar closes (and is seen by the strategy) at time + barMs. */
  readonly barMs: number;
  /**
   * The hash of the strategy's code (the loader's `LoadedStrategy.codeHash`), put on every intent and so
   * on every order request the risk gate makes of one, as the strategy runner does; absent for a
   * definition handed in directly. The end-of-run closeout is the engine's order, not the strategy's:
   * it carries none.
   */
  readonly codeHash?: string;
  /** Told every intent the strategy emits, before the risk gate sees it (tests compare decisions). */
  readonly onIntent?: (intent: Intent) => void;
  /**
   * Ticks: what the strategy's bars are built from — `last` (trades, the default) or the quotes'
   * `mid`, `bid` or `ask`. Bar data is the bars' own prices and takes only `last`.
   */
  readonly barPrice?: BarPrice;
}

export interface BacktestResult {
  readonly stats: Stats;
  readonly trades: ClosedTrade[];
  readonly curve: EquityPoint[];
  readonly execution: ExecutionConfig;
  /** Where a position still open at the end was closed, if one was. */
  readonly closeout: Closeout | undefined;
  /** Intents the risk gate refused and orders the venue expired, with why (a summary for the report). */
  readonly rejections: string[];
  readonly events: number;
  /** What the data held, by kind: the input's bars, quotes and trades. */
  readonly dataHeld: DataHeld;
  /** Problems with the run as a whole, e.g. a strategy that received none of the events it asked for. */
  readonly warnings: string[];
}

export interface DataHeld {
  readonly bars: number;
  readonly quotes: number;
  readonly trades: number;
}

/** A position still open when the data ended, closed at the last price the data gave. */
export interface Closeout {
  /** The last bar's own time (bars), or the last tick's (ticks). */
  readonly time: number;
  readonly price: string;
  readonly qty: string;
  readonly side: 'BUY' | 'SELL';
  /** Which price that was, in words: "the last bar's close", "the last quote's bid", ... */
  readonly priceSource: string;
}

/** A quote or trade tick for runTickBacktest (decimal strings, times in epoch ms, in time order). */
export type TickEvent =
  | {
      readonly kind: 'quote';
      readonly time: number;
      readonly bidPrice: string;
      readonly askPrice: string;
      readonly bidQty: string;
      readonly askQty: string;
    }
  | {
      readonly kind: 'trade';
      readonly time: number;
      readonly price: string;
      readonly qty: string;
      readonly aggressor: 'BUY' | 'SELL';
      readonly id: string;
    };
