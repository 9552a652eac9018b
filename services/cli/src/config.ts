// The only module that reads process.env. Parsed once, strictly; a bad value stops the command
// with a message naming the variable (and never echoing a password).
import { userInfo } from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { maskUrl, urlProblem, type ServerKind } from '@bourse/servers';
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL } from '@bourse/service';
import { loadPlatformConfig, type LoadedPlatformConfig } from './platform/load-platform-config.js';

export { urlProblem };
export { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL, DEFAULT_REDIS_URL };

export interface CliConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** PATH, where `bourse start` looks for server binaries. */
  readonly searchPath: string;
  /** The exchange simulator's key pair, when given; `bourse start` makes one otherwise. */
  readonly simApiKey?: string;
  readonly simApiSecret?: string;
  /** The sim's read-only pair (market data, the reconciler), when given; `bourse start` makes one otherwise. */
  readonly simReadOnlyApiKey?: string;
  readonly simReadOnlyApiSecret?: string;
  /** A Jaeger UI base URL (`BOURSE_JAEGER_URL`), for `bourse trace` links. */
  readonly jaegerUrl?: string;
}

function urlVariable(kind: ServerKind, fallback: string) {
  return z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      const problem = urlProblem(kind, value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const EnvSchema = z.strictObject({
  NATS_URL: urlVariable('nats', DEFAULT_NATS_URL),
  DATABASE_URL: urlVariable('postgres', DEFAULT_DATABASE_URL),
  REDIS_URL: urlVariable('redis', DEFAULT_REDIS_URL),
  PATH: z.string().default(''),
  BOURSE_SIM_API_KEY: z.string().min(1, 'is empty').optional(),
  BOURSE_SIM_API_SECRET: z.string().min(1, 'is empty').optional(),
  BOURSE_SIM_READONLY_API_KEY: z.string().min(1, 'is empty').optional(),
  BOURSE_SIM_READONLY_API_SECRET: z.string().min(1, 'is empty').optional(),
  BOURSE_JAEGER_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
});
type EnvKey = keyof z.infer<typeof EnvSchema>;
const ENV_KEYS: readonly EnvKey[] = [
  'NATS_URL',
  'DATABASE_URL',
  'REDIS_URL',
  'PATH',
  'BOURSE_SIM_API_KEY',
  'BOURSE_SIM_API_SECRET',
  'BOURSE_SIM_READONLY_API_KEY',
  'BOURSE_SIM_READONLY_API_SECRET',
  'BOURSE_JAEGER_URL',
];
const SECRET_KEYS: ReadonlySet<EnvKey> = new Set([
  'BOURSE_SIM_API_KEY',
  'BOURSE_SIM_API_SECRET',
  'BOURSE_SIM_READONLY_API_KEY',
  'BOURSE_SIM_READONLY_API_SECRET',
]);

/**
 * Validates the variables the CLI uses. Only they are picked from `env`, so the strict schema
 * rejects nothing else a shell happens to export.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): CliConfig {
  const picked: Partial<Record<EnvKey, string>> = {};
  for (const key of ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) picked[key] = value;
  }
  const result = EnvSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const shown = SECRET_KEYS.has(variable as EnvKey) ? '***' : maskUrl(picked[variable as EnvKey] ?? '');
    throw new ConfigError(variable, shown, `${variable} ${issue?.message ?? 'is invalid'} (got "${shown}")`);
  }
  return {
    natsUrl: result.data.NATS_URL,
    databaseUrl: result.data.DATABASE_URL,
    redisUrl: result.data.REDIS_URL,
    searchPath: result.data.PATH,
    ...(result.data.BOURSE_SIM_API_KEY !== undefined ? { simApiKey: result.data.BOURSE_SIM_API_KEY } : {}),
    ...(result.data.BOURSE_SIM_API_SECRET !== undefined ? { simApiSecret: result.data.BOURSE_SIM_API_SECRET } : {}),
    ...(result.data.BOURSE_SIM_READONLY_API_KEY !== undefined
      ? { simReadOnlyApiKey: result.data.BOURSE_SIM_READONLY_API_KEY }
      : {}),
    ...(result.data.BOURSE_SIM_READONLY_API_SECRET !== undefined
      ? { simReadOnlyApiSecret: result.data.BOURSE_SIM_READONLY_API_SECRET }
      : {}),
    ...(result.data.BOURSE_JAEGER_URL !== undefined ? { jaegerUrl: result.data.BOURSE_JAEGER_URL } : {}),
  };
}

let loaded: CliConfig | undefined;

/** The configuration of this process, parsed from process.env on first use. */
export function loadConfig(): CliConfig {
  loaded ??= parseConfig(process.env);
  return loaded;
}

/** This process's environment plus `extra`, for a child that needs one more variable (docker compose ports). */
export function childEnv(extra: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return { ...process.env, ...extra };
}

/** The platform config (file + environment overrides) and the CLI config derived from it. */
export interface LoadedConfigs {
  readonly cli: CliConfig;
  readonly platform: LoadedPlatformConfig;
}

/**
 * Reads the platform config (`file`, else BOURSE_CONFIG, else config/bourse.yaml) with this process's
 * environment overrides, and the CLI's own variables. The server URLs come from the platform config,
 * where NATS_URL / DATABASE_URL / REDIS_URL already override the file.
 */
export function loadConfigs(root: string, file?: string): LoadedConfigs {
  const platform = loadPlatformConfig({ root, file, env: process.env });
  const cli = {
    ...loadConfig(),
    natsUrl: platform.config.servers.nats,
    databaseUrl: platform.config.servers.postgres,
    redisUrl: platform.config.servers.redis,
  };
  return { cli, platform };
}

/** Who is acting, for `setBy` and the audit log: --by, else $USER, else $LOGNAME, else the OS account. */
// Containers and CI often run without USER; the account name still says who acted.
function osAccountName(): string | undefined {
  try {
    return userInfo().username;
  } catch (err) {
    // No passwd entry for the uid: the caller reports the missing name.
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

export function operatorName(given: string | undefined): string {
  const name = given ?? process.env.USER ?? process.env.LOGNAME ?? osAccountName();
  if (name === undefined || name.trim() === '') {
    throw new ConfigError('USER', '', 'no operator name: set USER or pass --by <name>');
  }
  return name.trim();
}
