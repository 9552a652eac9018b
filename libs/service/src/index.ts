// @bourse/service: what every service process repeats — its configuration's building blocks and
// its start-up sequence. A service's main.ts lists its own parts between these steps.

export {
  DEFAULT_NATS_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  DEFAULT_OPS_HOST,
  NATS_URL_SCHEMES,
  POSTGRES_URL_SCHEMES,
  REDIS_URL_SCHEMES,
} from './config/defaults.js';
export {
  LOG_LEVELS,
  logLevel,
  urlVariable,
  natsUrl,
  databaseUrl,
  redisUrl,
  wholeNumber,
  port,
  decimalText,
  booleanFlag,
  opsHost,
  namespaceToken,
  type LogLevel,
} from './config/variables.js';
export { ServiceConfigError, isServiceConfigError } from './config/config-error.js';
export { parseEnv, presentVariables, type Environment } from './config/parse-env.js';
export { systemClock } from './clock.js';
export { configOrExit, CONFIG_ERROR_EXIT_CODE } from './startup/config-or-exit.js';
export { startServiceBase, type ServiceBase, type ServiceBaseOptions } from './startup/service-base.js';
export { openServicePool, type ServicePool, type ServicePoolOptions } from './startup/pool.js';
export { connectServiceBus, type ServiceBusOptions } from './startup/bus.js';
export { installServiceShutdown, drainBus, closePool, type ServiceShutdownOptions } from './startup/shutdown.js';
export { startOrExit, runMain, type StartOptions } from './startup/run.js';
