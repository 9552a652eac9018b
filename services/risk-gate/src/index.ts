export {
  LimitsConfig,
  SessionWindow,
  WEEKDAYS,
  loadLimits,
  parseLimits,
  diffLimits,
  type LimitsFormat,
  type LimitChange,
  type Weekday,
} from './config/limits.js';
export {
  resolveLimits,
  resolveRejectionBurst,
  resolveStaleFeedHaltAfterMs,
  DEFAULT_REJECTION_BURST,
  DEFAULT_STALE_FEED_HALT_AFTER_MS,
  type EffectiveLimits,
  type RejectionBurstLimit,
} from './config/resolve.js';
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
} from './core/risk-state.js';
export { dayStart, DAY_MS } from './core/daily-pnl.js';
export { type TrackedOrder } from './core/tracked-order.js';
export { proposeOrder } from './core/proposed-order.js';
export {
  evaluateIntent,
  assessKillSwitch,
  type KillSwitchTrigger,
  type RiskEffect,
  type RiskEvaluation,
} from './core/risk-gate.js';
export { RejectionBurstDetector, isBurstEvent, type RejectionBurst } from './core/rejection-burst.js';
export { StaleFeedWatch, type StaleFeedTrip, type FeedStatusOutcome } from './core/stale-feed.js';
export { RiskGateCore, type RiskGateCoreOptions, type ApplyResult } from './core/risk-gate-core.js';
export { RULES } from './core/rules/index.js';
export { inWindow } from './core/rules/trading-session.js';
export { cooldownAt } from './core/rules/rejection-cooldown.js';
export type { Clock, ProposedOrder, RiskRule } from './core/types.js';
export {
  loadConfig,
  RiskGateConfigError,
  DEFAULT_NATS_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  DEFAULT_VENUE,
  DEFAULT_OPS_PORT,
  DEFAULT_LIMITS_FILE,
  DEFAULT_LIMITS_POLL_MS,
  DEFAULT_DECISION_RECALL_MS,
  DEFAULT_IN_FLIGHT_EXPIRY_MS,
  type RiskGateConfig,
} from './config.js';
export {
  RiskGateService,
  DEFAULT_KILL_SWITCH_CHECK_MS,
  type RiskGateServiceOptions,
  type LimitsReload,
} from './shell/risk-gate-service.js';
export { LimitsFile, limitsFormatOf, type LimitsSource } from './shell/limits-file.js';
export { OmsStartupSource } from './shell/oms-startup-source.js';
export { JetStreamDecisionHistory, type DecisionHistorySource, type RecentHistory } from './shell/decision-history.js';
export { recallDecisions, type RecallResult } from './core/recall.js';
export { KillSwitch } from './shell/kill-switch.js';
export { createRiskGateMetrics, type RiskGateMetrics } from './shell/metrics.js';
export type { StartupSnapshot, StartupSource } from './shell/types.js';
