// @bourse/risk: the risk engine. Pre-trade rules, the risk state they read, the kill-switch
// triggers (daily loss, rejection burst, stale feed), decision recall after a restart, and the
// limits schema with its precedence. No I/O: the risk gate service feeds it messages and a clock.

export {
  LimitsConfig,
  SessionWindow,
  WEEKDAYS,
  loadLimits,
  parseLimits,
  diffLimits,
  dayStartOffsetMs,
  limitsFormatOf,
  type LimitsFormat,
  type LimitChange,
  type Weekday,
} from './limits/limits.js';
export {
  resolveLimits,
  resolveRejectionBurst,
  resolveStaleFeedHaltAfterMs,
  resolveKillSwitchAction,
  DEFAULT_REJECTION_BURST,
  DEFAULT_STALE_FEED_HALT_AFTER_MS,
  DEFAULT_KILL_SWITCH_ACTIONS,
  type EffectiveLimits,
  type RejectionBurstLimit,
} from './limits/resolve.js';
export { LimitsConfigError, RiskGateErrorCode, isLimitsConfigError, type LimitsIssue } from './errors.js';
export {
  RiskState,
  EXTERNAL_STRATEGY,
  type ApplyOutcome,
  type BalanceSnapshot,
  type DailyPnl,
  type QuoteView,
  type RebuildInput,
  type RecordedDecision,
  type RiskStateOptions,
} from './risk-state.js';
export { dayStart, DAY_MS } from './daily-pnl.js';
export { type TrackedOrder } from './tracked-order.js';
export { proposeOrder } from './proposed-order.js';
export {
  evaluateIntent,
  assessKillSwitch,
  type KillSwitchTrigger,
  type RiskEffect,
  type RiskEvaluation,
} from './risk-gate.js';
export { RejectionBurstDetector, isBurstEvent, type RejectionBurst } from './rejection-burst.js';
export { StaleFeedWatch, type StaleFeedTrip, type FeedStatusOutcome } from './stale-feed.js';
export { RiskGateCore, type RiskGateCoreOptions, type ApplyResult } from './risk-gate-core.js';
export { recallDecisions, type RecallResult } from './recall.js';
export { RULES } from './rules/index.js';
export { DAILY_LOSS_RULE, DAILY_LOSS_GLOBAL_RULE, DAILY_LOSS_UNPRICED_RULE } from './rules/daily-loss.js';
export { inWindow } from './rules/trading-session.js';
export { cooldownAt } from './rules/rejection-cooldown.js';
export type { Clock, ProposedOrder, RiskRule } from './types.js';
