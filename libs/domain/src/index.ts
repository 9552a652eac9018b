export { Decimal, dec, tryDec, ZERO, ONE, type RoundingMode } from './decimal.js';
export {
  DomainError,
  DomainErrorCode,
  InvalidDecimalError,
  DivisionByZeroError,
  InvalidArgumentError,
  InvalidInstrumentError,
  UnknownInstrumentError,
  InvalidClientOrderIdError,
  InvalidStateTransition,
  OverfillError,
  FillConflictError,
  InsufficientBalanceError,
  isDomainError,
} from './errors.js';
export { ok, err, type Result } from './result.js';
export type { Clock } from './clock.js';
export {
  InstrumentSpecJson,
  instrumentToJson,
  instrumentFromJson,
  spotInstrument,
  type InstrumentSpec,
  type PriceBand,
} from './instrument.js';
export { binanceSymbolToInstrument, type BinanceSymbolInfo, type BinanceSymbolFilter } from './binance-instrument.js';
export {
  InstrumentRegistry,
  formatVenueSymbol,
  parseVenueSymbol,
  type VenueSymbolFormat,
} from './instrument-registry.js';
export { roundToTick, roundPrice, roundQty, quantityStep, type PriceRounding } from './rounding.js';
export {
  validateOrder,
  type OrderToValidate,
  type ValidationContext,
  type OrderValidation,
  type OrderViolation,
  type OrderRule,
  type OrderRuleFilter,
} from './validate-order.js';
export {
  ClientOrderIdGenerator,
  parseClientOrderId,
  makeInstanceTag,
  CLIENT_ORDER_ID_MAX_LENGTH,
  STRATEGY_ID_AND_VERSION_MAX_LENGTH,
  type ClientOrderIdGeneratorOptions,
  type ParsedClientOrderId,
} from './client-order-id.js';
export {
  ORDER_TRANSITIONS,
  ORDER_EVENT_TYPES,
  transition,
  isTerminal,
  isLive,
  type OrderEventType,
} from './order-state.js';
export {
  createOrder,
  applyOrderUpdate,
  remainingQty,
  averageFillPrice,
  type Order,
  type NewOrder,
  type OrderUpdate,
  type OrderUpdateResult,
} from './order.js';
export {
  emptyPosition,
  applyFill,
  costBasis,
  averageEntryPrice,
  unrealizedPnl,
  feesInQuote,
  positionPnl,
  samePosition,
  type Fill,
  type Lot,
  type Position,
  type PositionPnl,
  type FeesInQuote,
  type AssetPrice,
} from './position.js';
export {
  PositionBook,
  positionFromFills,
  compareFills,
  summarize,
  type ApplyFillResult,
  type MarkPrice,
  type PnlSummary,
} from './position-book.js';
export {
  balanceOf,
  totalOf,
  credit,
  debit,
  lock,
  unlock,
  settle,
  applyFillToBalances,
  type Balance,
  type Balances,
  type BalanceResult,
} from './balances.js';
