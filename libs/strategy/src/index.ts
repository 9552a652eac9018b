export { Sma } from './indicators/sma.js';
export { Ema } from './indicators/ema.js';
export { Rsi, rsiFromAverages } from './indicators/rsi.js';
export { BollingerBands, type BollingerValue } from './indicators/bollinger.js';
export { Atr, trueRange } from './indicators/atr.js';
export { Vwap, utcDay } from './indicators/vwap.js';
export {
  RollingWindow,
  InvalidIndicatorPeriodError,
  InvalidIndicatorInputError,
  requireFinite,
  requirePeriod,
} from './indicators/window.js';
export { type Bar, timeframeMs, windowStart, InvalidTimeframeError } from './bars/bar.js';
export { BarBuilder } from './bars/bar-builder.js';
export { MultiTimeframeBars } from './bars/multi-timeframe.js';
