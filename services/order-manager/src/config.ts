// The order manager's process configuration: the only module that reads process.env. Parsed once at
// start with a strict schema; every error names the variable that is wrong, never the value of one
// that can hold a credential (URLs, keys). Venue settings follow the market-data gateway's shape
// (target sim/testnet/mainnet, sim URLs) with the OMS_ prefix; keys come from the adapter's own
// variables (BINANCE_SIM_API_KEY / _SECRET…) through loadApiCredentials.

import {
  credentialEnvNames,
  DEFAULT_SIM_ENDPOINTS,
  RateBudgetEnv,
  rateBudgetSettings,
  type BinanceTargetName,
  type RateBudgetSettings,
} from '@bourse/venue-binance';
import {
  databaseUrl,
  decimalText,
  logLevel,
  namespaceToken,
  natsUrl,
  opsHost,
  parseEnv,
  redisUrl,
  ServiceConfigError,
  urlVariable as url,
  wholeNumber,
  type LogLevel,
} from '@bourse/service';
import { z } from 'zod';

export { DEFAULT_NATS_URL, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '@bourse/service';
export const DEFAULT_OPS_PORT = 9202;
export const DEFAULT_MD_REDIS_PREFIX = 'bourse:md:';

const Env = z.object({
  NATS_URL: natsUrl,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  BOURSE_NAMESPACE: namespaceToken,
  OPS_PORT: wholeNumber(0, 65_535).default(DEFAULT_OPS_PORT),
  /** Loopback by default; a pod sets 0.0.0.0 so Prometheus can scrape it. */
  OPS_HOST: opsHost,
  LOG_LEVEL: logLevel,
  OMS_VENUE_TARGET: z.enum(['sim', 'testnet', 'mainnet']).default('sim'),
  OMS_SIM_REST_URL: url(['http:', 'https:']).default(DEFAULT_SIM_ENDPOINTS.restUrl),
  OMS_SIM_WS_STREAM_URL: url(['ws:', 'wss:']).default(DEFAULT_SIM_ENDPOINTS.wsStreamUrl),
  OMS_SIM_WS_API_URL: url(['ws:', 'wss:']).default(DEFAULT_SIM_ENDPOINTS.wsApiUrl),
  /** `ws-api` (default, low latency) or `rest`. */
  OMS_ORDER_PATH: z.enum(['ws-api', 'rest']).default('ws-api'),
  OMS_VENUE_REQUEST_TIMEOUT_MS: wholeNumber(100, 120_000).default(5_000),
  /** Binance recvWindow; also sets how long an unknown order is queried before it may be resent. */
  OMS_RECV_WINDOW_MS: wholeNumber(100, 60_000).default(5_000),
  /** Added to the receive window: the safe horizon after which a venue that does not know an id is believed. */
  OMS_UNKNOWN_MARGIN_MS: wholeNumber(0, 600_000).default(5_000),
  /** Limit chase: how long a child rests before it is moved to the new touch. */
  OMS_CHASE_REPLACE_MS: wholeNumber(10, 600_000).default(2_000),
  OMS_CHASE_MAX_REPLACEMENTS: wholeNumber(0, 1_000).default(5),
  OMS_CHASE_PLACEMENT: z.enum(['join', 'improve']).default('join'),
  /** Widest spread (bps of mid) at which the market fallback may go. */
  OMS_FALLBACK_MAX_SPREAD_BPS: decimalText.default('25'),
  /** Cancel/replace cycles allowed per instrument per window (shared by every chase). */
  OMS_REPLACE_RATE_MAX: wholeNumber(1, 10_000).default(10),
  OMS_REPLACE_RATE_WINDOW_MS: wholeNumber(1, 3_600_000).default(10_000),
  /** How often tactics are driven by the clock (besides every quote). */
  OMS_TACTIC_TICK_MS: wholeNumber(10, 60_000).default(100),
  /** Retry of a reconciliation request that failed while submission is paused. */
  OMS_RECON_RETRY_MS: wholeNumber(100, 600_000).default(5_000),
  OMS_EXEC_REPUBLISH_MS: wholeNumber(100, 600_000).default(5_000),
  /** Replica index (0..1295), part of the client order ids the OMS's tactics make. */
  OMS_INSTANCE: wholeNumber(0, 1295).default(0),
  BINANCE_SECRET_FILE: z.string().min(1).optional(),
  ...RateBudgetEnv,
  /** The market-data gateway's Redis key prefix: the market fallback's guards read the book there. */
  MD_REDIS_PREFIX: z.string().min(1).default(DEFAULT_MD_REDIS_PREFIX),
});

export interface OrderManagerConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Key prefix of the gateway's market snapshots in Redis. */
  readonly mdRedisPrefix: string;
  /** Subject namespace (empty: production subjects). */
  readonly namespace: string;
  readonly opsPort: number;
  readonly opsHost: string;
  readonly logLevel: LogLevel;
  readonly venue: {
    readonly target: BinanceTargetName;
    readonly simEndpoints: { restUrl: string; wsStreamUrl: string; wsApiUrl: string };
    readonly orderPath: 'ws-api' | 'rest';
    readonly requestTimeoutMs: number;
    readonly recvWindowMs: number;
    /** The adapter's key variables as given (never logged), and an optional secret file. */
    readonly credentials: { readonly env: Readonly<Record<string, string>>; readonly secretFile?: string };
    /** Where the request-weight and order-count budget lives (shared in Redis under `bourse start`). */
    readonly rateBudget: RateBudgetSettings;
  };
  readonly unknownMarginMs: number;
  readonly chase: {
    readonly replaceIntervalMs: number;
    readonly maxReplacements: number;
    readonly placement: 'join' | 'improve';
    readonly maxSpreadBps: string;
    readonly replaceRate: { readonly maxPerWindow: number; readonly windowMs: number };
    readonly tickMs: number;
  };
  readonly reconRetryMs: number;
  /** How often EXEC events the stream did not take are published again. */
  readonly execRepublishMs: number;
  readonly instance: number;
}

