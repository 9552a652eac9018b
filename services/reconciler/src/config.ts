// The reconciler's process configuration: the only module that reads process.env. Parsed once at
// start with a strict schema; every error names the variable that is wrong, never echoing a URL
// (it may carry a password) or a key.

import { readFileSync } from 'node:fs';
import { KillSwitchAction } from '@bourse/contracts';
import {
  booleanFlag,
  databaseUrl,
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
import {
  credentialEnvNames,
  DEFAULT_SIM_ENDPOINTS,
  RateBudgetEnv,
  rateBudgetSettings,
  type BinanceTargetName,
  type RateBudgetSettings,
} from '@bourse/venue-binance';
import { z } from 'zod';
import { isReconcileInputError, parseReconcilerConfig, type ReconcilerConfig } from '@bourse/reconciliation';

export { DEFAULT_NATS_URL, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '@bourse/service';
export const DEFAULT_OPS_PORT = 9104;
/** Every two minutes: a few minutes at most between a silent divergence and its halt. */
export const DEFAULT_RECON_INTERVAL_MS = 120_000;
/** Feed resets come in bursts (every instrument of a dropped connection); one run after the burst. */
export const DEFAULT_RESET_DEBOUNCE_MS = 2_000;
/** A start run that could not read the venue is tried again this soon (trading stays blocked meanwhile). */
export const DEFAULT_START_RETRY_MS = 5_000;
export const DEFAULT_CORRECTIONS_TIMEOUT_MS = 5_000;
export const DEFAULT_CORRECTIONS_ATTEMPTS = 3;

const Env = z.object({
  NATS_URL: natsUrl,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  BOURSE_NAMESPACE: namespaceToken,
  LOG_LEVEL: logLevel,
  RECON_VENUE_TARGET: z.enum(['sim', 'testnet', 'mainnet']).default('sim'),
  RECON_SIM_REST_URL: url(['http:', 'https:']).default(DEFAULT_SIM_ENDPOINTS.restUrl),
  RECON_SIM_WS_STREAM_URL: url(['ws:', 'wss:']).default(DEFAULT_SIM_ENDPOINTS.wsStreamUrl),
  RECON_SIM_WS_API_URL: url(['ws:', 'wss:']).default(DEFAULT_SIM_ENDPOINTS.wsApiUrl),
  BINANCE_SECRET_FILE: z.string().min(1).optional(),
  RECON_OPS_PORT: wholeNumber(0, 65_535).optional(),
  OPS_PORT: wholeNumber(0, 65_535).optional(),
  /** Loopback by default; a pod sets 0.0.0.0 so Prometheus can scrape it. */
  RECON_OPS_HOST: opsHost,
  RECON_INTERVAL_MS: wholeNumber(1_000, 86_400_000).default(DEFAULT_RECON_INTERVAL_MS),
  RECON_RESET_DEBOUNCE_MS: wholeNumber(0, 600_000).default(DEFAULT_RESET_DEBOUNCE_MS),
  RECON_START_RETRY_MS: wholeNumber(100, 600_000).default(DEFAULT_START_RETRY_MS),
  RECON_CORRECTIONS_TIMEOUT_MS: wholeNumber(100, 120_000).default(DEFAULT_CORRECTIONS_TIMEOUT_MS),
  RECON_CORRECTIONS_ATTEMPTS: wholeNumber(1, 20).default(DEFAULT_CORRECTIONS_ATTEMPTS),
  RECON_ACTIVATE_ON_FIRST_PASS: booleanFlag.default(false),
  /** Tolerances and policies (ReconcilerConfig) as JSON, inline ... */
  RECON_CONFIG: z.string().optional(),
  /** ... or in a JSON file. */
  RECON_CONFIG_FILE: z.string().min(1).optional(),
  /** What a drift halt does: `halt-and-cancel` (cancel every open order of the scope too) or `halt`. */
  RECON_DRIFT_ACTION: KillSwitchAction.default('halt-and-cancel'),
  ...RateBudgetEnv,
});

export interface ReconcilerProcessConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Subject namespace (empty: production subjects). */
  readonly namespace: string;
  readonly logLevel: LogLevel;
  readonly target: BinanceTargetName;
  /** Used when `target` is `sim`. */
  readonly simEndpoints: { readonly restUrl: string; readonly wsStreamUrl: string; readonly wsApiUrl: string };
  /** The variables the adapter's credentials loader reads (a read-only key is enough unless orders are canceled). */
  readonly credentials: { readonly env: Readonly<Record<string, string>>; readonly secretFile?: string };
  /** Where the request-weight budget lives (shared in Redis under `bourse start`). */
  readonly rateBudget: RateBudgetSettings;
  /** What a drift halt does besides halting. */
  readonly driftAction: KillSwitchAction;
  readonly opsPort: number;
  readonly opsHost: string;
  readonly intervalMs: number;
  readonly resetDebounceMs: number;
  readonly startRetryMs: number;
  readonly correctionsTimeoutMs: number;
  readonly correctionsAttempts: number;
  readonly activateOnFirstPass: boolean;
  readonly reconciler: ReconcilerConfig;
}

/** A variable is missing or malformed; `value` is the variable's name, never its content. */
export class ReconcilerConfigError extends ServiceConfigError {
  override readonly name = 'ReconcilerConfigError';
}

/** Reads the configuration from `env`; throws ReconcilerConfigError naming every bad variable. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ReconcilerProcessConfig {
  // An empty variable means "not set": shells and manifests often write `FOO=`.
  const e = parseEnv(
    Env,
    env,
    (names, detail, cause) =>
      new ReconcilerConfigError(names, `invalid reconciler configuration: ${detail}`, { cause }),
  );
  const keyNames = credentialEnvNames(e.RECON_VENUE_TARGET);
  const credentialEnv: Record<string, string> = {};
  for (const name of Object.values(keyNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') credentialEnv[name] = value;
  }
  return {
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    namespace: e.BOURSE_NAMESPACE ?? '',
    logLevel: e.LOG_LEVEL,
    target: e.RECON_VENUE_TARGET,
    simEndpoints: {
      restUrl: e.RECON_SIM_REST_URL,
      wsStreamUrl: e.RECON_SIM_WS_STREAM_URL,
      wsApiUrl: e.RECON_SIM_WS_API_URL,
    },
    credentials: {
      env: credentialEnv,
      ...(e.BINANCE_SECRET_FILE === undefined ? {} : { secretFile: e.BINANCE_SECRET_FILE }),
    },
    rateBudget: rateBudgetSettings(e),
    driftAction: e.RECON_DRIFT_ACTION,
    opsPort: e.RECON_OPS_PORT ?? e.OPS_PORT ?? DEFAULT_OPS_PORT,
    opsHost: e.RECON_OPS_HOST,
    intervalMs: e.RECON_INTERVAL_MS,
    resetDebounceMs: e.RECON_RESET_DEBOUNCE_MS,
    startRetryMs: e.RECON_START_RETRY_MS,
    correctionsTimeoutMs: e.RECON_CORRECTIONS_TIMEOUT_MS,
    correctionsAttempts: e.RECON_CORRECTIONS_ATTEMPTS,
    activateOnFirstPass: e.RECON_ACTIVATE_ON_FIRST_PASS,
    reconciler: reconcilerConfig(e.RECON_CONFIG, e.RECON_CONFIG_FILE, readFile),
  };
}

function reconcilerConfig(
  inline: string | undefined,
  file: string | undefined,
  readFile: (path: string) => string,
): ReconcilerConfig {
  if (inline !== undefined && file !== undefined) {
    throw new ReconcilerConfigError(
      'RECON_CONFIG,RECON_CONFIG_FILE',
      'set RECON_CONFIG or RECON_CONFIG_FILE, not both',
    );
  }
  const variable = file !== undefined ? 'RECON_CONFIG_FILE' : 'RECON_CONFIG';
  let text = inline;
  if (file !== undefined) {
    try {
      text = readFile(file);
    } catch (err) {
      throw new ReconcilerConfigError(variable, `RECON_CONFIG_FILE cannot be read (${file})`, { cause: err });
    }
  }
  let raw: unknown = {};
  if (text !== undefined) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ReconcilerConfigError(variable, `${variable} is not valid JSON`, { cause: err });
    }
  }
  try {
    return parseReconcilerConfig(raw);
  } catch (err) {
    if (isReconcileInputError(err)) {
      throw new ReconcilerConfigError(variable, `${variable}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
