// The only module that reads process.env. Parsed once, strictly; a bad value stops the command
// with a message naming the variable (and never echoing a password).
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { maskUrl, PROTOCOLS, type ServerKind } from './doctor/url.js';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bourse';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface CliConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** PATH, where `bourse start` looks for server binaries. */
  readonly searchPath: string;
  /** The exchange simulator's key pair, when given; `bourse start` makes one otherwise. */
  readonly simApiKey?: string;
  readonly simApiSecret?: string;
}

/** Why `value` is not a usable URL for `kind`, or undefined when it is. */
export function urlProblem(kind: ServerKind, value: string): string | undefined {
  const allowed = PROTOCOLS[kind];
  const example = `${allowed[0]}//host:port`;
  if (value.trim() === '') return `is empty; expected a URL like ${example}`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `is not a valid URL (expected ${example})`;
  }
  if (!allowed.includes(parsed.protocol)) {
    return `has protocol "${parsed.protocol}"; expected one of ${allowed.map((p) => `${p}//`).join(', ')}`;
  }
  if (parsed.hostname === '') return `has no host (expected ${example})`;
  if (parsed.port !== '' && Number(parsed.port) === 0) return 'has port 0';
  return undefined;
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
});
type EnvKey = keyof z.infer<typeof EnvSchema>;
const ENV_KEYS: readonly EnvKey[] = [
  'NATS_URL',
  'DATABASE_URL',
  'REDIS_URL',
  'PATH',
  'BOURSE_SIM_API_KEY',
  'BOURSE_SIM_API_SECRET',
];
const SECRET_KEYS: ReadonlySet<EnvKey> = new Set(['BOURSE_SIM_API_KEY', 'BOURSE_SIM_API_SECRET']);

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
