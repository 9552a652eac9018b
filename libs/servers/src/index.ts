// @bourse/servers: checking and starting the servers the platform needs (NATS with JetStream,
// PostgreSQL, Redis) and supervising child processes. Used by `bourse start`/`bourse doctor` and by
// the test suite's global setup, so both bring up a missing server the same way.
export { DEFAULT_CHECK_TIMEOUT_MS } from './check-types.js';
export type { CheckOptions, CheckResult, CheckStatus } from './check-types.js';
export { checkNats, checkPostgres, checkRedis } from './checks.js';
export { classifyConnectionError } from './classify.js';
export { findOnPath, findOsUser, findPostgres, findUserInPasswd, newestFirst, blockedAncestor } from './binaries.js';
export type { OsUser, PostgresBinaries } from './binaries.js';
export { composeStop, composeUp, dockerStatus } from './docker.js';
export type { ComposeTarget, DockerStatus } from './docker.js';
export {
  ensureServers,
  formatCheckLine,
  startMissingServers,
  SERVER_KINDS,
  type EnsureServersOptions,
  type ServerTargets,
  type ServersStartedHere,
  type StartedServers,
  type StartMissingOptions,
} from './ensure-servers.js';
export { ChildFailedError, NatsUsersFileError } from './errors.js';
export {
  ensureNatsUsers,
  natsEnvOf,
  NATS_AUTH_CONFIG_FILE,
  NATS_USERS_FILE,
  storedOperatorCredentials,
  writeNatsAuthConfig,
  type NatsPasswords,
} from './nats-users.js';
export { COMPOSE_SERVICES, SERVER_NAMES, installHint, startCommandFor, startHint } from './hints.js';
export { bindHost, launchServer, natsSpec, postgresSpec, redisSpec } from './launch.js';
export type { LaunchContext, LaunchResult } from './launch.js';
export { LinePrefixer } from './line-prefixer.js';
export { readableLogLine } from './log-line.js';
export { DEFAULT_RESTART_POLICY, decideRestart } from './restart-policy.js';
export type { RestartDecision, RestartPolicy } from './restart-policy.js';
export { runCommand } from './run-command.js';
export type { RunOptions, RunResult } from './run-command.js';
export { Supervisor, describeExit } from './supervisor.js';
export type { ChildExit, ChildSpec, StopReport, SupervisorOptions } from './types.js';
export * from './url.js';
export { underWatchdog, WATCHDOG_SCRIPT } from './watchdog.js';
