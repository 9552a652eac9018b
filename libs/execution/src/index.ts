// @bourse/execution: the order manager's pure core — decisions in, effects out, time from an
// injected clock. services/order-manager's shell wires NATS, PostgreSQL and a VenueClient around
// it; the backtest drives the same core against a simulated venue.
export { OrderManagerError, OrderManagerErrorCode, isOrderManagerError } from './errors.js';
export type { Clock, Journal } from './types.js';
export {
  OUTBOX_STATES,
  OUTBOX_TRANSITIONS,
  DEFAULT_UNKNOWN_RESOLUTION,
  isOutboxFinal,
  nextOutboxState,
  resolveUnknown,
  recoveryStep,
  safeHorizonMs,
  type OutboxState,
  type OutboxEvent,
  type OutboxEntry,
  type UnknownResolution,
  type UnknownResolutionPolicy,
  type RecoveryStep,
} from './outbox.js';
export { orderStatusEventId, fillEventId } from './event-ids.js';
export { toPlaceOrderRequest, unsupportedReason } from './venue-request.js';
export { expiryOf, type Expiry } from './shelf-life.js';
export {
  checkTradingState,
  type TradingModes,
  type TradingStateView,
  type TradingGateDecision,
} from './trading-gate.js';
export {
  OrderTracker,
  untrackedRejection,
  UNSIZED_QUANTITY,
  isUnsized,
  quoteSizedQuantity,
  type TrackedOrder,
  type AppliedFill,
  type TrackerOutcome,
  type TrackerChange,
  type LocalOrderEvent,
  type OrderTrackerOptions,
} from './order-tracker.js';
export {
  submitOrder,
  resolveOutbox,
  recoverOutboxEntry,
  eventsOf,
  type SubmissionDeps,
  type SubmissionOutcome,
  type SubmissionResult,
} from './submission.js';
export {
  recoverMissingFills,
  unbookedQty,
  ORDER_TRADES_PAGE,
  type MissingFillsDeps,
  type MissingFillsResult,
} from './missing-fills.js';
export { balanceMovesOfFill, moveBalance, type BalanceMove, type BalanceAmounts } from './balance-moves.js';
export { executeCancel, type CancelDeps, type CancelExecution, type CancelResult } from './cancellation.js';
export { selectCancelTargets, planOperatorCommand, type CommandPlan } from './commands.js';
// The command's reply shapes are contracts now; named here too for the code that imported them from the core.
export { CancelTarget, SkippedOrder, CancelCommandResult, CancelCommandReply } from '@bourse/contracts';
export {
  LimitChase,
  type LimitChaseParams,
  type LimitChaseStatus,
  type ChasePhase,
  type ChildRole,
  type CancelReason,
  type ChaseOutcome,
  type ChaseChildProgress,
  type LimitChaseProgress,
  type TacticEffect,
  type TacticStep,
} from './tactics/limit-chase.js';
export {
  checkMarketFallback,
  type FallbackInput,
  type FallbackDecision,
  type FallbackGuard,
} from './tactics/fallback-guards.js';
export { CancelReplaceRateLimit, type CancelReplaceRateLimitOptions } from './tactics/replace-rate-limit.js';
export { fillLogRecords, type FillLogRecord } from './fill-log.js';
