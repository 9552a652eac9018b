import { dec, tryDec, type Decimal } from '@bourse/domain';
import { InvalidBacktestArgumentError } from '../errors.js';

/** When a market order decided on a bar fills: at the next bar's open, or at the close of the bar it was decided on. */
export type FillMode = 'next-open' | 'close';

/**
 * Every execution assumption of a backtest, explicit, printed in the report. Rates are fractions
 * (0.001 = 0.1 %), spread and fixed slippage in basis points, all exact decimal strings.
 */
export interface ExecutionConfig {
  readonly fill: FillMode;
  /** Whole bid/ask spread around a bar's price (half on each side), in bps; ticks carry their own. */
  readonly spreadBps: string;
  /** Commission on the traded value of a fill resting on the book (limit orders). */
  readonly makerFeeRate: string;
  /** Commission on the traded value of a fill that takes (market orders, triggered stops). */
  readonly takerFeeRate: string;
  /** Slippage against the taker, fixed part, in bps of the touch price. */
  readonly slippageBps: string;
  /** Slippage proportional to size: the price moves by impact × qty / volume (bar volume or displayed size). */
  readonly slippageImpact: string;
  /** An order decided at t reaches the venue at t + latencyMs. */
  readonly latencyMs: number;
  /** Price grid; fill prices are rounded to it against the trader. */
  readonly tick: string;
  /** Quantity grid; quote-sized orders are rounded down to it. */
  readonly lot: string;
}

export const DEFAULT_EXECUTION: ExecutionConfig = {
  fill: 'next-open',
  spreadBps: '0',
  makerFeeRate: '0',
  takerFeeRate: '0',
  slippageBps: '0',
  slippageImpact: '0',
  latencyMs: 0,
  tick: '0.00000001',
  lot: '0.00000001',
};

/** The parsed form the hot path uses: Decimals made once. */
export interface ExecutionModel {
  readonly config: ExecutionConfig;
  readonly halfSpread: Decimal;
  readonly makerFee: Decimal;
  readonly takerFee: Decimal;
  readonly slippage: Decimal;
  readonly impact: Decimal;
  readonly tick: Decimal;
  readonly lot: Decimal;
}

/** Checks every field and builds the model; throws InvalidBacktestArgumentError naming the field. */
export function executionModel(partial: Partial<ExecutionConfig> = {}): ExecutionModel {
  const config: ExecutionConfig = { ...DEFAULT_EXECUTION, ...partial };
  if (config.fill !== 'next-open' && config.fill !== 'close') {
    throw new InvalidBacktestArgumentError('fill', config.fill, 'must be next-open or close');
  }
  if (!Number.isInteger(config.latencyMs) || config.latencyMs < 0) {
    throw new InvalidBacktestArgumentError('latencyMs', config.latencyMs, 'must be a whole number of ms, 0 or more');
  }
  const rate = (field: keyof ExecutionConfig, max?: string): Decimal => {
    const value = tryDec(String(config[field]));
    if (value === undefined || value.isNegative() || (max !== undefined && value.gt(dec(max)))) {
      throw new InvalidBacktestArgumentError(
        field,
        config[field],
        `must be a decimal of 0 or more${max === undefined ? '' : ` and at most ${max}`}`,
      );
    }
    return value;
  };
  const grid = (field: 'tick' | 'lot'): Decimal => {
    const value = rate(field);
    if (!value.isPositive()) throw new InvalidBacktestArgumentError(field, config[field], 'must be above zero');
    return value;
  };
  return {
    config,
    halfSpread: rate('spreadBps', '10000').div(dec('20000'), 12),
    makerFee: rate('makerFeeRate', '0.5'),
    takerFee: rate('takerFeeRate', '0.5'),
    slippage: rate('slippageBps', '10000').div(dec('10000'), 12),
    impact: rate('slippageImpact', '100'),
    tick: grid('tick'),
    lot: grid('lot'),
  };
}
