// The only module that reads process.env. Parsed once, strictly: a bad or unknown MD_* variable
// stops the start with a message naming it (and never echoing a secret or a URL password).
import { z } from 'zod';
import { snapshotKeyPrefix } from '@bourse/contracts';
import {
  credentialEnvNames,
  DEFAULT_SIM_ENDPOINTS,
  RateBudgetEnv,
  rateBudgetSettings,
  type BinanceTargetName,
  type RateBudgetSettings,
} from '@bourse/venue-binance';
import type { MarketDataChannel } from '@bourse/venues';
import { DEFAULT_NATS_URL, DEFAULT_OPS_HOST, DEFAULT_REDIS_URL, LOG_LEVELS, type LogLevel } from '@bourse/service';
import { ConfigError } from './errors.js';

export { DEFAULT_NATS_URL, DEFAULT_REDIS_URL };
export const DEFAULT_OPS_PORT = 9402;
export const DEFAULT_INSTRUMENTS = ['BTCUSDT', 'ETHUSDT'] as const;
export const DEFAULT_CHANNELS: readonly MarketDataChannel[] = ['quotes', 'trades', 'book'];
export const DEFAULT_SNAPSHOT_KEY_PREFIX = 'bourse:md:';

export interface RecordingConfig {
  readonly dir: string;
  readonly maxFileBytes: number;
  readonly rotateIntervalMs: number;
  readonly maxBufferedBytes: number;
}

export interface MarketDataConfig {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Subject namespace; empty in production. */
  readonly namespace: string;
  readonly target: BinanceTargetName;
  /** Used when `target` is `sim`. */
  readonly simEndpoints: { restUrl: string; wsStreamUrl: string; wsApiUrl: string };
  /** As given: venue symbols (`BTCUSDT`) or internal symbols (`BTC/USDT`); resolved against the venue at start. */
  readonly instruments: readonly string[];
  readonly channels: readonly MarketDataChannel[];
  readonly staleAfterMs: number;
  readonly staleCheckMs: number;
  readonly snapshot: {
    readonly keyPrefix: string;
    readonly ttlMs: number;
    readonly depth: number;
    readonly flushIntervalMs: number;
  };
  /** Undefined: recording off. */
  readonly recording: RecordingConfig | undefined;
  readonly summaryIntervalMs: number;
  readonly opsPort: number;
  readonly opsHost: string;
  readonly logLevel: LogLevel;
  /**
   * The variables the adapter's credentials loader reads, when any is set. Market data needs no
   * key; a (read-only) key is used only when given.
   */
  readonly credentials: { readonly env: Readonly<Record<string, string>>; readonly secretFile?: string } | undefined;
  /** Where the request-weight budget lives (shared in Redis under `bourse start`). */
  readonly rateBudget: RateBudgetSettings;
}

