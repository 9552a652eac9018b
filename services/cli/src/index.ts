// Public names of @bourse/cli, for tests and for the system tests in test/ that drive the
// platform the way an operator does. The command itself is src/main.ts.
export { parseConfig, loadConfig, DEFAULT_NATS_URL, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './config.js';
export type { CliConfig } from './config.js';
export { ConfigError, NotBuiltError, ChildFailedError, CliErrorCode, isCliError } from './errors.js';
export { checkNats, checkPostgres, checkRedis } from '@bourse/servers';
export { runDoctor, allOk, formatCheckLine, formatReport, formatJson } from './doctor/doctor.js';
export { DEFAULT_CHECK_TIMEOUT_MS } from '@bourse/servers';
export type { CheckResult, CheckStatus, CheckOptions } from '@bourse/servers';
export { maskUrl, maskSecrets, passwordsOf, endpointOf, isLoopbackHost } from '@bourse/servers';
export type { ServerKind, Endpoint } from '@bourse/servers';
export { Supervisor, describeExit } from '@bourse/servers';
export type { ChildSpec, ChildExit, StopReport, SupervisorOptions } from '@bourse/servers';
export { LinePrefixer } from '@bourse/servers';
export { PLATFORM_SERVICES, resolveServices } from './start/services.js';
export type { PlatformService, ResolvedServices } from './start/services.js';
export { runStart } from './start/start.js';
export type { StartOptions } from './start/start.js';
export { runSim } from './sim.js';
export { repoRoot, tsxCommand } from './paths.js';
export { loadPlatformConfig } from './platform/load-platform-config.js';
export type { OpsService, PlatformConfig } from './platform/platform-config.js';
export { launchPlan, OPS_ENV, simArguments } from './platform/service-env.js';
export type { LaunchPlan } from './platform/service-env.js';
export { waitForReadyz } from './start/readiness.js';
export { runReplay } from './replay/run-replay.js';
export type { ReplayClock } from './replay/replay.js';
