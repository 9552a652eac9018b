// @bourse/risk-gate: the risk gate service (config, NATS/Postgres shell, main.ts). The risk
// engine itself (rules, risk state, kill-switch triggers, limits schema) is @bourse/risk.

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
export { LimitsFile, type LimitsSource } from './shell/limits-file.js';
export { OmsStartupSource } from './shell/oms-startup-source.js';
export { JetStreamDecisionHistory, type DecisionHistorySource, type RecentHistory } from './shell/decision-history.js';
export { KillSwitch } from './shell/kill-switch.js';
export { createRiskGateMetrics, type RiskGateMetrics } from './shell/metrics.js';
export type { StartupSnapshot, StartupSource } from './shell/types.js';
