import type { StrategyDefinition } from '../types.js';
import { UnknownStrategyError } from '../sdk/errors.js';
import { bollingerMeanReversion } from './bollinger-mean-reversion.js';
import { marketMaker } from './market-maker.js';
import { rsiThreshold } from './rsi-threshold.js';
import { smaCross } from './sma-cross.js';

/** The built-in strategies by name, for the runner's config and the backtester's `--strategy`. */
export const builtinStrategies: Readonly<Record<string, StrategyDefinition>> = Object.freeze({
  [smaCross.name]: smaCross,
  [rsiThreshold.name]: rsiThreshold,
  [bollingerMeanReversion.name]: bollingerMeanReversion,
  [marketMaker.name]: marketMaker,
});

/** The built-in strategy with this name; throws UnknownStrategyError listing the known ones. */
export function builtinStrategy(name: string): StrategyDefinition {
  const found = Object.hasOwn(builtinStrategies, name) ? builtinStrategies[name] : undefined;
  if (found === undefined) throw new UnknownStrategyError(name, Object.keys(builtinStrategies));
  return found;
}
