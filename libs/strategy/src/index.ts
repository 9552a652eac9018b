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
export {
  type Bar,
  type BarPrice,
  BAR_PRICES,
  quoteBarPrice,
  timeframeMs,
  windowStart,
  InvalidTimeframeError,
} from './bars/bar.js';
export { BarBuilder } from './bars/bar-builder.js';
export { MultiTimeframeBars } from './bars/multi-timeframe.js';
export { DecimalSma, compareSma } from './indicators/decimal-sma.js';
export type {
  Clock,
  IntentDraft,
  StrategyState,
  HandlerResult,
  PositionView,
  OpenOrderView,
  StrategyContext,
  StrategyContextSource,
  EvaluationPolicy,
  StrategySetup,
  StrategyHandlers,
  HandlerName,
  StrategyInstance,
  StrategyInstanceConfig,
  StrategyDefinition,
  WarmupSpec,
  WarmupNeed,
  UnitBars,
} from './types.js';
export { UnitSpecSchema, MAX_UNIT_INSTRUMENTS, type UnitSpec } from './sdk/unit.js';
export { BarAligner } from './sdk/bar-aligner.js';
export {
  defineStrategy,
  isStrategyDefinition,
  EvaluationPolicySchema,
  TimeframeLabel,
  MIN_POLL_INTERVAL_MS,
  MAX_POLL_INTERVAL_MS,
  MAX_WARMUP_BARS,
  type StrategySpec,
} from './sdk/define-strategy.js';
export { createStrategyContext, snapshotContext, type ContextSnapshot } from './sdk/context.js';
export { completeIntent, type IntentMeta } from './sdk/intent.js';
export {
  DEFAULT_MAX_DECISION_AGE_MS,
  MIN_DECISION_AGE_MS,
  MAX_DECISION_AGE_MS,
  MaxDecisionAgeOverrides,
  resolveMaxDecisionAge,
  decisionExpiry,
  type MaxDecisionAge,
} from './sdk/shelf-life.js';
export { StrategyStateSchema, MAX_STATE_KEYS, MAX_STATE_VALUE_LENGTH } from './sdk/state.js';
export { decimalFromNumber, numberInput } from './sdk/numbers.js';
export {
  StrategyErrorCode,
  StrategyError,
  isStrategyError,
  InvalidStrategyDefinitionError,
  InvalidStrategyParamsError,
  InvalidStrategySetupError,
  InvalidStrategyStateError,
  InvalidIntentError,
  StrategyHandlerError,
  UnknownStrategyError,
  InvalidSizingError,
  type StrategyIssue,
} from './sdk/errors.js';
export { fixedQty, fractionOfEquity, type OrderSize, type FractionOfEquity } from './sizing/order-size.js';
export {
  targetPositionOrders,
  type PositionMode,
  type TargetPosition,
  type OrderLeg,
} from './sizing/target-position.js';
export { SizingParams, PositionModeParam, targetFor } from './sizing/sizing-params.js';
export { smaCross, SmaCrossParams } from './builtin/sma-cross.js';
export { rsiThreshold, RsiThresholdParams } from './builtin/rsi-threshold.js';
export { bollingerMeanReversion, BollingerMeanReversionParams } from './builtin/bollinger-mean-reversion.js';
export { marketMaker, MarketMakerParams } from './builtin/market-maker.js';
export { builtinStrategies, builtinStrategy } from './builtin/registry.js';
export {
  RunnerCore,
  instrumentKey,
  unitKey,
  isUnitStrategy,
  type UnitRef,
  type RunnerCoreOptions,
  type PauseRecord,
} from './runner/runner-core.js';
export { MarketDesk, type FeedBlock } from './runner/market-desk.js';
export { TimeframeWarmup, type HistoryRequest } from './runner/warmup.js';
export { StrategyHost, type Evaluation } from './runner/strategy-host.js';
export { TradingGate, type EffectiveMode } from './runner/trading-gate.js';
export { OwnOrders, DEFAULT_PENDING_INTENT_TTL_MS, type OwnExecution } from './runner/own-orders.js';
export type { CoreOutput, Notice, SuppressReason } from './runner/notices.js';
export { parseStrategies, type LoadStrategiesOptions } from './runner/strategies-config.js';
export {
  RunnerErrorCode,
  RunnerError,
  isRunnerError,
  StrategiesFileError,
  BarRejectedError,
  StoredStateError,
} from './runner/errors.js';
export {
  StateKeeper,
  MemoryStateStore,
  parseStoredState,
  stateKeyOf,
  STATE_FORMAT,
  type StateKey,
  type StoredState,
  type StateClaim,
  type SaveOutcome,
  type StrategyStateStore,
  type StateChange,
  type RestoredStates,
  type WriteResult,
} from './runner/state-store.js';
export type { IdSource, InstrumentRef, StrategyConfig } from './runner/types.js';