const int = (min: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const n = Number(text);
      if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of at least ${min}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: readonly string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (text) => {
        try {
          const u = new URL(text);
          return protocols.includes(u.protocol) && u.hostname !== '';
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

const list = (fallback: readonly string[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );

const EnvSchema = z.strictObject({
  NATS_URL: url(['nats:', 'tls:'], DEFAULT_NATS_URL),
  REDIS_URL: url(['redis:', 'rediss:'], DEFAULT_REDIS_URL),
  BOURSE_NAMESPACE: z
    .string()
    .default('')
    .refine((s) => s === '' || /^[A-Za-z0-9_-]+$/.test(s), { message: 'must be letters, digits, "_" or "-"' }),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MD_VENUE_TARGET: z.enum(['sim', 'testnet', 'mainnet']).default('sim'),
  MD_SIM_REST_URL: url(['http:', 'https:'], DEFAULT_SIM_ENDPOINTS.restUrl),
  MD_SIM_WS_STREAM_URL: url(['ws:', 'wss:'], DEFAULT_SIM_ENDPOINTS.wsStreamUrl),
  MD_SIM_WS_API_URL: url(['ws:', 'wss:'], DEFAULT_SIM_ENDPOINTS.wsApiUrl),
  MD_INSTRUMENTS: list(DEFAULT_INSTRUMENTS).refine(
    (xs) => xs.length > 0 && xs.every((x) => /^[A-Z0-9]{1,30}$/.test(x) || /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(x)),
    { message: 'must be a comma-separated list of symbols such as BTCUSDT or BTC/USDT (upper case)' },
  ),
  MD_CHANNELS: list(DEFAULT_CHANNELS).pipe(
    z.array(z.enum(['quotes', 'trades', 'book'])).min(1, 'must list at least one of quotes, trades, book'),
  ),
  MD_STALE_AFTER_MS: int(1, 5_000),
  MD_STALE_CHECK_MS: int(1, 250),
  /** Absent: the namespace's prefix (`bourse:md:`, or `bourse:<namespace>:md:`). */
  MD_SNAPSHOT_KEY_PREFIX: z.string().optional(),
  MD_SNAPSHOT_TTL_MS: int(1, 30_000),
  MD_SNAPSHOT_DEPTH: int(1, 10),
  MD_SNAPSHOT_FLUSH_MS: int(1, 100),
  MD_RECORD_DIR: z.string().min(1).optional(),
  MD_RECORD_MAX_FILE_BYTES: int(1, 64 * 1024 * 1024),
  MD_RECORD_ROTATE_MS: int(0, 60 * 60 * 1000),
  MD_RECORD_MAX_BUFFER_BYTES: int(1024, 8 * 1024 * 1024),
  MD_SUMMARY_INTERVAL_MS: int(1, 60_000),
  MD_OPS_PORT: int(0, DEFAULT_OPS_PORT).refine((n) => n <= 65_535, { message: 'must be a port (0-65535)' }),
  MD_OPS_HOST: z.string().min(1).default(DEFAULT_OPS_HOST),
  BINANCE_SECRET_FILE: z.string().min(1).optional(),
  ...RateBudgetEnv,
});
type EnvKey = keyof z.input<typeof EnvSchema>;
const ENV_KEYS = Object.keys(EnvSchema.shape) as EnvKey[];

/** Shows a value in an error without its secret parts: URL passwords masked, credentials never. */
function shown(variable: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (/KEY|SECRET|PEM/.test(variable)) return '***';
  try {
    const u = new URL(value);
    if (u.password !== '') {
      u.password = '***';
      return u.toString();
    }
  } catch {
    // Not a URL: shown as is.
  }
  return value;
}

/**
 * Validates the variables the gateway uses. Only they (and the adapter's key variables) are
 * picked from `env`; an unknown `MD_*` variable is refused, since it is almost always a typo.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): MarketDataConfig {
  for (const name of Object.keys(env)) {
    if (name.startsWith('MD_') && !(ENV_KEYS as string[]).includes(name)) {
      throw new ConfigError(
        name,
        shown(name, env[name]),
        `${name} is not a market-data setting (known: ${ENV_KEYS.filter((k) => k.startsWith('MD_')).join(', ')})`,
      );
    }
  }
  const picked: Partial<Record<EnvKey, string>> = {};
  for (const key of ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) picked[key] = value;
  }
  const result = EnvSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const value = shown(variable, picked[variable as EnvKey]);
    throw new ConfigError(variable, value, `${variable} ${issue?.message ?? 'is invalid'} (got "${value}")`, {
      cause: result.error,
    });
  }
  const e = result.data;
  if (e.MD_SNAPSHOT_FLUSH_MS >= e.MD_SNAPSHOT_TTL_MS) {
    throw new ConfigError(
      'MD_SNAPSHOT_FLUSH_MS',
      String(e.MD_SNAPSHOT_FLUSH_MS),
      `MD_SNAPSHOT_FLUSH_MS (${e.MD_SNAPSHOT_FLUSH_MS}) must be below MD_SNAPSHOT_TTL_MS (${e.MD_SNAPSHOT_TTL_MS})`,
    );
  }

  const keyNames = credentialEnvNames(e.MD_VENUE_TARGET);
  const credentialEnv: Record<string, string> = {};
  for (const name of Object.values(keyNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') credentialEnv[name] = value;
  }
  const credentials =
    e.BINANCE_SECRET_FILE !== undefined || credentialEnv[keyNames.apiKey] !== undefined
      ? { env: credentialEnv, ...(e.BINANCE_SECRET_FILE !== undefined ? { secretFile: e.BINANCE_SECRET_FILE } : {}) }
      : undefined;

  return {
    natsUrl: e.NATS_URL,
    redisUrl: e.REDIS_URL,
    rateBudget: rateBudgetSettings(e),
    namespace: e.BOURSE_NAMESPACE,
    target: e.MD_VENUE_TARGET,
    simEndpoints: { restUrl: e.MD_SIM_REST_URL, wsStreamUrl: e.MD_SIM_WS_STREAM_URL, wsApiUrl: e.MD_SIM_WS_API_URL },
    instruments: [...new Set(e.MD_INSTRUMENTS)],
    channels: [...new Set(e.MD_CHANNELS)],
    staleAfterMs: e.MD_STALE_AFTER_MS,
    staleCheckMs: e.MD_STALE_CHECK_MS,
    snapshot: {
      keyPrefix: e.MD_SNAPSHOT_KEY_PREFIX ?? snapshotKeyPrefix(e.BOURSE_NAMESPACE),
      ttlMs: e.MD_SNAPSHOT_TTL_MS,
      depth: e.MD_SNAPSHOT_DEPTH,
      flushIntervalMs: e.MD_SNAPSHOT_FLUSH_MS,
    },
    recording:
      e.MD_RECORD_DIR === undefined
        ? undefined
        : {
            dir: e.MD_RECORD_DIR,
            maxFileBytes: e.MD_RECORD_MAX_FILE_BYTES,
            rotateIntervalMs: e.MD_RECORD_ROTATE_MS,
            maxBufferedBytes: e.MD_RECORD_MAX_BUFFER_BYTES,
          },
    summaryIntervalMs: e.MD_SUMMARY_INTERVAL_MS,
    opsPort: e.MD_OPS_PORT,
    opsHost: e.MD_OPS_HOST,
    logLevel: e.LOG_LEVEL,
    credentials,
  };
}

let loaded: MarketDataConfig | undefined;

/** This process's configuration, parsed from process.env on first use. */
export function loadConfig(): MarketDataConfig {
  loaded ??= parseConfig(process.env);
  return loaded;
}