/** A variable is missing or malformed; `value` is the variable's name, never its content. */
export class OrderManagerConfigError extends ServiceConfigError {
  override readonly name = 'OrderManagerConfigError';
}

/** Reads the configuration from `env` (process.env by default); throws OrderManagerConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): OrderManagerConfig {
  // An empty variable means "not set": shells and manifests often write `FOO=`.
  const e = parseEnv(
    Env,
    env,
    (names, detail, cause) =>
      new OrderManagerConfigError(names, `invalid order-manager configuration: ${detail}`, { cause }),
  );
  const keyNames = credentialEnvNames(e.OMS_VENUE_TARGET);
  const credentialEnv: Record<string, string> = {};
  for (const name of Object.values(keyNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') credentialEnv[name] = value;
  }
  return {
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    mdRedisPrefix: e.MD_REDIS_PREFIX,
    namespace: e.BOURSE_NAMESPACE ?? '',
    opsPort: e.OPS_PORT,
    opsHost: e.OPS_HOST,
    logLevel: e.LOG_LEVEL,
    venue: {
      target: e.OMS_VENUE_TARGET,
      simEndpoints: {
        restUrl: e.OMS_SIM_REST_URL,
        wsStreamUrl: e.OMS_SIM_WS_STREAM_URL,
        wsApiUrl: e.OMS_SIM_WS_API_URL,
      },
      orderPath: e.OMS_ORDER_PATH,
      requestTimeoutMs: e.OMS_VENUE_REQUEST_TIMEOUT_MS,
      recvWindowMs: e.OMS_RECV_WINDOW_MS,
      credentials: {
        env: credentialEnv,
        ...(e.BINANCE_SECRET_FILE !== undefined ? { secretFile: e.BINANCE_SECRET_FILE } : {}),
      },
      rateBudget: rateBudgetSettings(e),
    },
    unknownMarginMs: e.OMS_UNKNOWN_MARGIN_MS,
    chase: {
      replaceIntervalMs: e.OMS_CHASE_REPLACE_MS,
      maxReplacements: e.OMS_CHASE_MAX_REPLACEMENTS,
      placement: e.OMS_CHASE_PLACEMENT,
      maxSpreadBps: e.OMS_FALLBACK_MAX_SPREAD_BPS,
      replaceRate: { maxPerWindow: e.OMS_REPLACE_RATE_MAX, windowMs: e.OMS_REPLACE_RATE_WINDOW_MS },
      tickMs: e.OMS_TACTIC_TICK_MS,
    },
    reconRetryMs: e.OMS_RECON_RETRY_MS,
    execRepublishMs: e.OMS_EXEC_REPUBLISH_MS,
    instance: e.OMS_INSTANCE,
  };
}
